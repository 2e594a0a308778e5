"""The client's timeouts on a ``task.Clock``: tested exactly, and without waiting for them.

A download is timed by the clock its factory was given; :func:`get_poetry`
gives it its reactor's. Here that clock is a ``task.Clock`` the test moves
by hand, so a 30 s timeout takes no time and is seen to fire at its very
moment, not merely "about then".

Two kinds of test. The protocol and its factory alone, fed bytes through a
fake transport (:class:`FakeDownload`), which is not a network test and needs
no server. And real connections to servers on 127.0.0.1, made by the real
reactor, whose timers run on the Clock (:class:`ClockedReactor`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
import pytest_twisted
from twisted.internet import error, tcp
from twisted.internet.address import IPv4Address
from twisted.internet.defer import CancelledError
from twisted.internet.interfaces import IConnector, IReactorTCP, IReactorTime
from twisted.internet.protocol import ClientFactory
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from zope.interface import implementer

from app.net.client import IDLE_SWEEP_SECONDS, PoetryClientFactory, PoetryProtocol, get_poetry
from app.net.failures import IdleTimeoutError, describe_failure
from app.net.poem import Poem
from tests import hostile
from tests.conftest import failure_of, open_fds, reactor_turn, wait_until

#: An idle timeout with a timer of its own from the start (no longer than a
#: sweep of the idle watch), and one the watch's sweep gives a timer when
#: its deadline is near.
IDLE_TIMEOUTS = [IDLE_SWEEP_SECONDS / 2, 30.0]
#: How far the clock moves at a time: a power of two, so every moment a test
#: names (a quarter of a timeout, say) is reached exactly.
STEP = 1 / 64


def run(clock: Clock, seconds: float) -> None:
    """Move ``clock`` on by ``seconds``, a small step at a time, running each timer when due."""
    clock.pump([STEP] * round(seconds / STEP))


class _AbortableTransport(StringTransport):
    """A fake transport that ends its connection the way a real one does after
    an abort: on the next turn of the clock, not inside the call."""

    def __init__(self, clock: Clock, proto: PoetryProtocol) -> None:
        super().__init__()
        self.clock = clock
        self.proto = proto
        self.aborted = False

    def abortConnection(self) -> None:
        super().abortConnection()
        self.aborted = True
        self.clock.callLater(0, self.proto.connectionLost, Failure(error.ConnectionAborted()))


class FakeDownload:
    """One download with no network: the test plays the server, ``clock`` is its time.

    ``results`` holds what the download's Deferred fired with, and
    ``ended_at`` the clock's time when it fired.
    """

    def __init__(self, clock: Clock, **limits: float) -> None:
        self.clock = clock
        self.factory = PoetryClientFactory(clock=clock, **limits)
        assert self.factory.deferred is not None
        self.deferred = self.factory.deferred
        self.results: list[Poem | Failure] = []
        self.ended_at: float | None = None
        self.deferred.addBoth(self._ended)
        proto = self.factory.buildProtocol(IPv4Address("TCP", hostile.LOCALHOST, 10000))
        assert proto is not None
        self.protocol = proto
        self.transport = _AbortableTransport(clock, proto)
        proto.makeConnection(self.transport)

    def _ended(self, result: Poem | Failure) -> None:
        self.results.append(result)
        self.ended_at = self.clock.seconds()

    def send(self, data: bytes) -> None:
        self.protocol.dataReceived(data)

    def close(self) -> None:
        """The server closes the connection cleanly: the poem is complete."""
        self.protocol.connectionLost(Failure(error.ConnectionDone()))

    def failure(self) -> Failure:
        [result] = self.results
        assert isinstance(result, Failure), result
        return result


def run_until_ended(downloads: Iterable[FakeDownload], clock: Clock, limit: float) -> None:
    downloads = list(downloads)
    start = clock.seconds()
    while not all(d.results for d in downloads):
        assert clock.seconds() - start < limit, "a download outlived every timeout it had"
        clock.advance(STEP)


@pytest.mark.parametrize("idle", IDLE_TIMEOUTS)
def test_silence_for_the_idle_timeout_fails_the_download_at_that_moment(idle):
    clock = Clock()
    download = FakeDownload(clock, idle_timeout=idle)
    run(clock, idle / 4)
    download.send(b"And then")

    run_until_ended([download], clock, limit=2 * idle)

    failure = download.failure()
    assert failure.check(IdleTimeoutError)
    assert (failure.value.seconds, failure.value.received) == (idle, len(b"And then"))
    assert describe_failure(failure) == f"no data for {idle:g} s"
    assert download.ended_at == idle / 4 + idle
    assert clock.getDelayedCalls() == []


@pytest.mark.parametrize("idle", IDLE_TIMEOUTS)
def test_each_chunk_moves_the_idle_deadline(idle):
    clock = Clock()
    download = FakeDownload(clock, idle_timeout=idle)
    # Bytes for six idle timeouts' time, never more than three quarters of one apart.
    for _ in range(8):
        run(clock, idle * 3 / 4)
        assert download.results == [], "timed out while bytes were coming"
        download.send(b".")
    last_byte = clock.seconds()

    run_until_ended([download], clock, limit=2 * idle)

    assert download.failure().check(IdleTimeoutError)
    assert download.failure().value.received == 8
    assert download.ended_at == last_byte + idle
    assert clock.getDelayedCalls() == []


@pytest.mark.parametrize("idle", IDLE_TIMEOUTS)
def test_once_the_poem_is_whole_nothing_is_left_on_the_clock(idle):
    clock = Clock()
    download = FakeDownload(clock, idle_timeout=idle)
    assert clock.getDelayedCalls(), "nothing watches the download's silence"
    run(clock, idle / 2)
    download.send("床前明月光\n".encode())
    run(clock, idle / 4)

    download.close()

    [poem] = download.results
    assert isinstance(poem, Poem), poem
    assert (poem.text, poem.elapsed) == ("床前明月光\n", idle * 3 / 4)
    assert clock.getDelayedCalls() == []


@pytest.mark.parametrize("idle", IDLE_TIMEOUTS)
def test_a_cancel_leaves_nothing_on_the_clock(idle):
    clock = Clock()
    download = FakeDownload(clock, idle_timeout=idle)
    download.send(b"Half a")

    download.deferred.cancel()
    clock.advance(0)  # the aborted connection ends

    assert download.failure().check(CancelledError)
    assert download.transport.aborted
    assert clock.getDelayedCalls() == []


def test_one_sweep_on_each_clock_watches_all_its_downloads():
    clock, other = Clock(), Clock()
    idle_timeouts = [2.5, 30.0, 45.0]
    downloads = [FakeDownload(clock, idle_timeout=idle) for idle in idle_timeouts]
    elsewhere = FakeDownload(other, idle_timeout=30.0)

    # One timer for the three downloads of ``clock``: the watch's sweep.
    assert len(clock.getDelayedCalls()) == 1
    assert len(other.getDelayedCalls()) == 1

    run_until_ended(downloads, clock, limit=60)

    assert [d.ended_at for d in downloads] == idle_timeouts
    assert all(d.failure().check(IdleTimeoutError) for d in downloads)
    assert clock.getDelayedCalls() == []
    assert elsewhere.results == [], "another clock's time timed it out"
    run_until_ended([elsewhere], other, limit=60)
    assert elsewhere.ended_at == 30.0
    assert other.getDelayedCalls() == []


# Real connections, timed by a Clock


@implementer(IReactorTCP, IReactorTime)
class ClockedReactor:
    """The running reactor for sockets, ``clock`` for time.

    Twisted's TCP connector and transport ask the reactor they were made with
    both for timers (the connect timeout; the start of a connection attempt
    and the end of an aborted connection, each on the next turn) and for
    watching their socket. Here timers go to the Clock and all the rest to
    the real reactor, so a real connection's timeouts wait for the test.
    """

    def __init__(self, clock: Clock) -> None:
        from twisted.internet import reactor

        self._reactor = reactor
        self.callLater = clock.callLater
        self.seconds = clock.seconds
        self.getDelayedCalls = clock.getDelayedCalls

    def connectTCP(
        self,
        host: str,
        port: int,
        factory: ClientFactory,
        timeout: float = 30.0,
        bindAddress: tuple[str, int] | None = None,
    ) -> IConnector:
        connector = tcp.Connector(host, port, factory, timeout, bindAddress, self)
        connector.connect()
        return connector

    def __getattr__(self, name: str) -> object:
        return getattr(self._reactor, name)


@pytest_twisted.ensureDeferred
async def test_a_real_connection_falls_silent_and_times_out_by_its_reactors_clock(
    servers, no_leftover_timers
):
    port = servers.hostile(hostile.Stall, prefix=b"And then")
    clock = Clock()
    fds = open_fds()
    seen: list[int] = []
    reactor = ClockedReactor(clock)
    d = get_poetry(hostile.LOCALHOST, port, idle_timeout=30, progress=seen.append, reactor=reactor)
    clock.advance(0)  # the connection attempt starts
    await wait_until(lambda: seen, "the server's first bytes")

    run(clock, 30 - STEP)
    await reactor_turn()
    assert not d.called, "timed out before its idle timeout"
    clock.advance(STEP)
    assert d.called, "no time out at the idle timeout"

    failure = await failure_of(d)
    assert failure.check(IdleTimeoutError)
    assert failure.value.received == len(b"And then")
    assert clock.getDelayedCalls() == []
    await reactor_turn()
    assert open_fds() == fds


@pytest_twisted.ensureDeferred
async def test_a_connection_that_never_completes_times_out_by_its_reactors_clock(
    servers, no_leftover_timers
):
    port = servers.full_backlog()
    clock = Clock()
    fds = open_fds()
    d = get_poetry(hostile.LOCALHOST, port, timeout=30, reactor=ClockedReactor(clock))
    clock.advance(0)  # the connection attempt starts; the server never answers it
    await reactor_turn()

    clock.advance(30 - STEP)
    await reactor_turn()
    assert not d.called, "gave up connecting before its timeout"
    clock.advance(STEP)
    assert d.called, "still connecting after the timeout"

    failure = await failure_of(d)
    assert failure.check(error.TimeoutError)
    assert describe_failure(failure) == "timed out"
    assert clock.getDelayedCalls() == []
    await reactor_turn()
    assert open_fds() == fds
