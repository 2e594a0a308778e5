"""The poetry client: connect, read until the server hangs up, hand back a Poem.

The protocol is the Twisted Introduction's: the server sends a poem and
closes the connection. Only a *clean* close ends a poem; every other ending
is a failure, so a half-received poem is never mistaken for a whole one.

The work is shared as in the tutorial. :class:`PoetryProtocol` turns the
bytes of one connection into events: a chunk came, too many came, none came
for too long, the connection ended. :class:`PoetryClientFactory` makes of
those events the download's one result, a :class:`~app.net.poem.Poem` or a
failure (:mod:`app.net.failures`), and hands it back through one Deferred.
:func:`get_poetry` starts a download on the reactor it is given and returns
that Deferred.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from twisted.internet import error, protocol
from twisted.internet.defer import CancelledError, Deferred
from twisted.internet.interfaces import (
    IAddress,
    IConnector,
    IDelayedCall,
    IReactorTCP,
    IReactorTime,
    ITCPTransport,
)
from twisted.python.failure import Failure

from app.i18n import _
from app.internals import forget_ended_transport, read_size, set_read_size
from app.net import turns
from app.net.deadline import give_up_after
from app.net.failures import (
    ConnectionLostError,
    EmptyPoemError,
    IdleTimeoutError,
    PoemTooLargeError,
)
from app.net.global_reactor import or_global
from app.net.poem import DEFAULT_ENCODING, Poem, check_encoding

DEFAULT_TIMEOUT = 30.0
DEFAULT_IDLE_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 16 * 2**20
#: What a single read takes from the socket at first (Twisted's own 64 KiB)...
FIRST_READ_SIZE = 2**16
#: ...and the most it grows to, for a poem that comes faster than it is read.
MAX_READ_SIZE = 2**20
#: How often an idle watch looks for connections near their idle deadline.
IDLE_SWEEP_SECONDS = 1.0

ProgressCallback = Callable[[int], object]
#: Told the Twisted method that ended the connection and the reason it was given.
ClosedCallback = Callable[[str, Failure], object]


class PoetryProtocol(protocol.Protocol):
    """Turns the bytes of one connection into the events of one download.

    The limits, the progress callback and the clock are the factory's, read
    from it. Bytes are kept as the list of chunks received, never copied
    (unlike the tutorial's ``bytes +=``); the poem joins them when its text
    is first needed. When this side ends the download (silence, too many
    bytes, a cancel) it records why in ``verdict`` and aborts the
    connection; the factory reads the verdict once the connection is gone.

    A chunk only notes the time it came, so that a busy connection never
    moves a timer. The idle timer, when due, looks at that time, and if
    bytes came meanwhile waits again for what is left of the idle timeout.
    """

    factory: PoetryClientFactory
    transport: ITCPTransport | None

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.received = 0
        self.verdict: BaseException | None = None
        #: The clock's time when the last byte (or the connection) came.
        self.last_byte = 0.0
        self._idle_timer: IDelayedCall | None = None
        self._watch: _IdleWatch | None = None

    def connectionMade(self) -> None:
        if (record := turns.recording) is not None:
            record.ran("connectionMade")
        factory = self.factory
        self.last_byte = factory.clock.seconds()
        if factory.idle_timeout <= IDLE_SWEEP_SECONDS:
            self.check_idle_in(factory.idle_timeout)
        else:
            self._watch = _IdleWatch.on(factory.clock)
            self._watch.watch(self)
        factory.connection_made()

    def dataReceived(self, data: bytes) -> None:
        if (record := turns.recording) is not None:
            record.ran("dataReceived", len(data))
        if self.verdict is not None:
            return
        factory = self.factory
        self.last_byte = factory.clock.seconds()
        self.chunks.append(data)
        self.received += len(data)
        if len(data) >= FIRST_READ_SIZE:
            self._read_bigger_if_full(len(data))
        if self.received > factory.max_bytes:
            self.give_up(PoemTooLargeError(factory.max_bytes))
        elif (progress := factory.progress) is not None:
            progress(self.received)

    def _read_bigger_if_full(self, read: int) -> None:
        """A read that took all it could means the poem comes faster than it
        is read: bigger reads then take it in fewer turns of the loop. A slow
        poem's reads are smaller than the first read size, and never grow."""
        size = read_size(self.transport)
        if size is not None and read == size < MAX_READ_SIZE:
            set_read_size(self.transport, min(size * 4, MAX_READ_SIZE))

    def idle_deadline(self) -> float:
        """When, on the factory's clock, the download fails unless a byte comes first."""
        return self.last_byte + self.factory.idle_timeout

    def check_idle_in(self, seconds: float) -> None:
        """Look at the idle deadline in ``seconds``, unless a look is already set."""
        if self._idle_timer is None:
            self._idle_timer = self.factory.clock.callLater(seconds, self._idle_timer_due)

    def _idle_timer_due(self) -> None:
        self._idle_timer = None
        deadline, now = self.idle_deadline(), self.factory.clock.seconds()
        if now < deadline:
            self.check_idle_in(deadline - now)
        else:
            self.give_up(IdleTimeoutError(self.factory.idle_timeout, self.received))

    def _stop_idle_timer(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.forget(self)
        timer, self._idle_timer = self._idle_timer, None
        if timer is not None and timer.active():
            timer.cancel()

    def give_up(self, verdict: BaseException) -> None:
        """Abort the connection now, dropping anything buffered, and remember why."""
        if self.verdict is None:
            self.verdict = verdict
        self._stop_idle_timer()
        assert self.transport is not None  # every caller runs on a made connection
        self.transport.abortConnection()

    def connectionLost(self, reason: Failure = protocol.connectionDone) -> None:
        if (record := turns.recording) is not None:
            record.ran("connectionLost", type(reason.value).__name__)
        self._stop_idle_timer()
        self.factory.poem_ended(self, reason)


class _IdleWatch:
    """The connections one clock times, each given its idle timer only when its deadline is near.

    A poem mostly ends long before its idle timeout, so a timer for every
    connection would mostly be set and cancelled, never fire. Instead the
    watch keeps its connections in a set and every :data:`IDLE_SWEEP_SECONDS`
    gives a timer to each whose deadline comes before the next sweep: the
    timeout fires when a timer of its own from the start would have fired.
    There is one watch for each clock that has connections to watch; when
    the last one is forgotten, the sweep stops and the watch is dropped.
    """

    @classmethod
    def on(cls, clock: IReactorTime) -> _IdleWatch:
        """The watch on ``clock``, made if it has none."""
        watch = _WATCHES.get(clock)
        if watch is None:
            watch = _WATCHES[clock] = cls(clock)
        return watch

    def __init__(self, clock: IReactorTime) -> None:
        self.clock = clock
        self._watched: set[PoetryProtocol] = set()
        self._sweep: IDelayedCall | None = None

    def watch(self, proto: PoetryProtocol) -> None:
        self._watched.add(proto)
        if self._sweep is None:
            self._sweep = self.clock.callLater(IDLE_SWEEP_SECONDS, self._sweep_now)

    def forget(self, proto: PoetryProtocol) -> None:
        watched = self._watched
        watched.discard(proto)
        if not watched:
            if _WATCHES.get(self.clock) is self:
                del _WATCHES[self.clock]
            sweep, self._sweep = self._sweep, None
            if sweep is not None and sweep.active():
                sweep.cancel()

    def _sweep_now(self) -> None:
        now = self.clock.seconds()
        horizon = now + IDLE_SWEEP_SECONDS
        # Setting a timer changes nothing in the set: no connection ends here.
        for proto in self._watched:
            deadline = proto.idle_deadline()
            if deadline <= horizon:
                proto.check_idle_in(max(deadline - now, 0.0))
        self._sweep = self.clock.callLater(IDLE_SWEEP_SECONDS, self._sweep_now)


#: The idle watch of each clock that has connections to watch.
_WATCHES: dict[IReactorTime, _IdleWatch] = {}


if TYPE_CHECKING:
    _ClientFactory = protocol.ClientFactory[PoetryProtocol]
else:
    # Twisted's factories take the protocol type as a parameter from 26.4 on;
    # the older ones this program also runs on cannot be subscripted.
    _ClientFactory = protocol.ClientFactory


class PoetryClientFactory(_ClientFactory):
    """One download: builds its protocol and makes of its events the one result.

    The result goes out through ``deferred``, which is taken off the factory
    before it fires, so a late event (a connection failure after a cancel,
    say) cannot fire it twice. Cancelling it stops the connection attempt or
    aborts the connection. ``clock`` (the global reactor if ``None``) times
    the download: its idle timeout, and the poem's ``elapsed``.
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
        closed: ClosedCallback | None = None,
        clock: IReactorTime | None = None,
    ) -> None:
        clock = or_global(clock)
        self.clock: IReactorTime = clock
        self.idle_timeout = idle_timeout
        self.max_bytes = max_bytes
        self.encoding = encoding
        #: Called with the running byte total after each chunk (``None`` once it ended).
        self.progress = progress
        self._connected = connected
        self._closed = closed
        self.started = clock.seconds()
        self.connector: IConnector | None = None
        self.poem_protocol: PoetryProtocol | None = None
        self.deferred: Deferred[Poem] | None = Deferred(self._cancel)

    def buildProtocol(self, addr: IAddress | None) -> PoetryProtocol | None:
        self.poem_protocol = super().buildProtocol(addr)
        return self.poem_protocol

    def received(self) -> int:
        """The bytes received so far (0 before the connection is made)."""
        return 0 if self.poem_protocol is None else self.poem_protocol.received

    def connection_made(self) -> None:
        if self._connected is not None:
            self._connected()

    def poem_ended(self, proto: PoetryProtocol, reason: Failure) -> None:
        """The connection is closed: decide between a poem and a failure."""
        self._tell_closed("connectionLost", reason)
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
            self._fire(Poem(chunks, self.clock.seconds() - self.started, self.encoding))

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        self._tell_closed("clientConnectionFailed", reason)
        if (record := turns.recording) is not None:
            record.ran("clientConnectionFailed", type(reason.value).__name__)
        self._fire(reason)

    def _tell_closed(self, method: str, reason: Failure) -> None:
        if self._closed is not None:
            self._closed(method, reason)

    def clientConnectionLost(self, connector: IConnector, reason: Failure) -> None:
        # The download has ended (poem_ended came first): let its objects go
        # by reference counting, not wait for a full garbage collection.
        forget_ended_transport(connector)

    def _fire(self, result: Poem | Failure) -> None:
        d, self.deferred = self.deferred, None
        self.progress = self._connected = self._closed = None
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
        self.progress = self._connected = self._closed = None
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
    closed: ClosedCallback | None = None,
    reactor: IReactorTCP | None = None,
    max_time: float | None = None,
) -> Deferred[Poem]:
    """Download one poem from ``host:port``; the Deferred fires once with a :class:`Poem`.

    ``timeout`` bounds name lookup plus connecting; ``idle_timeout`` bounds
    the silence between bytes; ``max_bytes`` bounds the poem; ``max_time``
    (``None``: no bound) the whole download (:mod:`app.net.deadline`). ``progress``
    gets the running byte total as bytes arrive; ``connected`` is called once
    the TCP connection is up; ``closed`` is told, just before the result
    is decided, which Twisted method ended it (``connectionLost`` or
    ``clientConnectionFailed``) and with what reason. ``reactor`` connects, and its clock times the
    download; ``None`` is Twisted's global reactor. Bad arguments (an unknown
    encoding, a port out of range) raise ``ValueError`` before anything connects.
    """
    reactor = or_global(reactor)
    encoding = check_encoding(encoding)
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(_("port {port} is outside 1-65535").format(port=repr(port)))
    limits = [("timeout", timeout), ("idle_timeout", idle_timeout)]
    if max_time is not None:
        limits.append(("max_time", max_time))
    for name, value in limits:
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
        closed=closed,
        clock=IReactorTime(reactor),
    )
    deferred = factory.deferred
    assert deferred is not None
    factory.connector = reactor.connectTCP(host, port, factory, timeout=timeout)
    if max_time is not None:
        give_up_after(deferred, max_time, factory.clock, factory.received)
    return deferred
