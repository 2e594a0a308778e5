"""What the timeline draws: each connection's life on a clock that starts with the batch.

A :class:`Timeline` observes the download events (:mod:`app.downloads.events`) as
they happen (connect started, connected, clean close, failure, cancel),
and is told on the window's tick which rows got bytes since the last
(:meth:`Timeline.bytes_came`). It keeps them per row in a :class:`Lane`,
on its own clock, with nothing Qt in it, so the tests can check the
record against the download it describes.

Memory per connection is bounded whatever the download does: chunks are
kept as *marks*, each a time bucket with a chunk count and a byte total.
While a lane has at most :data:`MAX_MARKS` marks every chunk is its own
mark; past that, neighbouring marks are merged pairwise and the bucket
width doubles, so a drip of 100,000 one-byte chunks costs the same few
kilobytes as a poem of 500. Totals are never merged away: a lane always
knows exactly how many chunks and bytes arrived.

A *batch* is what one Start All (or Start) began: its clock's zero is the
moment it started, and it ends when every row in it has ended. Then
:func:`app.views.timeline.words.batch_summary` words the controller's summary:
the time taken against the sum of the individual download times, the
number that shows what the reactor buys.
"""

from __future__ import annotations

import enum
import time
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from twisted.python.failure import Failure

from app.downloads.events import (
    BatchEnded,
    BatchStarted,
    BatchSummary,
    Cancelled,
    Connected,
    Connecting,
    Done,
    DownloadEvent,
    Failed,
    Forgotten,
    InternalError,
    Mode,
    Queued,
)
from app.downloads.rows import ServerRow
from app.i18n import _
from app.net.failures import describe_failure

#: Marks a lane keeps before merging neighbours (3 numbers each).
MAX_MARKS = 256


class Ending(enum.Enum):
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(eq=False, slots=True)
class Lane:
    """One connection's events, in seconds since its batch started."""

    label: str
    #: The batch (:attr:`Timeline.batch`) whose start is this lane's zero.
    batch: int = 0
    connect_started: float | None = None
    connected: float | None = None
    ended: float | None = None
    ending: Ending | None = None
    #: Why it failed or was cancelled, as the event said it; see :attr:`reason_words`.
    reason: str = ""
    #: The failure that ended it, if one did.
    failure: Failure | None = field(default=None, repr=False)
    chunks: int = 0
    bytes: int = 0
    #: Width of a mark's bucket in seconds; 0 while every chunk is its own mark.
    bucket: float = 0.0
    times: array[float] = field(default_factory=lambda: array("d"))
    counts: array[int] = field(default_factory=lambda: array("l"))
    sizes: array[int] = field(default_factory=lambda: array("q"))

    def add_chunk(self, at: float, size: int, count: int = 1) -> None:
        """``count`` chunks of ``size`` bytes in all, seen at ``at``."""
        self.chunks += count
        self.bytes += size
        times, bucket = self.times, self.bucket
        if bucket and times and at < times[-1] + bucket:
            self.counts[-1] += count
            self.sizes[-1] += size
            return
        times.append(at - (at % bucket) if bucket else at)
        self.counts.append(count)
        self.sizes.append(size)
        if len(times) > MAX_MARKS:
            self._coarsen()

    def marks(self) -> Iterable[tuple[float, int, int]]:
        """(start time, chunk count, byte total) per mark, oldest first."""
        return zip(self.times, self.counts, self.sizes, strict=True)

    @property
    def reason_words(self) -> str:
        """Why it failed or was cancelled, in the language being spoken now."""
        if self.failure is not None:
            return describe_failure(self.failure)
        return _(self.reason) if self.reason else ""

    @property
    def duration(self) -> float | None:
        if self.connect_started is None or self.ended is None:
            return None
        return self.ended - self.connect_started

    def _coarsen(self) -> None:
        """Double the bucket width until the marks fit, merging those that share a bucket."""
        span = self.times[-1] - self.times[0]
        bucket = self.bucket or max(span / MAX_MARKS, 1e-6)
        while True:
            bucket *= 2
            times, counts, sizes = array("d"), array("l"), array("q")
            for at, count, size in self.marks():
                start = at - (at % bucket)
                if times and times[-1] == start:
                    counts[-1] += count
                    sizes[-1] += size
                else:
                    times.append(start)
                    counts.append(count)
                    sizes.append(size)
            if len(times) <= MAX_MARKS // 2:
                break
        self.bucket, self.times, self.counts, self.sizes = bucket, times, counts, sizes


@dataclass(frozen=True, slots=True)
class TurnMark:
    """A reactor turn picked in the reactor dock: when, on the batch's clock, and the
    addresses (lane labels) whose sockets it read; their lanes mark that moment."""

    at: float
    addresses: frozenset[str]


class Timeline:
    """Lanes by row, and the current batch's clock; :meth:`observe` takes the download events."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.lanes: dict[ServerRow, Lane] = {}
        self.batch_start: float | None = None
        self.mode = Mode.REACTOR
        #: The current (or last) batch's number, counting from 1; 0 before any.
        self.batch = 0
        #: The last batch's summary once it ended; ``None`` while one runs.
        self.last_summary: BatchSummary | None = None
        self._open: set[ServerRow] = set()
        #: The reactor turn marked on the lanes, if one is.
        self.marked_turn: TurnMark | None = None

    def now(self) -> float:
        """Seconds since the current (or last) batch started; 0 before any."""
        if self.batch_start is None:
            return 0.0
        return self.clock() - self.batch_start

    def mark_turn(self, at: float | None, addresses: Iterable[str] = ()) -> None:
        """Mark the reactor turn at ``at`` (on :attr:`clock`) on the lanes of ``addresses``;
        ``None`` clears the mark, as does a turn from before the current batch."""
        start = self.batch_start
        if at is None or start is None or at < start:
            self.marked_turn = None
        else:
            self.marked_turn = TurnMark(at - start, frozenset(addresses))

    @property
    def running(self) -> bool:
        """True while a lane of the batch has not ended: its bar still grows."""
        return bool(self._open)

    def bytes_came(self, rows: Iterable[ServerRow]) -> None:
        """Mark on each row's lane the chunks it got since last told, at the time of telling.

        The window tells on its tick, ten or twenty times a second, so a mark
        is to within a tick of the chunks' arrival; the totals are exact.
        """
        self._mark_last_chunks(rows, self.now())

    def _mark_last_chunks(self, rows: Iterable[ServerRow], now: float) -> None:
        """Mark the chunks each row got since its lane last heard, all at ``now``."""
        lanes = self.lanes
        for row in rows:
            lane = lanes.get(row)
            if lane is not None and row.chunks > lane.chunks:
                lane.add_chunk(now, row.received - lane.bytes, row.chunks - lane.chunks)

    def observe(self, event: DownloadEvent) -> None:
        """Record one event on its row's lane, in seconds since its batch started."""
        match event:
            case BatchStarted(batch=batch, mode=mode):
                self.batch_start = self.clock()
                self.batch = batch
                self.mode = mode
                self.last_summary = None
            case Queued(row=row, batch=batch):
                self.lanes[row] = Lane(str(row.address), batch)
                self._open.add(row)
            case Connecting(row=row):
                if (lane := self.lanes.get(row)) is not None:
                    lane.connect_started = self.now()
            case Connected(row=row):
                if (lane := self.lanes.get(row)) is not None:
                    lane.connected = self.now()
            case Done(row=row):
                self._ended(row, Ending.DONE)
            case Failed(row=row, failure=failure, reason=reason):
                self._ended(row, Ending.FAILED, reason, failure)
            case Cancelled(row=row):
                self._ended(row, Ending.CANCELLED, event.reason)
            case InternalError(row=row, failure=failure, fatal=True):
                self._ended(row, Ending.FAILED, describe_failure(failure), failure)
            case Forgotten(row=row):
                self.lanes.pop(row, None)
                self._open.discard(row)
            case BatchEnded(summary=summary):
                self.last_summary = summary

    def _ended(
        self, row: ServerRow, ending: Ending, reason: str = "", failure: Failure | None = None
    ) -> None:
        lane = self.lanes.get(row)
        if lane is None or row not in self._open:
            return
        now = self.now()
        self._mark_last_chunks((row,), now)
        lane.ended = now
        lane.ending = ending
        lane.reason = reason
        lane.failure = failure
        self._open.discard(row)
