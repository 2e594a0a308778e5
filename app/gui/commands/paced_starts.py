"""Starting thousands of rows a slice per event-loop turn, so the window never freezes on Start.

Starting a row publishes its ``Queued`` event, which every part of the
window hears: ten thousand rows at once would hold the loop for a visible
moment. :class:`PacedStarts` hands the controller
:data:`STARTS_PER_TURN` rows per event-loop turn instead; a few hundred
rows still start at once, as before. Rows waiting their turn stay Idle in
the table, and turn Queued slice by slice: that is the progress a person
sees. A row cancelled or removed while it waits is not started.

The next slice is a reactor call for the next turn (``callLater(0)``), not
a zero Qt timer: the reactor runs it in the same loop pass as the
connections the last slice began, where Qt runs a zero timer only after
the rest of the pass's events, so the first bytes come sooner.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from PyQt5.QtCore import QObject
from twisted.internet.interfaces import IDelayedCall

from app.downloads.controller import DownloadController
from app.downloads.events import Mode
from app.downloads.rows import ServerRow

#: Rows handed to the controller per event-loop turn (about 8 ms of events).
STARTS_PER_TURN = 500


class PacedStarts(QObject):
    """Starts rows through ``downloads``, a slice per turn; ``listed(row)``: is it still there?"""

    def __init__(
        self,
        downloads: DownloadController,
        listed: Callable[[ServerRow], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._downloads = downloads
        self._listed = listed
        self._waiting: deque[tuple[ServerRow, Mode]] = deque()
        self._waiting_rows: set[ServerRow] = set()
        self._next: IDelayedCall | None = None

    @property
    def waiting(self) -> int:
        """Rows asked to start that wait for their turn."""
        return len(self._waiting_rows)

    def is_waiting(self, row: ServerRow) -> bool:
        """True while ``row`` waits for its turn to start (Cancel can still stop it)."""
        return row in self._waiting_rows

    def start(self, rows: Iterable[ServerRow], mode: Mode) -> None:
        """Start ``rows`` in ``mode``: at once if they are few and none wait, else in turns."""
        rows = [row for row in rows if row not in self._waiting_rows]
        if not self._waiting and len(rows) <= STARTS_PER_TURN:
            self._downloads.start(rows, mode)
            return
        self._waiting.extend((row, mode) for row in rows)
        self._waiting_rows.update(rows)
        self._next_turn()

    def withdraw(self, rows: Iterable[ServerRow]) -> None:
        """Those of ``rows`` still waiting will not start (they were cancelled or removed)."""
        if self._waiting:
            self._waiting_rows.difference_update(rows)

    def stop(self) -> None:
        """Start nothing more (the window is closing)."""
        next_slice, self._next = self._next, None
        if next_slice is not None and next_slice.active():
            next_slice.cancel()
        self._waiting.clear()
        self._waiting_rows.clear()

    def _next_turn(self) -> None:
        if self._next is None:
            # On the reactor that runs the downloads these slices start.
            self._next = self._downloads.clock.callLater(0, self._next_slice)

    def _next_slice(self) -> None:
        self._next = None
        rows: list[ServerRow] = []
        mode: Mode | None = None
        while self._waiting and len(rows) < STARTS_PER_TURN:
            row, row_mode = self._waiting[0]
            if mode is not None and row_mode is not mode:
                break  # the next slice starts those in their own mode
            self._waiting.popleft()
            mode = row_mode
            if row in self._waiting_rows:
                self._waiting_rows.discard(row)
                if self._listed(row):
                    rows.append(row)
        if self._waiting:
            self._next_turn()
        else:
            self._waiting_rows.clear()
        if rows and mode is not None:
            self._downloads.start(rows, mode)
