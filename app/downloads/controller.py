"""Starting, queueing and cancelling the rows' downloads, at most ``limit`` at a time.

Every started row gets its own ``get_poetry`` call, hence its own
``PoetryClientFactory`` and ``Deferred``. Rows beyond the connection limit
wait as Queued and start, in the order asked, as others finish.

:class:`DownloadController` is the one producer of download events
(:mod:`app.downloads.events`): whatever happens to a row's download, it publishes
the event on its :class:`~app.downloads.events.EventStream`, which writes it onto
the row and tells its listeners. Nothing here knows who listens: the
window's widgets, the log, a benchmark or a test listen alike. Each
chunk of bytes goes from ``get_poetry``'s progress callback straight to
:meth:`~app.downloads.events.EventStream.bytes_arrived`, a count on the row.

If our own code raises while handling a result, a last errback on the
Deferred frees the row's connection slot and publishes an
``InternalError`` that ends the row as Failed, so one bug never leaves a
row stuck in Downloading or a failure lost in an unhandled Deferred.

Each of those callbacks and errbacks is wrapped by
:func:`app.downloads.deferred_steps.recording`, so every step the Deferred takes is
published as a ``DeferredStep`` the moment it runs.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable
from functools import partial

from twisted.internet.defer import CancelledError, Deferred
from twisted.internet.interfaces import IDelayedCall, IReactorTCP, IReactorTime
from twisted.python.failure import Failure

from app.downloads.deferred_steps import recording
from app.downloads.events import (
    BatchEnded,
    BatchStarted,
    BatchSummary,
    Cancelled,
    ChainLevel,
    Closing,
    Connected,
    Connecting,
    DeferredChain,
    Done,
    EventStream,
    Failed,
    Forgotten,
    InternalError,
    Mode,
    Queued,
)
from app.downloads.rows import ServerRow, Status
from app.net.client import DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, get_poetry
from app.net.failures import describe_failure
from app.net.global_reactor import or_global
from app.net.poem import Poem

DEFAULT_CONNECTION_LIMIT = 50
#: The most the Preferences dialog and the settings file accept.
MAX_CONNECTION_LIMIT = 10_000
#: Connections opened in one reactor turn. Opening 2,000 at once holds the
#: event loop for about half a second; in batches the table keeps painting
#: and the heartbeat keeps beating while the rest wait as Queued.
START_BATCH = 50


class DownloadController:
    """Owns the queue and the in-flight Deferreds: the window's only caller of ``get_poetry``.

    ``events`` is where everything that happens is published; listen to it
    to follow the downloads. ``reactor`` (the global one unless given) runs
    the connections and the deferred starts.
    """

    def __init__(
        self,
        events: EventStream,
        *,
        limit: int = DEFAULT_CONNECTION_LIMIT,
        reactor: IReactorTCP | None = None,
    ) -> None:
        reactor = or_global(reactor)
        self.reactor = reactor
        self.clock = IReactorTime(reactor)
        self.events = events
        self.limit = limit
        #: The largest poem a row accepts; a bigger one fails as "larger than ...".
        self.max_bytes = DEFAULT_MAX_BYTES
        #: Seconds to wait for a connection, and for the next byte once connected.
        self.timeout = DEFAULT_TIMEOUT
        self.idle_timeout = DEFAULT_IDLE_TIMEOUT
        #: Seconds a whole download may take before it fails as "gave up after ..."; None: no limit.
        self.max_time: float | None = None
        self._queue: deque[ServerRow] = deque()
        self._running: dict[ServerRow, Deferred[Poem] | None] = {}
        self._refill: IDelayedCall | None = None
        #: How the current batch runs (see :meth:`start`).
        self.mode = Mode.REACTOR
        #: The current (or last) batch's number, counting from 1; 0 before any.
        self.batch = 0
        self._batch_open = False
        self._batch_rows: set[ServerRow] = set()
        self._batch_started = 0.0
        # Every row's Deferred gets the same three recorded handlers; the row
        # comes as their argument.
        self._on_poem = recording(events, "callback", self._succeeded)
        self._on_failure = recording(events, "errback", self._failed)
        self._on_own_error = recording(events, "errback", self._internal_error)
        #: The levels :meth:`_begin` adds to each row's Deferred, told on its Connecting.
        self.chain = (
            ChainLevel("addCallbacks", self._on_poem.__name__, self._on_failure.__name__),
            ChainLevel("addErrback", None, self._on_own_error.__name__),
        )
        #: What Twisted called as each running row's connection ended, until its ending says it.
        self._closings: dict[ServerRow, Closing] = {}

    @property
    def running(self) -> int:
        """How many rows hold a connection (or a connection attempt) now."""
        return len(self._running)

    @property
    def limit_now(self) -> int:
        """The connection limit in force: 1 while a one-at-a-time batch runs."""
        return 1 if self.mode is Mode.ONE_AT_A_TIME else self.limit

    def start(self, rows: Iterable[ServerRow], mode: Mode = Mode.REACTOR) -> None:
        """Queue every given row that is not already queued or running, then fill free slots.

        Rows started while a batch runs join it, in its mode. Otherwise they
        begin a new batch in ``mode``: ``Mode.ONE_AT_A_TIME`` runs them as
        the tutorial's blocking client would, each starting when the
        previous one ended, but on the reactor, so the window never freezes.
        """
        starting = [row for row in rows if not row.status.active]
        if not starting:
            return
        if not self._busy:
            self.mode = mode
            self.batch += 1
            self._batch_open = True
            self._batch_rows = set()
            self._batch_started = time.monotonic()
            self.events.publish(BatchStarted(self.batch, mode))
        for row in starting:
            self._batch_rows.add(row)
            self._queue.append(row)
            self.events.publish(Queued(row, self.batch))
        self._fill_slots()

    def cancel(self, rows: Iterable[ServerRow]) -> None:
        """Stop the rows' downloads now: queued ones leave the queue, running ones close."""
        for row in rows:
            if row.status is Status.QUEUED:
                self._queue.remove(row)
                self._end(row, Cancelled(row, queued=True))
            elif (d := self._running.get(row)) is not None:
                # Fires _failed with CancelledError synchronously; the socket is aborted.
                d.cancel()

    def cancel_all(self) -> None:
        """Cancel everything, emptying the queue first so no queued row starts meanwhile."""
        # One at a time from the front: the batch ends with the last of them,
        # and no slot freed meanwhile starts a queued row (refills wait a turn).
        while self._queue:
            row = self._queue.popleft()
            self._end(row, Cancelled(row, queued=True))
        self.cancel(list(self._running))
        refill, self._refill = self._refill, None
        if refill is not None and refill.active():
            refill.cancel()

    def forget(self, rows: Iterable[ServerRow]) -> None:
        """The rows are being removed: cancel them and say they are gone.

        They leave their batch first, so its summary counts only rows that
        are still listed.
        """
        rows = list(rows)
        self._batch_rows.difference_update(rows)
        self.cancel(rows)
        for row in rows:
            self.events.publish(Forgotten(row))

    def set_limit(self, limit: int) -> None:
        """Change the limit; a higher one starts queued rows at once, a lower one stops none."""
        self.limit = max(1, limit)
        self._fill_slots()

    # Connection slots

    @property
    def _busy(self) -> bool:
        return bool(self._queue or self._running)

    def _fill_slots(self) -> None:
        """Begin up to :data:`START_BATCH` queued rows now, and the rest on later turns."""
        for _ in range(START_BATCH):
            if not self._queue or len(self._running) >= self.limit_now:
                return
            self._begin(self._queue.popleft())
        self._refill_later()

    def _refill_later(self) -> None:
        """Fill free slots on the next reactor turn: one refill waits at a time, however asked.

        Every caller of :meth:`_fill_slots` (each Start, each slice of a
        paced start) would otherwise leave a refill of its own, and each
        would begin its own :data:`START_BATCH` per turn: twenty slices made
        twenty refills, and turns of 100 ms.
        """
        if self._refill is None and self._queue:
            self._refill = self.clock.callLater(0, self._refill_now)

    def _refill_now(self) -> None:
        self._refill = None
        self._fill_slots()

    def _begin(self, row: ServerRow) -> None:
        self._running[row] = None
        chain: DeferredChain = self.chain
        if self.max_time is not None:  # get_poetry's deadline is the first level: addTimeout
            chain = (ChainLevel("addTimeout", None, None), *chain)
        self.events.publish(Connecting(row, chain))
        try:
            d = get_poetry(
                row.address.host,
                row.address.port,
                timeout=self.timeout,
                idle_timeout=self.idle_timeout,
                encoding=row.encoding,
                max_bytes=self.max_bytes,
                progress=partial(self.events.bytes_arrived, row),
                connected=partial(self._connected, row),
                closed=partial(self._closed, row),
                reactor=self.reactor,
                max_time=self.max_time,
            )
        except ValueError:
            self._failed(Failure(), row)
            return
        self._running[row] = d
        # The chain the tutorial draws: a poem or a failure, then a last
        # errback for a bug in either handler.
        d.addCallbacks(self._on_poem, self._on_failure, callbackArgs=(row,), errbackArgs=(row,))
        d.addErrback(self._on_own_error, row)

    # What get_poetry reports, as events

    def _connected(self, row: ServerRow) -> None:
        self.events.publish(Connected(row))

    def _closed(self, row: ServerRow, method: str, reason: Failure) -> None:
        if row in self._running:
            self._closings[row] = Closing(method, type(reason.value).__name__)

    def _succeeded(self, poem: Poem, row: ServerRow) -> None:
        self._end(row, Done(row, poem, self._closings.get(row)))

    def _failed(self, failure: Failure, row: ServerRow) -> None:
        if failure.check(CancelledError):
            self._end(row, Cancelled(row, queued=False))
        else:
            closing = self._closings.get(row)
            self._end(row, Failed(row, failure, describe_failure(failure), closing))

    def _internal_error(self, failure: Failure, row: ServerRow) -> None:
        """Our own code raised while handling the row's result: free the slot, end the row."""
        self._end(row, InternalError(row, failure, fatal=True))

    def _end(self, row: ServerRow, event: Done | Failed | Cancelled | InternalError) -> None:
        """The row's download is over: free its slot, say how it ended, and maybe end the batch.

        The next queued rows start on a later reactor turn: the slot may have
        been freed inside a cancel of many rows, which must not start the
        next ones meanwhile.
        """
        self._running.pop(row, None)
        self._closings.pop(row, None)
        self.events.publish(event)
        if not self._busy:
            self._end_batch()
        self._refill_later()

    def _end_batch(self) -> None:
        """Nothing waits or runs: the batch is over, and a one-at-a-time mode with it."""
        mode, self.mode = self.mode, Mode.REACTOR
        rows, self._batch_rows = self._batch_rows, set()
        if self._batch_open:
            self._batch_open = False
            summary = summarize(rows, mode, self._batch_started)
            self.events.publish(BatchEnded(self.batch, summary))


def summarize(rows: Iterable[ServerRow], mode: Mode, started: float) -> BatchSummary | None:
    """A finished batch's rows against its start: see :class:`app.downloads.events.BatchSummary`."""
    ended = [row for row in rows if row.finished is not None]
    if not ended:
        return None
    done = [row for row in ended if row.status is Status.DONE]
    durations = _durations(ended)
    poem_durations = _durations(done)
    return BatchSummary(
        poems=len(done),
        failed=sum(row.status is Status.FAILED for row in ended),
        mode=mode,
        elapsed=_last_end(ended) - started,
        individual_sum=sum(durations),
        longest=max(durations),
        poems_elapsed=_last_end(done) - started if done else 0.0,
        poems_sum=sum(poem_durations),
        poems_longest=max(poem_durations),
    )


def _durations(rows: list[ServerRow]) -> list[float]:
    """Each ended row's own time, from its start to its end ([0.0] for none)."""
    return [
        row.finished - row.started
        for row in rows
        if row.started is not None and row.finished is not None
    ] or [0.0]


def _last_end(rows: list[ServerRow]) -> float:
    return max(row.finished for row in rows if row.finished is not None)
