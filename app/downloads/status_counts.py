"""How many listed rows are in each status, and the bytes they received, kept as they change.

The status bar's counts and the actions' enabled state ("is anything
failed? is anything idle?") read these numbers many times a second while
ten thousand downloads run. Walking every row for them cost milliseconds
per tick; :class:`StatusCounts` is told instead: rows coming and going
(:meth:`add`, :meth:`remove`) and every event on a listed row
(:meth:`observe`, after :meth:`app.downloads.rows.ServerRow.apply` wrote it) and
the rows that got bytes (:meth:`bytes_came`), and keeps what it counted
per row, so each change costs the same whatever the number of rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from app.downloads.events import STATUS_EVENTS, DownloadEvent
from app.downloads.rows import ServerRow, Status


class StatusCounts:
    """Counts of the rows added and not removed, by :class:`Status`, and their bytes received."""

    def __init__(self) -> None:
        #: What each row counted as when last told: its status, and its bytes.
        #: Two dicts of plain values, so a tick's update of thousands of rows
        #: makes no new object (a tuple each was work for the garbage collector).
        self._status: dict[ServerRow, Status] = {}
        self._received: dict[ServerRow, int] = {}
        self._by_status: Counter[Status] = Counter()
        self.received = 0

    def __len__(self) -> int:
        return len(self._status)

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
            if row not in self._status:
                self._status[row] = row.status
                self._received[row] = row.received
                self._by_status[row.status] += 1
                self.received += row.received

    def remove(self, rows: Iterable[ServerRow]) -> None:
        for row in rows:
            status = self._status.pop(row, None)
            if status is not None:
                self._by_status[status] -= 1
                self.received -= self._received.pop(row)

    def observe(self, event: DownloadEvent) -> None:
        """Count what ``event`` changed on its row, if the row is counted."""
        if not isinstance(event, STATUS_EVENTS):
            return
        row = event.row
        status = self._status.get(row)
        if status is None:
            return
        if status is not row.status:
            self._by_status[status] -= 1
            self._by_status[row.status] += 1
            self._status[row] = row.status
        self.received += row.received - self._received[row]
        self._received[row] = row.received

    def bytes_came(self, rows: Iterable[ServerRow]) -> None:
        """Count the bytes the rows got since last told; their statuses are the events' to count."""
        counted = self._received
        total = self.received
        for row in rows:
            was = counted.get(row)
            if was is not None:
                total += row.received - was
                counted[row] = row.received
        self.received = total
