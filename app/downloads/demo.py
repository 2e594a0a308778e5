"""Embedded demo servers: a few poetry servers inside the window's own process.

A first start has no servers to talk to, so the window starts these on
127.0.0.1 (free ports), one per bundled poem, each at its own pace, so a new
user sees bars move within a second. One of them hangs up mid-poem on
purpose, to show what a failure looks like. Each server's pace can be changed
while it serves (:meth:`DemoServers.set_pace`), so a learner can slow one
down and watch only its download stretch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred, DeferredList
from twisted.internet.interfaces import IListeningPort

from app.net.address import Address
from app.net.server import PoetryServerFactory, PoetryServerProtocol, listen_poetry
from app.resources import bundled_poems

LOCALHOST = "127.0.0.1"

# (seconds between writes, bytes per write): from a brisk pace to a crawl.
PACES = ((0.02, 64), (0.05, 24), (0.1, 40), (0.15, 12), (0.25, 16), (0.05, 8))
FAILING_PACE = (0.1, 16)


@dataclass(frozen=True)
class DemoServer:
    """One running demo server; its pace is live (see :meth:`DemoServers.set_pace`)."""

    address: Address
    poem_name: str
    poem_size: int
    fails: bool
    bytes_sent: int  # what one download receives: the whole poem, or up to the break
    factory: PoetryServerFactory = field(repr=False, compare=False)

    @property
    def pace(self) -> tuple[float, int]:
        """(seconds between writes, bytes per write), as the server writes now."""
        return self.factory.delay, self.factory.num_bytes


class _BreakingProtocol(PoetryServerProtocol):
    """Sends the poem at the factory's pace (changeable, like any server's), but
    aborts the connection once ``break_after`` bytes have gone out."""

    factory: BreakingServerFactory

    def _write_block(self, size: int) -> None:
        # The cut comes at the write after the last bytes, when the transport
        # has handed them on: an abort throws away whatever it still holds.
        if self.offset >= self.factory.break_after:
            self._finish(self.transport.abortConnection)
            return
        end = min(self.offset + size, self.factory.break_after)
        self.transport.write(self.factory.poem[self.offset : end])
        self.offset = end


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
            sent = max(len(poem) * 2 // 3, 1) if fails else len(poem)
            if fails:
                factory: PoetryServerFactory = BreakingServerFactory(
                    poem, delay, num_bytes, break_after=sent
                )
            else:
                factory = PoetryServerFactory(poem, delay, num_bytes)
            port = listen_poetry(factory, 0, LOCALHOST)
            self._ports.append(port)
            host = port.getHost()
            assert isinstance(host, IPv4Address)  # listening on LOCALHOST
            address = Address(LOCALHOST, host.port)
            self.servers.append(DemoServer(address, path.stem, len(poem), fails, sent, factory))
        return self.servers

    def set_pace(self, address: Address, delay: float, num_bytes: int) -> None:
        """Pace the demo server at ``address``: downloads in progress follow at their next write.

        Raises ``LookupError`` if no running demo server has that address, and
        ``ValueError`` for a pace :meth:`PoetryServerFactory.set_pace` refuses.
        """
        for server in self.servers:
            if server.address == address:
                server.factory.set_pace(delay, num_bytes)
                return
        raise LookupError(f"no demo server is running on {address}")  # untranslated: not shown

    def stop(self) -> Deferred[list[tuple[bool, None]]]:
        """Stop listening; the Deferred fires once every port is closed.

        Clients still connected are the downloads' to cancel.
        """
        ports, self._ports = self._ports, []
        stopping = [port.stopListening() for port in ports]
        self.servers = []
        return DeferredList([d for d in stopping if d is not None])
