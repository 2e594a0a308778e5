"""A slow poetry server that never blocks: every client gets the poem at its own pace.

The tutorial's slow server sleeps between writes, so one slow client holds up
all the others. Here each connection is a producer driven by the reactor:

* with ``delay > 0`` it writes ``num_bytes`` every ``delay`` seconds from a
  timer, and stops the timer while the client's socket is backed up
  (a *streaming* producer, paused and resumed by the transport);
* with ``delay == 0`` it writes as fast as the client reads: the transport
  asks for the next block only when its buffer has drained (a *pull*
  producer), so a huge poem to a slow reader is never copied into memory
  once per client.

The pace can change while the server serves (:meth:`PoetryServerFactory.set_pace`),
and connections in progress follow it at their next write.

Either way the connection is closed cleanly after the last byte: that close
is what tells the client the poem is complete.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from twisted.internet import protocol
from twisted.internet.interfaces import (
    IConsumer,
    IDelayedCall,
    IListeningPort,
    IPullProducer,
    IPushProducer,
    IReactorTCP,
    IReactorTime,
    ITCPTransport,
)
from twisted.python.failure import Failure
from zope.interface import implementer

from app.net.global_reactor import or_global

DEFAULT_DELAY = 0.7
DEFAULT_NUM_BYTES = 10
FULL_SPEED_BLOCK = 64 * 1024
#: Connections the kernel may hold waiting for accept(). Twisted's default
#: of 50 makes Linux drop most of a burst of 2,000 clients *after* they saw
#: their connection complete; a poetry client sends nothing, so it cannot
#: tell, and waits for its idle timeout. (Linux caps this at somaxconn.)
LISTEN_BACKLOG = 4096


def check_pace(delay: float, num_bytes: int) -> None:
    """Refuse with ``ValueError`` a pace no server can keep: ``delay`` must be
    a finite number of seconds, 0 or more; ``num_bytes`` a whole number, 1 or more."""
    if not isinstance(delay, int | float) or not 0 <= delay < math.inf:
        # A caller's mistake, never a person's: the command line and the window check first.
        raise ValueError(
            f"delay must be 0 or more seconds, not {delay!r}"  # untranslated: a caller's bug
        )
    if not isinstance(num_bytes, int) or num_bytes < 1:
        raise ValueError(
            # untranslated: a caller's bug
            f"num_bytes must be a whole number of at least 1, not {num_bytes!r}"
        )


class IServingTransport(ITCPTransport, IConsumer):
    """A server's side of a TCP connection, which takes a producer: what
    ``listenTCP`` gives each protocol it builds."""


@implementer(IPushProducer, IPullProducer)
class PoetryServerProtocol(protocol.Protocol):
    """Sends the factory's poem to one client, then closes the connection.

    ``paced`` says which kind of producer the connection is right now: a
    timer-driven streaming producer (``delay > 0``) or a full-speed pull
    producer (``delay == 0``). It follows the factory's pace at the next
    write, re-registering with the transport as the other kind if needed.
    """

    factory: PoetryServerFactory
    # Set before connectionMade, and everything here runs after it.
    transport: IServingTransport

    def __init__(self) -> None:
        self.offset = 0
        self.paced = False
        self._timer: IDelayedCall | None = None
        self._waiting_since = 0.0  # when the pending timer was set
        self._paused = False

    def connectionMade(self) -> None:
        self.factory.clients += 1
        self.factory.connections += 1
        self.factory.serving.add(self)
        self._produce(paced=self.factory.delay > 0)

    def _produce(self, paced: bool) -> None:
        self.paced = paced
        self.transport.registerProducer(self, streaming=paced)
        if paced:
            self._paused = False
            self._schedule()
        # A pull producer is asked for its first block by registerProducer.

    def _switch(self, paced: bool) -> None:
        self.transport.unregisterProducer()
        self._produce(paced)

    # IPushProducer (paced) and IPullProducer (full speed)

    def resumeProducing(self) -> None:
        if self.paced:
            self._paused = False
            self._schedule()
        elif self.factory.delay > 0:
            self._switch(paced=True)  # slowed down since the last block
        else:
            self._write_block(max(self.factory.num_bytes, FULL_SPEED_BLOCK))

    def pauseProducing(self) -> None:
        self._paused = True
        self._stop_timer()

    def stopProducing(self) -> None:
        self._stop_timer()

    def connectionLost(self, reason: Failure = protocol.connectionDone) -> None:
        self.factory.clients -= 1
        self.factory.serving.discard(self)
        self._stop_timer()

    def pace_changed(self) -> None:
        """The factory's pace changed: the next write is due one *new* delay
        after the last one (at once if that moment has passed), not when the
        old delay would have ended."""
        if self._timer is None:
            return  # paused, finished, or a pull producer: nothing is waiting
        # A new call rather than DelayedCall.reset(): qt5reactor is not told of
        # a reset, so when the pace changes from a Qt slot (the pace dialog), a
        # write moved sooner would still wait for the old delay's wake-up.
        clock = self.factory.clock
        due = self._waiting_since + self.factory.delay
        self._stop_timer()
        self._timer = clock.callLater(max(0.0, due - clock.seconds()), self._tick)

    def _schedule(self) -> None:
        if self._timer is None and not self._paused:
            clock = self.factory.clock
            self._waiting_since = clock.seconds()
            self._timer = clock.callLater(self.factory.delay, self._tick)

    def _tick(self) -> None:
        self._timer = None
        if self.factory.delay == 0:
            self._switch(paced=False)  # sped up to full speed since the last write
            return
        self._write_block(self.factory.num_bytes)
        self._schedule()

    def _write_block(self, size: int) -> None:
        poem = self.factory.poem
        if self.offset < len(poem):
            self.transport.write(poem[self.offset : self.offset + size])
            self.offset += size
        if self.offset >= len(poem):
            self._finish(self.transport.loseConnection)

    def _finish(self, close: Callable[[], None]) -> None:
        """Produce nothing more, then end the connection with ``close``."""
        self._stop_timer()
        self._paused = True
        self.transport.unregisterProducer()
        close()

    def _stop_timer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None and timer.active():
            timer.cancel()


if TYPE_CHECKING:
    _ServerFactory = protocol.ServerFactory[PoetryServerProtocol]
else:
    # Twisted's factories take the protocol type as a parameter from 26.4 on;
    # the older ones this program also runs on cannot be subscripted.
    _ServerFactory = protocol.ServerFactory


class PoetryServerFactory(_ServerFactory):
    """Serves one poem (bytes) to any number of clients at once.

    ``delay`` seconds between writes of ``num_bytes`` each; ``delay=0`` sends
    at full speed with back-pressure. Change them with :meth:`set_pace`.
    ``clients`` is the number connected now, ``connections`` the number ever
    accepted, and ``serving`` the connections in progress. ``clock`` (the
    global reactor if ``None``) times the writes.

    Raises ``ValueError`` for a negative or non-finite ``delay``, or a
    ``num_bytes`` that is not a whole number of at least 1.
    """

    # The program logs what matters itself; Twisted's "starting on" lines are noise.
    noisy = False

    protocol = PoetryServerProtocol

    def __init__(
        self,
        poem: bytes,
        delay: float = DEFAULT_DELAY,
        num_bytes: int = DEFAULT_NUM_BYTES,
        clock: IReactorTime | None = None,
    ) -> None:
        check_pace(delay, num_bytes)
        clock = or_global(clock)
        self.poem = bytes(poem)
        self.delay = delay
        self.num_bytes = num_bytes
        self.clock: IReactorTime = clock
        self.clients = 0
        self.connections = 0
        self.serving: set[PoetryServerProtocol] = set()

    def set_pace(self, delay: float, num_bytes: int) -> None:
        """Write ``num_bytes`` every ``delay`` seconds from now on, to every client.

        New connections start at this pace. A connection in progress follows
        it from its next write: its next write comes one new ``delay`` after
        its last one (at once, if that is already past), with the new
        ``num_bytes``. It changes kind too: a paced connection sped up to
        ``delay=0`` becomes a full-speed pull producer at its next write, and a
        full-speed one slowed down becomes paced when its transport next asks
        for data (which a client that has stopped reading never does until it
        reads again).

        Raises ``ValueError`` like the constructor, leaving the pace unchanged.
        """
        check_pace(delay, num_bytes)
        self.delay = delay
        self.num_bytes = num_bytes
        for connection in list(self.serving):
            connection.pace_changed()


def listen_poetry(
    factory: PoetryServerFactory,
    port: int = 0,
    interface: str = "127.0.0.1",
    reactor: IReactorTCP | None = None,
) -> IListeningPort:
    """Listen for poetry clients with an accept queue long enough for a crowd.

    ``reactor`` is the one to listen on; ``None`` is Twisted's global reactor.
    """
    reactor = or_global(reactor)
    # listenTCP's annotation takes only ServerFactory's default protocol type,
    # where connectTCP's takes any: a poetry factory is the ServerFactory it wants.
    return reactor.listenTCP(
        port,
        factory,  # type: ignore[arg-type]
        backlog=LISTEN_BACKLOG,
        interface=interface,
    )
