"""How many listed rows are in each status, and the bytes they received, kept as they change.

The status bar's counts and the actions' enabled state ("is anything
failed? is anything idle?") read these numbers many times a second while
ten thousand downloads run. Walking every row for them cost milliseconds
per tick; :class:`StatusCounts` is told instead: rows coming and going
(:meth:`add`, :meth:`remove`) and every event on a listed row
(:meth:`observe`, after :meth:`app.rows.ServerRow.apply` wrote it) and
the rows that got bytes (:meth:`bytes_came`), and keeps what it counted
per row, so each change costs the same whatever the number of rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from app.events import BATCH_EVENTS, DeferredStep, DownloadEvent, Forgotten
from app.rows import ServerRow, Status


class StatusCounts:
    """Counts of the rows added and not removed, by :class:`Status`, and their bytes received."""

    def __init__(self) -> None:
        #: What each row counted as: its status and bytes when last told.
        self._counted: dict[ServerRow, tuple[Status, int]] = {}
        self._by_status: Counter[Status] = Counter()
        self.received = 0

    def __len__(self) -> int:
        return len(self._counted)

    def __getitem__(self, status: Status) -> int:
        return self._by_status[status]

    @property
    def active(self) -> int:
        """Rows queued or on the wire."""
        by = self._by_status
        return by[Status.QUEUED] + by[Status.CONNECTING] + by[Status.DOWNLOADING]

    @property
    def downloading(self) -> int:
        """Rows on the wire: connecting or receiving."""
        return self._by_status[Status.CONNECTING] + self._by_status[Status.DOWNLOADING]

    def add(self, rows: Iterable[ServerRow]) -> None:
        for row in rows:
            if row not in self._counted:
                self._count(row, row.status, row.received)

    def remove(self, rows: Iterable[ServerRow]) -> None:
        for row in rows:
            counted = self._counted.pop(row, None)
            if counted is not None:
                status, received = counted
                self._by_status[status] -= 1
                self.received -= received

    def observe(self, event: DownloadEvent) -> None:
        """Count what ``event`` changed on its row, if the row is counted."""
        if isinstance(event, (DeferredStep, Forgotten, *BATCH_EVENTS)):
            return
        row = event.row
        counted = self._counted.get(row)
        if counted is None:
            return
        status, received = counted
        if status is not row.status:
            self._by_status[status] -= 1
            self._by_status[row.status] += 1
        self.received += row.received - received
        self._counted[row] = (row.status, row.received)

    def bytes_came(self, rows: Iterable[ServerRow]) -> None:
        """Count the bytes the rows got since last told; their statuses are the events' to count."""
        counted = self._counted
        total = self.received
        for row in rows:
            was = counted.get(row)
            if was is not None:
                total += row.received - was[1]
                counted[row] = (was[0], row.received)
        self.received = total

    def _count(self, row: ServerRow, status: Status, received: int) -> None:
        self._counted[row] = (status, received)
        self._by_status[status] += 1
        self.received += received
