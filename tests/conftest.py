"""Fixtures shared by the core, command-line and window tests: real servers on 127.0.0.1.

Nothing here imports ``twisted.internet.reactor`` at module level: this file
is loaded before pytest-twisted installs qt5reactor, and an early import
would install the default reactor instead.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator

import pytest
import pytest_twisted
from twisted.internet.defer import Deferred, DeferredList
from twisted.internet.interfaces import IListeningPort
from twisted.internet.task import deferLater

from app.demo import DemoServers
from app.server import PoetryServerFactory, listen_poetry
from tests import hostile


class Servers:
    """Starts servers on free ports of 127.0.0.1 and stops them all when the test ends."""

    def __init__(self) -> None:
        self.ports: list[IListeningPort] = []
        self.closers: list[Callable[[], None]] = []

    def poetry(
        self, poem: bytes, delay: float = 0.0, num_bytes: int = 10
    ) -> tuple[int, PoetryServerFactory]:
        """The project's own server; returns (port, factory)."""

        factory = PoetryServerFactory(poem, delay, num_bytes)
        port = listen_poetry(factory, 0, hostile.LOCALHOST)
        return self._keep(port), factory

    def hostile(self, behaviour: type, **options: object) -> int:
        return self._keep(hostile.serve(behaviour, **options))

    def bytes(self, payload: bytes, chunk: int | None = None, gap: float = 0.0) -> int:
        return self._keep(hostile.serve_bytes(payload, chunk, gap))

    def refused(self) -> int:
        """A port with nothing listening: connections to it are refused.

        The socket stays bound (not listening) until the test ends, so no
        server started later in the test can take the port.
        """
        holder = socket.socket()
        holder.bind((hostile.LOCALHOST, 0))
        self.closers.append(holder.close)
        return holder.getsockname()[1]

    def full_backlog(self) -> int:
        backlog = hostile.FullBacklog()
        self.closers.append(backlog.close)
        return backlog.port

    def _keep(self, port: IListeningPort) -> int:
        # Test servers are reachable from this machine only, never from the network.
        assert port.getHost().host == hostile.LOCALHOST, port.getHost()
        self.ports.append(port)
        return port.getHost().port

    def close(self) -> None:
        for close in self.closers:
            close()
        stopping = [port.stopListening() for port in self.ports]
        pytest_twisted.blockon(DeferredList([d for d in stopping if d is not None]))


@pytest.fixture
def servers() -> Iterator[Servers]:
    s = Servers()
    yield s
    s.close()


@pytest.fixture
def demo() -> Iterator[DemoServers]:
    """The embedded demo servers, started (one per bundled poem) and stopped after the test."""
    servers = DemoServers()
    servers.start()
    yield servers
    pytest_twisted.blockon(servers.stop())


def open_fds() -> int:
    """How many file descriptors this process has open now."""
    return len(os.listdir("/proc/self/fd"))


def reactor_turn() -> Deferred[None]:
    """Let the reactor run once, so sockets closed "at once" are really closed."""
    from twisted.internet import reactor

    return deferLater(reactor, 0.01, lambda: None)


def pending_calls() -> set[object]:
    """The reactor's timers that are still waiting to run."""
    from twisted.internet import reactor

    return {call for call in reactor.getDelayedCalls() if call.active()}


@pytest.fixture
def no_leftover_timers() -> Iterator[None]:
    """Fails the test if it leaves a timer of its own in the reactor."""
    before = pending_calls()
    yield
    left = pending_calls() - before
    assert not left, f"timers left behind: {left}"
