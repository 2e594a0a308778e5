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

Either way the connection is closed cleanly after the last byte: that close
is what tells the client the poem is complete.
"""

from __future__ import annotations

from twisted.internet import protocol
from twisted.internet.interfaces import IDelayedCall, IListeningPort
from twisted.python.failure import Failure

DEFAULT_DELAY = 0.7
DEFAULT_NUM_BYTES = 10
FULL_SPEED_BLOCK = 64 * 1024
#: Connections the kernel may hold waiting for accept(). Twisted's default
#: of 50 makes Linux drop most of a burst of 2,000 clients *after* they saw
#: their connection complete; a poetry client sends nothing, so it cannot
#: tell, and waits for its idle timeout. (Linux caps this at somaxconn.)
LISTEN_BACKLOG = 4096


class PoetryServerProtocol(protocol.Protocol):
    """Sends the factory's poem to one client, then closes the connection."""

    factory: PoetryServerFactory

    def __init__(self) -> None:
        self.offset = 0
        self._timer: IDelayedCall | None = None
        self._paused = False

    def connectionMade(self) -> None:
        self.factory.clients += 1
        self.factory.connections += 1
        paced = self.factory.delay > 0
        self.transport.registerProducer(self, streaming=paced)
        if paced:
            self._schedule()
        # A pull producer is asked for its first block by registerProducer.

    # IPushProducer (paced) and IPullProducer (full speed)

    def resumeProducing(self) -> None:
        if self.factory.delay > 0:
            self._paused = False
            self._schedule()
        else:
            self._write_block(max(self.factory.num_bytes, FULL_SPEED_BLOCK))

    def pauseProducing(self) -> None:
        self._paused = True
        self._stop_timer()

    def stopProducing(self) -> None:
        self._stop_timer()

    def connectionLost(self, reason: Failure = protocol.connectionDone) -> None:
        self.factory.clients -= 1
        self._stop_timer()

    def _schedule(self) -> None:
        if self._timer is None and not self._paused:
            clock = self.factory.clock
            self._timer = clock.callLater(self.factory.delay, self._tick)

    def _tick(self) -> None:
        self._timer = None
        self._write_block(self.factory.num_bytes)
        self._schedule()

    def _write_block(self, size: int) -> None:
        poem = self.factory.poem
        if self.offset < len(poem):
            self.transport.write(poem[self.offset : self.offset + size])
            self.offset += size
        if self.offset >= len(poem):
            self._stop_timer()
            self._paused = True
            self.transport.unregisterProducer()
            self.transport.loseConnection()

    def _stop_timer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None and timer.active():
            timer.cancel()


class PoetryServerFactory(protocol.ServerFactory):
    """Serves one poem (bytes) to any number of clients at once.

    ``delay`` seconds between writes of ``num_bytes`` each; ``delay=0`` sends
    at full speed with back-pressure. ``clients`` is the number connected
    now and ``connections`` the number ever accepted.
    """

    # The program logs what matters itself; Twisted's "starting on" lines are noise.
    noisy = False

    protocol = PoetryServerProtocol

    def __init__(
        self,
        poem: bytes,
        delay: float = DEFAULT_DELAY,
        num_bytes: int = DEFAULT_NUM_BYTES,
        clock: object | None = None,
    ) -> None:
        if delay < 0:
            raise ValueError(f"delay must be 0 or more seconds, not {delay!r}")
        if num_bytes < 1:
            raise ValueError(f"num_bytes must be at least 1, not {num_bytes!r}")
        if clock is None:
            from twisted.internet import reactor as clock
        self.poem = bytes(poem)
        self.delay = delay
        self.num_bytes = num_bytes
        self.clock = clock
        self.clients = 0
        self.connections = 0


def listen_poetry(
    factory: PoetryServerFactory, port: int = 0, interface: str = "127.0.0.1"
) -> IListeningPort:
    """Listen for poetry clients with an accept queue long enough for a crowd."""
    from twisted.internet import reactor

    return reactor.listenTCP(port, factory, backlog=LISTEN_BACKLOG, interface=interface)
