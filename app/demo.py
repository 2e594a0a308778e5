"""Embedded demo servers: a few poetry servers inside the window's own process.

A first start has no servers to talk to, so the window starts these on
127.0.0.1 (free ports), one per bundled poem, each at its own pace, so a new
user sees bars move within a second. One of them hangs up mid-poem on
purpose, to show what a failure looks like.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from twisted.internet import protocol
from twisted.internet.interfaces import IDelayedCall, IListeningPort
from twisted.python.failure import Failure

from app.address import Address
from app.resources import bundled_poems
from app.server import PoetryServerFactory, listen_poetry

LOCALHOST = "127.0.0.1"

# (seconds between writes, bytes per write): from a brisk pace to a crawl.
PACES = ((0.02, 64), (0.05, 24), (0.1, 40), (0.15, 12), (0.25, 16), (0.05, 8))
FAILING_PACE = (0.1, 16)


@dataclass(frozen=True)
class DemoServer:
    address: Address
    poem_name: str
    poem_size: int
    fails: bool


class _BreakingProtocol(protocol.Protocol):
    """Sends the poem at the factory's pace, then aborts the connection partway through."""

    factory: BreakingServerFactory

    def connectionMade(self) -> None:
        self.offset = 0
        self._timer: IDelayedCall | None = None
        self._schedule()

    def _schedule(self) -> None:
        self._timer = self.factory.clock.callLater(self.factory.delay, self._tick)

    def _tick(self) -> None:
        if self.offset >= self.factory.break_after:
            self._timer = None
            self.transport.abortConnection()
            return
        end = min(self.offset + self.factory.num_bytes, self.factory.break_after)
        self.transport.write(self.factory.poem[self.offset : end])
        self.offset = end
        self._schedule()

    def connectionLost(self, reason: Failure = protocol.connectionDone) -> None:
        timer, self._timer = self._timer, None
        if timer is not None and timer.active():
            timer.cancel()


class BreakingServerFactory(PoetryServerFactory):
    """A :class:`PoetryServerFactory` whose connections are cut after ``break_after`` bytes."""

    protocol = _BreakingProtocol

    def __init__(self, poem: bytes, delay: float, num_bytes: int, break_after: int) -> None:
        super().__init__(poem, delay, num_bytes)
        self.break_after = break_after


class DemoServers:
    """Starts the demo servers on demand and stops them for good on :meth:`stop`."""

    def __init__(self) -> None:
        self.servers: list[DemoServer] = []
        self._ports: list[IListeningPort] = []

    def start(self, poems: list[Path] | None = None) -> list[DemoServer]:
        """Listen on free ports of 127.0.0.1; the last poem's server fails partway."""

        if self.servers:
            return self.servers
        paths = bundled_poems() if poems is None else poems
        for number, path in enumerate(paths):
            poem = path.read_bytes()
            fails = number == len(paths) - 1 and len(paths) > 1
            delay, num_bytes = FAILING_PACE if fails else PACES[number % len(PACES)]
            if fails:
                factory: PoetryServerFactory = BreakingServerFactory(
                    poem, delay, num_bytes, break_after=max(len(poem) * 2 // 3, 1)
                )
            else:
                factory = PoetryServerFactory(poem, delay, num_bytes)
            port = listen_poetry(factory, 0, LOCALHOST)
            self._ports.append(port)
            address = Address(LOCALHOST, port.getHost().port)
            self.servers.append(DemoServer(address, path.stem, len(poem), fails))
        return self.servers

    def stop(self) -> None:
        """Stop listening. Clients still connected are the downloads' to cancel."""
        ports, self._ports = self._ports, []
        for port in ports:
            port.stopListening()
        self.servers = []
