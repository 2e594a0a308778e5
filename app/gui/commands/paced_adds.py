"""Listing thousands of pasted addresses a slice per event-loop turn: OK never freezes the window.

Making ten thousand rows and inserting them in the table held the loop for
60-80 ms in one go (on a loaded machine). :class:`PacedAdds` lists
:data:`ADDS_PER_TURN` addresses per event-loop turn instead; a list that
short is still listed at once, as before. The rows appear in the table in
order, slice by slice, and each slice is handed on as it is listed (to
start in turns, :mod:`app.gui.commands.paced_starts`, when the person asked for
that). Once the last slice is in, the list is saved.

Whether an address is listed already is asked at its slice's turn, so a
row added meanwhile another way is not listed twice. Closing the window
lists whatever still waits, at once (:meth:`PacedAdds.finish`), before
the last save: nothing the person gave is lost.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PyQt5.QtCore import QObject, QTimer

from app.downloads.rows import ServerRow
from app.net.address import Address

#: Addresses listed per event-loop turn (about 3 ms of rows and table).
ADDS_PER_TURN = 1000

#: Lists ``addresses`` (with their encoding): returns the rows for all of them, in
#: their order, and the rows it listed new.
ListRows = Callable[[Sequence[Address], str], tuple[list[ServerRow], list[ServerRow]]]


@dataclass
class _Addition:
    """Addresses given at once (one OK), and how many of them are listed so far."""

    addresses: Sequence[Address]
    encoding: str
    then: Callable[[list[ServerRow]], None] | None
    listed: int = 0


class PacedAdds(QObject):
    """Lists addresses through ``list_rows``, a slice per turn; ``save()`` once all are in."""

    def __init__(
        self, list_rows: ListRows, save: Callable[[], None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._list_rows = list_rows
        self._save = save
        self._waiting: deque[_Addition] = deque()
        #: A slice since the last save listed new rows.
        self._changed = False
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next_slice)

    @property
    def waiting(self) -> int:
        """Addresses given that wait for their turn to be listed."""
        return sum(len(a.addresses) - a.listed for a in self._waiting)

    def add(
        self,
        addresses: Sequence[Address],
        encoding: str,
        then: Callable[[list[ServerRow]], None] | None = None,
    ) -> None:
        """List ``addresses``: at once if they are few and none wait, else in turns.

        ``then(rows)`` is called with each slice's rows (those listed before
        included) as soon as they are in the table.
        """
        addition = _Addition(addresses, encoding, then)
        if not self._waiting and len(addresses) <= ADDS_PER_TURN:
            self._list(addition, len(addresses))
            self._save_if_changed()
            return
        self._waiting.append(addition)
        if not self._timer.isActive():
            self._timer.start()

    def finish(self) -> None:
        """List every address still waiting, now, and hand none on (the window is closing)."""
        self._timer.stop()
        while self._waiting:
            addition = self._waiting.popleft()
            addition.then = None
            self._list(addition, len(addition.addresses))

    def _next_slice(self) -> None:
        addition = self._waiting[0]
        self._list(addition, ADDS_PER_TURN)
        if addition.listed >= len(addition.addresses):
            self._waiting.popleft()
        if not self._waiting:
            self._timer.stop()
            self._save_if_changed()

    def _list(self, addition: _Addition, most: int) -> None:
        first = addition.listed
        addition.listed = min(first + most, len(addition.addresses))
        rows, new = self._list_rows(addition.addresses[first : addition.listed], addition.encoding)
        self._changed = self._changed or bool(new)
        if addition.then is not None:
            addition.then(rows)

    def _save_if_changed(self) -> None:
        if self._changed:
            self._changed = False
            self._save()
