"""Starting, queueing and cancelling the rows' downloads, at most ``limit`` at a time.

Every started row gets its own ``get_poetry`` call, hence its own
``PoetryClientFactory`` and ``Deferred``. Rows beyond the connection limit
wait as Queued and start, in the order asked, as others finish. Results are
written onto the row and the model is only *touched*: repainting is the
model's timer's business.

Each row's life goes to the log (``poetry.download`` namespace): started,
connected, done or failed with its reason, cancelled. If our own code
raises while handling a result, a last errback logs the traceback, frees
the row's connection slot and reports it, so one bug in one handler never
leaves a row stuck in Downloading or a failure lost in an unhandled Deferred.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable

from twisted.internet.defer import CancelledError
from twisted.internet.interfaces import IDelayedCall
from twisted.logger import Logger
from twisted.python.failure import Failure

from app.client import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    Poem,
    describe_failure,
    get_poetry,
)
from app.gui.model import ServerListModel
from app.rows import ServerRow, Status
from app.timeline import Ending, Mode, Timeline

DEFAULT_CONNECTION_LIMIT = 50
#: The most the Preferences dialog and the settings file accept.
MAX_CONNECTION_LIMIT = 10_000
#: Connections opened in one reactor turn. Opening 2,000 at once holds the
#: event loop for about half a second; in batches the table keeps painting
#: and the heartbeat keeps beating while the rest wait as Queued.
START_BATCH = 50

FailureCallback = Callable[[ServerRow], object]
DoneCallback = Callable[[ServerRow], object]
InternalErrorCallback = Callable[[ServerRow, Failure], object]

log = Logger(namespace="poetry.download")


class DownloadController:
    """Owns the in-flight Deferreds; the only code that calls ``get_poetry`` for the window.

    ``on_failure(row)`` runs after a download fails (not when it was
    cancelled); ``on_done(row)`` after a poem arrived;
    ``on_internal_error(row, failure)`` when our own code raised while
    handling the row's result (the failure is logged too).
    """

    def __init__(
        self,
        model: ServerListModel,
        *,
        limit: int = DEFAULT_CONNECTION_LIMIT,
        on_failure: FailureCallback,
        on_done: DoneCallback,
        on_internal_error: InternalErrorCallback | None = None,
    ) -> None:
        self.model = model
        self.limit = limit
        #: The largest poem a row accepts; a bigger one fails as "larger than ...".
        self.max_bytes = DEFAULT_MAX_BYTES
        #: Seconds to wait for a connection, and for the next byte once connected.
        self.timeout = DEFAULT_TIMEOUT
        self.idle_timeout = DEFAULT_IDLE_TIMEOUT
        self._on_failure = on_failure
        self._on_done = on_done
        self._on_internal_error = on_internal_error
        #: Every connection's events, for the timeline dock and the batch summary.
        self.timeline = Timeline()
        self._queue: deque[ServerRow] = deque()
        self._running: set[ServerRow] = set()
        self._refill: IDelayedCall | None = None
        #: How the current batch runs (see :meth:`start`).
        self.mode = Mode.REACTOR

    @property
    def running(self) -> int:
        """How many rows hold a connection (or a connection attempt) now."""
        return len(self._running)

    def start(self, rows: Iterable[ServerRow], mode: Mode = Mode.REACTOR) -> None:
        """Queue every given row that is not already queued or running, then fill free slots.

        ``Mode.ONE_AT_A_TIME`` runs them as the tutorial's blocking client
        would, each starting when the previous one ended, but on the
        reactor, so the window never freezes. The mode holds until the
        queue is empty and nothing runs.
        """
        starting = [row for row in rows if not row.status.active]
        if not starting:
            return
        if not self._queue and not self._running:
            self.mode = mode
        self.timeline.begin(((row, str(row.address)) for row in starting), self.mode)
        for row in starting:
            row.reset_for_download()
            self._set_status(row, Status.QUEUED)
            self._queue.append(row)
        self._fill_slots()

    def cancel(self, rows: Iterable[ServerRow]) -> None:
        """Stop the rows' downloads now: queued ones leave the queue, running ones close."""
        for row in rows:
            if row.status is Status.QUEUED:
                self._queue.remove(row)
                self._cancelled_while_queued(row)
            elif row.deferred is not None:
                # Fires _failed with CancelledError synchronously; the socket is aborted.
                row.deferred.cancel()

    def cancel_all(self) -> None:
        """Cancel everything, emptying the queue first so no queued row starts meanwhile."""
        queued, self._queue = list(self._queue), deque()
        for row in queued:
            self._cancelled_while_queued(row)
        self.cancel(list(self._running))
        refill, self._refill = self._refill, None
        if refill is not None and refill.active():
            refill.cancel()

    def forget(self, rows: Iterable[ServerRow]) -> None:
        """The rows are being removed: cancel them and drop their timeline lanes."""
        rows = list(rows)
        self.cancel(rows)
        for row in rows:
            self.timeline.forget(row)

    @property
    def limit_now(self) -> int:
        """The connection limit in force: 1 while a one-at-a-time batch runs."""
        return 1 if self.mode is Mode.ONE_AT_A_TIME else self.limit

    def set_limit(self, limit: int) -> None:
        """Change the limit; a higher one starts queued rows at once, a lower one stops none."""
        self.limit = max(1, limit)
        self._fill_slots()

    def _fill_slots(self) -> None:
        self._refill = None
        for _ in range(START_BATCH):
            if not self._queue or len(self._running) >= self.limit_now:
                return
            self._begin(self._queue.popleft())
        self._refill_later()

    def _refill_later(self) -> None:
        if self._refill is None and self._queue:
            from twisted.internet import reactor

            self._refill = reactor.callLater(0, self._fill_slots)

    def _begin(self, row: ServerRow) -> None:
        self._running.add(row)
        row.started = time.monotonic()
        self._set_status(row, Status.CONNECTING)
        self.timeline.connect_started(row)
        log.info("{address}: connecting", address=str(row.address))
        try:
            d = get_poetry(
                row.address.host,
                row.address.port,
                timeout=self.timeout,
                idle_timeout=self.idle_timeout,
                encoding=row.encoding,
                max_bytes=self.max_bytes,
                progress=lambda total: self._progress(row, total),
                connected=lambda: self._connected(row),
            )
        except ValueError:
            self._failed(Failure(), row)
            return
        row.deferred = d
        d.addCallbacks(self._succeeded, self._failed, callbackArgs=(row,), errbackArgs=(row,))
        d.addErrback(self._internal_error, row)

    def _connected(self, row: ServerRow) -> None:
        log.info("{address}: connected", address=str(row.address))
        self.timeline.connected(row)
        self._set_status(row, Status.DOWNLOADING)

    def _progress(self, row: ServerRow, total: int) -> None:
        self.timeline.chunk(row, total - row.received)
        row.received = total
        self.model.touch(row)

    def _succeeded(self, poem: Poem, row: ServerRow) -> None:
        self._finish(row)
        row.poem = poem
        row.received = poem.size
        row.expected_size = poem.size
        self._set_status(row, Status.DONE)
        self.timeline.ended(row, Ending.DONE)
        log.info(
            "{address}: done, {size} bytes in {elapsed:.2f} s",
            address=str(row.address),
            size=poem.size,
            elapsed=poem.elapsed,
        )
        self._on_done(row)

    def _failed(self, failure: Failure, row: ServerRow) -> None:
        self._finish(row)
        if failure.check(CancelledError):
            log.info("{address}: cancelled", address=str(row.address))
            self._set_status(row, Status.CANCELLED)
            self.timeline.ended(row, Ending.CANCELLED, "cancelled")
            return
        row.failure = failure
        self._set_status(row, Status.FAILED)
        reason = describe_failure(failure)
        self.timeline.ended(row, Ending.FAILED, reason)
        log.warn("{address}: failed: {reason}", address=str(row.address), reason=reason)
        self._on_failure(row)

    def _internal_error(self, failure: Failure, row: ServerRow) -> None:
        """Our own code raised while handling the row's result: log, free the slot, report."""
        log.failure(
            "Internal error while handling the download from {address}",
            failure,
            address=str(row.address),
        )
        if row in self._running:
            self._finish(row)
        if row.status.active:
            row.failure = failure
            self._set_status(row, Status.FAILED)
            self.timeline.ended(row, Ending.FAILED, describe_failure(failure))
        if self._on_internal_error is not None:
            try:
                self._on_internal_error(row, failure)
            except Exception:
                log.failure("Internal error while reporting an internal error")

    def _cancelled_while_queued(self, row: ServerRow) -> None:
        log.info("{address}: cancelled before it started", address=str(row.address))
        self._set_status(row, Status.CANCELLED)
        self.timeline.ended(row, Ending.CANCELLED, "cancelled before it started")
        self._settle_mode()

    def _finish(self, row: ServerRow) -> None:
        row.finished = time.monotonic()
        row.deferred = None
        self._running.discard(row)
        self._settle_mode()
        # Refill on a later reactor turn: the slot may have been freed inside
        # a cancel of many rows, which must not start the next ones meanwhile.
        self._refill_later()

    def _settle_mode(self) -> None:
        """A one-at-a-time batch ends when nothing waits or runs; then the limit is back."""
        if not self._queue and not self._running:
            self.mode = Mode.REACTOR

    def _set_status(self, row: ServerRow, status: Status) -> None:
        row.status = status
        self.model.touch(row, status_changed=True)
