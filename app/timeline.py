"""What the timeline draws: each connection's life on a clock that starts with the batch.

The download controller reports every event here as it happens (connect
started, connected, each received chunk, clean close, failure, cancel);
this module keeps them per row in a :class:`Lane`, with nothing Qt in it,
so the tests can check the record against the download it describes.

Memory per connection is bounded whatever the download does: chunks are
kept as *marks*, each a time bucket with a chunk count and a byte total.
While a lane has at most :data:`MAX_MARKS` marks every chunk is its own
mark; past that, neighbouring marks are merged pairwise and the bucket
width doubles, so a drip of 100,000 one-byte chunks costs the same few
kilobytes as a poem of 500. Totals are never merged away: a lane always
knows exactly how many chunks and bytes arrived.

A *batch* is what one Start All (or Start) began: its clock's zero is the
moment it started, and it ends when every row in it has ended. Then
:func:`batch_summary` compares the time taken with the sum of the
individual download times, the number that shows what the reactor buys.
"""

from __future__ import annotations

import enum
import time
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

#: Marks a lane keeps before merging neighbours (3 numbers each).
MAX_MARKS = 256


class Ending(enum.Enum):
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Mode(enum.Enum):
    """How Start All runs a batch."""

    REACTOR = "All at once"
    ONE_AT_A_TIME = "One at a time"


@dataclass(eq=False)
class Lane:
    """One connection's events, in seconds since its batch started."""

    label: str
    #: The batch (:attr:`Timeline.batch`) whose start is this lane's zero.
    batch: int = 0
    connect_started: float | None = None
    connected: float | None = None
    ended: float | None = None
    ending: Ending | None = None
    reason: str = ""
    chunks: int = 0
    bytes: int = 0
    #: Width of a mark's bucket in seconds; 0 while every chunk is its own mark.
    bucket: float = 0.0
    times: array = field(default_factory=lambda: array("d"))
    counts: array = field(default_factory=lambda: array("l"))
    sizes: array = field(default_factory=lambda: array("q"))

    def add_chunk(self, at: float, size: int) -> None:
        self.chunks += 1
        self.bytes += size
        if self.times and self.bucket and at < self.times[-1] + self.bucket:
            self.counts[-1] += 1
            self.sizes[-1] += size
            return
        start = at if not self.bucket else at - (at % self.bucket)
        self.times.append(start)
        self.counts.append(1)
        self.sizes.append(size)
        if len(self.times) > MAX_MARKS:
            self._coarsen()

    def marks(self) -> Iterable[tuple[float, int, int]]:
        """(start time, chunk count, byte total) per mark, oldest first."""
        return zip(self.times, self.counts, self.sizes, strict=True)

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


@dataclass(frozen=True)
class BatchSummary:
    poems: int
    failed: int
    cancelled: int
    mode: Mode
    elapsed: float
    individual_sum: float
    longest: float


class Timeline:
    """Lanes by row key, the current batch's clock, and a callback when a batch ends.

    ``on_batch_end(summary)`` runs once per batch, after its last row ended.
    ``changed`` is set by every event; the widget clears it when it repaints.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.lanes: dict[object, Lane] = {}
        self.batch_start: float | None = None
        self.mode = Mode.REACTOR
        #: The current (or last) batch's number, counting from 1; 0 before any.
        self.batch = 0
        self.last_summary: BatchSummary | None = None
        self.on_batch_end: Callable[[BatchSummary], object] | None = None
        self.changed = False
        self._batch: set[object] = set()
        self._open: set[object] = set()

    # The clock

    def now(self) -> float:
        """Seconds since the current (or last) batch started; 0 before any."""
        if self.batch_start is None:
            return 0.0
        return self.clock() - self.batch_start

    @property
    def running(self) -> bool:
        return bool(self._open)

    def begin(self, keys: Iterable[tuple[object, str]], mode: Mode) -> None:
        """Rows (key, label) are about to start: a new batch unless one is still running."""
        keys = list(keys)
        if not keys:
            return
        if not self._open:
            self.batch_start = self.clock()
            self.batch += 1
            self.mode = mode
            self._batch = set()
            self.last_summary = None
        for key, label in keys:
            self.lanes[key] = Lane(label, self.batch)
            self._batch.add(key)
            self._open.add(key)
        self.changed = True

    def forget(self, key: object) -> None:
        """The row was removed: its lane goes, and the batch no longer waits for it."""
        self.lanes.pop(key, None)
        self._batch.discard(key)
        if key in self._open:
            self._open.discard(key)
            self._maybe_end_batch()
        self.changed = True

    # Events from the downloads

    def connect_started(self, key: object) -> None:
        lane = self.lanes.get(key)
        if lane is not None:
            lane.connect_started = self.now()
            self.changed = True

    def connected(self, key: object) -> None:
        lane = self.lanes.get(key)
        if lane is not None:
            lane.connected = self.now()
            self.changed = True

    def chunk(self, key: object, size: int) -> None:
        lane = self.lanes.get(key)
        if lane is not None:
            lane.add_chunk(self.now(), size)
            self.changed = True

    def ended(self, key: object, ending: Ending, reason: str = "") -> None:
        lane = self.lanes.get(key)
        if lane is None:
            return
        lane.ended = self.now()
        lane.ending = ending
        lane.reason = reason
        self._open.discard(key)
        self.changed = True
        self._maybe_end_batch()

    def _maybe_end_batch(self) -> None:
        if self._open or not self._batch:
            return
        lanes = [self.lanes[key] for key in self._batch if key in self.lanes]
        self._batch = set()
        if not lanes:
            return
        durations = [lane.duration or 0.0 for lane in lanes]
        self.last_summary = BatchSummary(
            poems=sum(lane.ending is Ending.DONE for lane in lanes),
            failed=sum(lane.ending is Ending.FAILED for lane in lanes),
            cancelled=sum(lane.ending is Ending.CANCELLED for lane in lanes),
            mode=self.mode,
            elapsed=max(lane.ended or 0.0 for lane in lanes),
            individual_sum=sum(durations),
            longest=max(durations),
        )
        if self.on_batch_end is not None:
            self.on_batch_end(self.last_summary)
