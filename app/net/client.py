"""The poetry client: connect, read until the server hangs up, hand back a Poem.

The protocol is the Twisted Introduction's: the server sends a poem and
closes the connection. Only a *clean* close ends a poem; every other ending
is a failure, so a half-received poem is never mistaken for a whole one.
The poem itself is :class:`app.net.poem.Poem`; the ways a download fails
are in :mod:`app.net.failures`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from twisted.internet import error, protocol
from twisted.internet.defer import CancelledError, Deferred
from twisted.internet.interfaces import IAddress, IConnector, IDelayedCall, ITCPTransport
from twisted.python.failure import Failure

from app.i18n import _
from app.internals import forget_ended_transport, read_size, set_read_size
from app.net.failures import (
    ConnectionLostError,
    EmptyPoemError,
    IdleTimeoutError,
    PoemTooLargeError,
)
from app.net.poem import DEFAULT_ENCODING, Poem, check_encoding

DEFAULT_TIMEOUT = 30.0
DEFAULT_IDLE_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 16 * 2**20
#: What a single read takes from the socket at first (Twisted's own 64 KiB)...
FIRST_READ_SIZE = 2**16
#: ...and the most it grows to, for a poem that comes faster than it is read.
MAX_READ_SIZE = 2**20

ProgressCallback = Callable[[int], object]


class PoetryProtocol(protocol.Protocol):
    """Collects every byte of one poem until the connection ends.

    Bytes are kept as the list of chunks received: O(total) with no copy
    (unlike the tutorial's ``bytes +=``), and they are joined only when the
    poem's text is first needed.
    When this side decides to end the download (idle timeout, size limit,
    cancel) it records why in ``verdict`` and aborts the connection; the
    factory reads the verdict when the connection is gone.

    A chunk only notes the time it came (moving a timer on every chunk, as
    Twisted's ``TimeoutMixin`` does, cost a method call and a reactor clock
    read per chunk, thousands of times a second with thousands of
    downloads). The idle timeout is a timer that, when due, looks at that
    time and, if bytes came meanwhile, waits again for what is left of
    ``idle_timeout`` since the last of them. A connection gets that timer
    only once its deadline is near (:class:`_IdleWatch`).
    """

    factory: PoetryClientFactory
    transport: ITCPTransport | None

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.received = 0
        self.verdict: BaseException | None = None
        #: ``time.monotonic()`` when the last byte (or the connection) came.
        self.last_byte = 0.0
        self._idle_check: IDelayedCall | None = None

    def connectionMade(self) -> None:
        self.last_byte = time.monotonic()
        if not _IDLE_WATCH.watch(self):
            self._check_idle_in(self.factory.idle_timeout)
        self.factory.connection_made()

    def dataReceived(self, data: bytes) -> None:
        if self.verdict is not None:
            return
        self.last_byte = time.monotonic()
        self.chunks.append(data)
        self.received += len(data)
        # A read that filled the transport's buffer means the poem comes faster
        # than we take it: read bigger pieces (64 KiB up to 1 MiB), so a fast
        # download costs fewer reads and loop passes. A slow one never grows,
        # and never asks: its reads are smaller than the first read size.
        if len(data) >= FIRST_READ_SIZE:
            size = read_size(self.transport)
            if size is not None and len(data) == size < MAX_READ_SIZE:
                set_read_size(self.transport, min(size * 4, MAX_READ_SIZE))
        factory = self.factory
        if self.received > factory.max_bytes:
            self.give_up(PoemTooLargeError(factory.max_bytes))
        elif (progress := factory.progress) is not None:
            progress(self.received)

    def _check_idle_in(self, seconds: float) -> None:
        from twisted.internet import reactor

        self._idle_check = reactor.callLater(seconds, self._idle_check_due)

    def near_idle_deadline(self, now: float, horizon: float) -> None:
        """The idle watch's sweep: if the deadline comes before ``horizon``, set the timer."""
        deadline = self.last_byte + self.factory.idle_timeout
        if deadline <= horizon and self._idle_check is None:
            self._check_idle_in(max(deadline - now, 0.0))

    def _idle_check_due(self) -> None:
        self._idle_check = None
        idle = self.factory.idle_timeout
        left = idle - (time.monotonic() - self.last_byte)
        if left > 0:
            self._check_idle_in(left)
        else:
            self.give_up(IdleTimeoutError(idle, self.received))

    def _stop_idle_check(self) -> None:
        _IDLE_WATCH.forget(self)
        check, self._idle_check = self._idle_check, None
        if check is not None and check.active():
            check.cancel()

    def give_up(self, verdict: BaseException) -> None:
        """Abort the connection now, dropping anything buffered, and remember why."""
        if self.verdict is None:
            self.verdict = verdict
        self._stop_idle_check()
        assert self.transport is not None  # every caller runs on a made connection
        self.transport.abortConnection()

    def connectionLost(self, reason: Failure = protocol.connectionDone) -> None:
        self._stop_idle_check()
        self.factory.poem_ended(self, reason)


#: How often :class:`_IdleWatch` looks for connections near their idle deadline.
IDLE_SWEEP_SECONDS = 1.0


class _IdleWatch:
    """Every open connection's idle timeout, with one timer for them all until one is near.

    A timer of its own for each connection (Twisted's ``DelayedCall``, its
    place in the reactor's heap, the objects the garbage collector walks,
    a cancel when the poem ends) cost about 5 µs a download, and almost none
    of them fired: a poem mostly ends long before its idle timeout. So the
    connections are kept in a set, and every :data:`IDLE_SWEEP_SECONDS` one
    sweep gives its own timer to each whose deadline (its last byte plus
    its idle timeout) comes before the next sweep. That timer is the exact
    one :class:`PoetryProtocol` always had: a timeout fires when it did. A
    connection whose idle timeout is no longer than a sweep gets its timer
    at once. With nothing to watch, the sweep stops.
    """

    def __init__(self) -> None:
        self._watched: set[PoetryProtocol] = set()
        self._sweep: IDelayedCall | None = None

    def watch(self, proto: PoetryProtocol) -> bool:
        """Watch ``proto``; ``False`` if its timeout is too short, and it must set its timer."""
        if proto.factory.idle_timeout <= IDLE_SWEEP_SECONDS:
            return False
        self._watched.add(proto)
        if self._sweep is None:
            from twisted.internet import reactor

            self._sweep = reactor.callLater(IDLE_SWEEP_SECONDS, self._sweep_now)
        return True

    def forget(self, proto: PoetryProtocol) -> None:
        watched = self._watched
        watched.discard(proto)
        if not watched and (sweep := self._sweep) is not None:
            self._sweep = None
            if sweep.active():
                sweep.cancel()

    def _sweep_now(self) -> None:
        from twisted.internet import reactor

        self._sweep = None
        now = time.monotonic()
        horizon = now + IDLE_SWEEP_SECONDS
        for proto in self._watched:
            proto.near_idle_deadline(now, horizon)
        if self._watched:
            self._sweep = reactor.callLater(IDLE_SWEEP_SECONDS, self._sweep_now)


_IDLE_WATCH = _IdleWatch()


if TYPE_CHECKING:
    _ClientFactory = protocol.ClientFactory[PoetryProtocol]
else:
    # Twisted's factories take the protocol type as a parameter from 26.4 on;
    # the older ones this program also runs on cannot be subscripted.
    _ClientFactory = protocol.ClientFactory


class PoetryClientFactory(_ClientFactory):
    """One download: builds the protocol and fires ``deferred`` exactly once.

    The Deferred is taken off the factory before it fires, so a late event
    (a connection failure after a cancel, say) cannot fire it twice.
    Cancelling it stops the connection attempt or aborts the connection.
    """

    # One factory per download: Twisted's "Starting factory" lines would drown the log.
    noisy = False

    protocol = PoetryProtocol

    def __init__(
        self,
        *,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        encoding: str = DEFAULT_ENCODING,
        progress: ProgressCallback | None = None,
        connected: Callable[[], object] | None = None,
    ) -> None:
        self.idle_timeout = idle_timeout
        self.max_bytes = max_bytes
        self.encoding = encoding
        #: Called with the running byte total after each chunk (``None`` once it ended).
        self.progress = progress
        self._connected = connected
        self.started = time.monotonic()
        self.connector: IConnector | None = None
        self.poem_protocol: PoetryProtocol | None = None
        self.deferred: Deferred[Poem] | None = Deferred(self._cancel)

    def buildProtocol(self, addr: IAddress | None) -> PoetryProtocol | None:
        self.poem_protocol = super().buildProtocol(addr)
        return self.poem_protocol

    def connection_made(self) -> None:
        if self._connected is not None:
            self._connected()

    def poem_ended(self, proto: PoetryProtocol, reason: Failure) -> None:
        """The connection is closed: decide between a poem and a failure."""
        size = proto.received
        if proto.verdict is not None:
            self._fire(Failure(proto.verdict))
        elif not reason.check(error.ConnectionDone):
            self._fire(Failure(ConnectionLostError(size, reason)))
        elif size == 0:
            self._fire(Failure(EmptyPoemError()))
        else:
            # The chunks themselves go to the poem: no copy of a big poem is made.
            chunks, proto.chunks = proto.chunks, []
            self._fire(Poem(chunks, time.monotonic() - self.started, self.encoding))

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        self._fire(reason)

    def clientConnectionLost(self, connector: IConnector, reason: Failure) -> None:
        # The download has ended (poem_ended came first): let its objects go
        # by reference counting, not wait for a full garbage collection.
        forget_ended_transport(connector)

    def _fire(self, result: Poem | Failure) -> None:
        d, self.deferred = self.deferred, None
        self.progress = self._connected = None
        # Each pointed back at this factory: two reference cycles per download.
        self.poem_protocol = self.connector = None
        if d is None:
            return
        if isinstance(result, Poem):
            d.callback(result)
        else:
            d.errback(result)

    def _cancel(self, d: Deferred[Poem]) -> None:
        # Deferred.cancel() errbacks with CancelledError once we return; we
        # only make sure nothing of the download is left running.
        self.deferred = None
        self.progress = self._connected = None
        proto = self.poem_protocol
        if proto is not None and proto.transport is not None:
            proto.give_up(CancelledError())
        elif self.connector is not None:
            self.connector.stopConnecting()


def get_poetry(
    host: str,
    port: int,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    encoding: str = DEFAULT_ENCODING,
    progress: ProgressCallback | None = None,
    connected: Callable[[], object] | None = None,
) -> Deferred[Poem]:
    """Download one poem from ``host:port``; the Deferred fires once with a :class:`Poem`.

    ``timeout`` bounds name lookup plus connecting; ``idle_timeout`` bounds
    the silence between bytes; ``max_bytes`` bounds the poem. ``progress``
    gets the running byte total as bytes arrive; ``connected`` is called once
    the TCP connection is up. Bad arguments (an unknown encoding, a port out
    of range) raise ``ValueError`` before anything connects.
    """
    from twisted.internet import reactor

    encoding = check_encoding(encoding)
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(_("port {port} is outside 1-65535").format(port=repr(port)))
    for name, value in (("timeout", timeout), ("idle_timeout", idle_timeout)):
        if not value > 0:
            raise ValueError(
                _("{name} must be a positive number of seconds, not {value}").format(
                    name=name, value=repr(value)
                )
            )
    if not max_bytes > 0:
        raise ValueError(
            _("{name} must be positive, not {value}").format(
                name="max_bytes", value=repr(max_bytes)
            )
        )
    factory = PoetryClientFactory(
        idle_timeout=idle_timeout,
        max_bytes=max_bytes,
        encoding=encoding,
        progress=progress,
        connected=connected,
    )
    deferred = factory.deferred
    assert deferred is not None
    factory.connector = reactor.connectTCP(host, port, factory, timeout=timeout)
    return deferred
