"""The slow poetry server: many clients at once, each at its own pace, never hoarding memory.

Every test talks to a real ``PoetryServerFactory`` listening on 127.0.0.1
through real sockets and the test's reactor: either with ``get_poetry`` (the
project's own client) or with a bare Twisted protocol when the test needs to
see the raw chunks, stop reading, or hang up early.
"""

from __future__ import annotations

import itertools
import time

import pytest
import pytest_twisted
from twisted.internet import error, protocol
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred, DeferredList
from twisted.internet.task import Clock
from twisted.internet.testing import MemoryReactor, StringTransport

from app.net.client import get_poetry
from app.net.failures import EmptyPoemError
from app.net.server import (
    FULL_SPEED_BLOCK,
    LISTEN_BACKLOG,
    PoetryServerFactory,
    PoetryServerProtocol,
    listen_poetry,
)
from tests.conftest import pending_calls, wait_until
from tests.hostile import LOCALHOST

POEM = b"Tyger Tyger, burning bright,\nIn the forests of the night;\n"


def pause(seconds: float) -> Deferred[None]:
    """Let the reactor run for ``seconds`` without blocking it."""
    from twisted.internet import reactor, task

    return task.deferLater(reactor, seconds, lambda: None)


class WatchedFactory(PoetryServerFactory):
    """The real server factory, keeping each connection's protocol for inspection."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.built: list[PoetryServerProtocol] = []

    def buildProtocol(self, addr: object) -> PoetryServerProtocol:
        proto = super().buildProtocol(addr)
        self.built.append(proto)
        return proto


def listen(servers, factory: PoetryServerFactory) -> int:
    """Listen on a free port of 127.0.0.1; the ``servers`` fixture closes it."""
    from twisted.internet import reactor

    port = reactor.listenTCP(0, factory, interface=LOCALHOST)
    servers.ports.append(port)
    return port.getHost().port


class RawClient(protocol.Protocol):
    """A bare client: records every chunk as it arrives and how the connection ended."""

    def __init__(self, read: bool = True, hang_up: str | None = None) -> None:
        self.read = read
        self.hang_up = hang_up  # "lose" or "abort" after the first chunk
        self.chunks: list[bytes] = []
        self.times: list[float] = []
        self.connected_at = 0.0
        self.reason: object = None
        self.ended: Deferred[object] = Deferred()

    def connectionMade(self) -> None:
        self.connected_at = time.monotonic()
        if not self.read:
            self.transport.pauseProducing()  # stop reading from the socket

    def dataReceived(self, data: bytes) -> None:
        self.chunks.append(data)
        self.times.append(time.monotonic())
        if self.hang_up == "lose":
            self.transport.loseConnection()
        elif self.hang_up == "abort":
            self.transport.abortConnection()

    def connectionLost(self, reason: object = None) -> None:
        self.reason = reason
        self.ended.callback(reason.value)

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


async def connect(port: int, client: RawClient) -> RawClient:
    from twisted.internet import reactor
    from twisted.internet.endpoints import TCP4ClientEndpoint, connectProtocol

    await connectProtocol(TCP4ClientEndpoint(reactor, LOCALHOST, port), client)
    return client


def buffered(proto: PoetryServerProtocol) -> int:
    """Bytes the server's transport holds in user space, not yet handed to the kernel."""
    transport = proto.transport
    return len(transport.dataBuffer) - transport.offset + transport._tempDataLen


@pytest.mark.parametrize("delay", [0.0, 0.01])
@pytest_twisted.ensureDeferred
async def test_many_clients_at_once_each_get_the_whole_poem(servers, delay: float) -> None:
    poem = POEM * 4
    port, factory = servers.poetry(poem, delay=delay, num_bytes=37)

    results = await DeferredList(
        [get_poetry(LOCALHOST, port, timeout=5, idle_timeout=5) for _ in range(25)],
        consumeErrors=True,
    )

    failures = [result for ok, result in results if not ok]
    assert not failures, failures
    assert [poem_.text for _, poem_ in results] == [poem.decode()] * 25
    assert {poem_.size for _, poem_ in results} == {len(poem)}
    assert factory.connections == 25
    await wait_until(lambda: factory.clients == 0, "every server connection to close")


@pytest_twisted.ensureDeferred
async def test_a_paced_server_serves_two_clients_in_the_time_of_one(servers) -> None:
    delay, num_bytes, writes = 0.05, 20, 10
    poem = b"x" * (num_bytes * writes)
    one_poem_time = delay * writes  # 0.5 s for each client, if nobody waits for anybody
    port, _ = servers.poetry(poem, delay=delay, num_bytes=num_bytes)

    started = time.monotonic()
    first, second = await DeferredList(
        [get_poetry(LOCALHOST, port), get_poetry(LOCALHOST, port)], fireOnOneErrback=True
    )
    elapsed = time.monotonic() - started

    print(f"two paced clients: {elapsed:.3f} s; one alone would take {one_poem_time:.3f} s")
    assert first[1].size == second[1].size == len(poem)
    assert elapsed >= one_poem_time * 0.9, "the server did not pace its writes"
    # A blocking server (the tutorial's) would take twice as long.
    assert elapsed < one_poem_time * 1.5


@pytest_twisted.ensureDeferred
async def test_delay_zero_sends_eight_mebibytes_at_full_speed_byte_for_byte(servers) -> None:
    poem = bytes(range(256)) * (8 * 2**20 // 256)
    port, _ = servers.poetry(poem, delay=0, num_bytes=10)

    started = time.monotonic()
    result = await get_poetry(LOCALHOST, port, encoding="latin-1", max_bytes=len(poem))
    elapsed = time.monotonic() - started

    print(f"8 MiB at delay 0: {elapsed:.3f} s")
    assert result.size == len(poem)
    assert result.text.encode("latin-1") == poem
    # 10 bytes per write would be 838,861 writes; full speed means big blocks.
    assert elapsed < 2.0


async def stop_reading(
    servers, factory: WatchedFactory
) -> tuple[RawClient, PoetryServerProtocol, int]:
    """Connect a client that never reads; once the socket has filled, return
    the client, the server's side, and how far the server had got. The
    server is given 0.3 s more, so a test can check it wrote nothing since."""
    client = await connect(listen(servers, factory), RawClient(read=False))
    await wait_until(lambda: factory.built, "the server to accept")
    server_side = factory.built[0]
    # A fixed wait: no event says the socket is full for good, as the kernel
    # still takes bursts of bytes for some tens of milliseconds after the
    # server's first stall.
    await pause(0.5)
    handed_over = server_side.offset
    await pause(0.3)  # a negative check: time for a write that must not come
    return client, server_side, handed_over


@pytest_twisted.ensureDeferred
async def test_full_speed_server_waits_for_a_client_that_stops_reading(servers) -> None:
    poem = bytes(range(256)) * (32 * 2**20 // 256)  # 32 MiB
    factory = WatchedFactory(poem, delay=0)
    client, server_side, handed_over = await stop_reading(servers, factory)

    print(
        f"not reading: server handed {handed_over} of {len(poem)} bytes to its transport, "
        f"{buffered(server_side)} still buffered in user space"
    )
    # Only what the kernel's socket buffers hold has left the server, and
    # nothing more is produced while the client does not read.
    assert server_side.offset == handed_over
    assert handed_over < len(poem) // 2
    assert buffered(server_side) <= 2 * FULL_SPEED_BLOCK

    client.transport.resumeProducing()
    assert isinstance(await client.ended, error.ConnectionDone)
    assert client.data == poem


@pytest_twisted.ensureDeferred
async def test_paced_server_stops_its_timer_while_the_client_is_backed_up(servers) -> None:
    num_bytes = 2**20
    poem = b"p" * (32 * num_bytes)  # 32 writes of 1 MiB, 10 ms apart
    factory = WatchedFactory(poem, delay=0.01, num_bytes=num_bytes)
    client, server_side, handed_over = await stop_reading(servers, factory)

    print(
        f"paced, not reading: {handed_over} of {len(poem)} bytes written, "
        f"{buffered(server_side)} buffered in user space"
    )
    assert server_side.offset == handed_over, "the server kept writing to a full socket"
    assert handed_over < len(poem) // 2
    assert buffered(server_side) <= num_bytes + 2 * FULL_SPEED_BLOCK

    client.transport.resumeProducing()
    assert isinstance(await client.ended, error.ConnectionDone)
    assert client.data == poem


@pytest.mark.parametrize("hang_up", ["lose", "abort"])
@pytest.mark.parametrize("delay", [0.02, 0.0])
@pytest_twisted.ensureDeferred
async def test_a_client_that_hangs_up_early_leaves_no_timer_behind(
    servers, no_leftover_timers, delay: float, hang_up: str
) -> None:
    poem = POEM * 5000 if delay == 0 else POEM  # full speed: more than one block
    port, factory = servers.poetry(poem, delay=delay, num_bytes=8)
    before = pending_calls()

    client = await connect(port, RawClient(hang_up=hang_up))
    await client.ended
    await wait_until(lambda: factory.clients == 0, "the server to see the client leave")

    assert 0 < len(client.data) < len(poem)
    assert factory.connections == 1
    assert pending_calls() - before == set()
    # The server carries on serving the next client.
    result = await get_poetry(LOCALHOST, port)
    assert result.size == len(poem)


@pytest.mark.parametrize("delay", [0.0, 0.01])
@pytest_twisted.ensureDeferred
async def test_an_empty_poem_file_is_an_empty_poem_for_the_client(servers, delay: float) -> None:
    port, factory = servers.poetry(b"", delay=delay)

    with pytest.raises(EmptyPoemError, match="empty poem"):
        await get_poetry(LOCALHOST, port, idle_timeout=5)

    await wait_until(lambda: factory.clients == 0, "the server to close")


@pytest_twisted.ensureDeferred
async def test_a_paced_server_writes_exactly_num_bytes_at_a_time(servers) -> None:
    delay, num_bytes = 0.03, 10
    poem = bytes(range(65, 65 + 26)) * 4  # 104 bytes: ten writes of 10, then 4
    port, _ = servers.poetry(poem, delay=delay, num_bytes=num_bytes)

    client = await connect(port, RawClient())
    assert isinstance(await client.ended, error.ConnectionDone)

    assert client.data == poem
    assert [len(chunk) for chunk in client.chunks] == [10] * 10 + [4]
    # The first write comes one delay after connecting, then one per delay.
    arrivals = [client.connected_at, *client.times]
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    print("gaps between chunks:", ", ".join(f"{gap * 1000:.0f} ms" for gap in gaps))
    assert min(gaps) > delay * 0.5
    total = client.times[-1] - client.connected_at
    assert delay * 11 * 0.9 <= total < delay * 11 + 1.0


def test_the_factory_refuses_a_negative_delay_or_no_bytes_per_write() -> None:
    with pytest.raises(ValueError, match="delay"):
        PoetryServerFactory(b"poem", delay=-0.1)
    with pytest.raises(ValueError, match="num_bytes"):
        PoetryServerFactory(b"poem", delay=0.1, num_bytes=0)


# Changing the pace while serving (a learner slows one demo server down)


def gaps_between(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def written_from(client: RawClient, offset: int) -> tuple[list[int], list[float]]:
    """Sizes and arrival times of the chunks the client received from byte ``offset`` on."""
    starts = list(itertools.accumulate((len(c) for c in client.chunks), initial=0))
    assert offset in starts, f"no chunk starts at byte {offset}: {starts}"
    first = starts.index(offset)
    return [len(c) for c in client.chunks[first:]], client.times[first:]


@pytest_twisted.ensureDeferred
async def test_a_crawling_download_speeds_up_at_once_after_set_pace(
    servers, no_leftover_timers
) -> None:
    old_delay, new_delay = 0.5, 0.02
    poem = b"s" * 210  # one write of 10 at the old pace, then eight of 25 at the new
    factory = WatchedFactory(poem, delay=old_delay, num_bytes=10)
    client = await connect(listen(servers, factory), RawClient())
    await wait_until(lambda: client.chunks, "the first chunk")

    factory.set_pace(new_delay, 25)
    switched_at = time.monotonic()
    assert isinstance(await client.ended, error.ConnectionDone)
    rest = client.times[-1] - switched_at

    gaps = gaps_between(client.times)
    old_rest = (len(poem) - 10) // 10 * old_delay  # 20 more writes of 10 bytes: 10 s
    print(
        f"sped up from {old_delay} s to {new_delay} s: the rest took {rest:.3f} s "
        f"(at the old pace {old_rest:.0f} s); gaps "
        + ", ".join(f"{gap * 1000:.0f} ms" for gap in gaps)
    )
    assert client.data == poem
    assert [len(chunk) for chunk in client.chunks] == [10] + [25] * 8
    # The write already waiting for the old delay was moved up, not waited out.
    assert gaps[0] < old_delay / 2
    assert 7 * new_delay * 0.9 <= rest < 1.0


@pytest_twisted.ensureDeferred
async def test_a_download_in_progress_slows_down_after_set_pace(
    servers, no_leftover_timers
) -> None:
    new_delay, new_bytes = 0.1, 20
    poem = b"w" * 300  # 30 writes of 10 bytes at 10 ms: 0.3 s, if left alone
    factory = WatchedFactory(poem, delay=0.01, num_bytes=10)
    client = await connect(listen(servers, factory), RawClient())
    await wait_until(lambda: len(client.chunks) >= 3, "a few fast chunks")

    server_side = factory.built[0]
    factory.set_pace(new_delay, new_bytes)
    switched_at, offset = time.monotonic(), server_side.offset
    assert isinstance(await client.ended, error.ConnectionDone)

    sizes, times = written_from(client, offset)
    writes = -(-(len(poem) - offset) // new_bytes)
    rest = times[-1] - switched_at
    print(
        f"slowed down at byte {offset}: {writes} writes of {new_bytes} took {rest:.3f} s; gaps "
        + ", ".join(f"{gap * 1000:.0f} ms" for gap in gaps_between(times))
    )
    assert client.data == poem
    assert sizes[:-1] == [new_bytes] * (writes - 1)
    assert min(gaps_between(times)) > new_delay * 0.8
    assert rest >= writes * new_delay * 0.9


@pytest_twisted.ensureDeferred
async def test_a_paced_download_set_to_delay_zero_finishes_at_full_speed(
    servers, no_leftover_timers
) -> None:
    poem = bytes(range(256)) * 4096  # 1 MiB: 29 hours at 10 bytes every 0.5 s
    factory = WatchedFactory(poem, delay=0.5, num_bytes=10)
    client = await connect(listen(servers, factory), RawClient())
    await wait_until(lambda: client.chunks, "the first chunk")

    factory.set_pace(0, 10)
    switched_at = time.monotonic()
    assert isinstance(await client.ended, error.ConnectionDone)
    rest = client.times[-1] - switched_at

    print(f"paced to full speed: the last {len(poem) - 10} bytes took {rest:.3f} s")
    assert client.data == poem
    assert not factory.built[0].paced, "still on its timer"
    assert max(len(chunk) for chunk in client.chunks) > 10
    assert rest < 1.0


@pytest_twisted.ensureDeferred
async def test_a_full_speed_download_slowed_down_is_paced_from_its_next_block(
    servers, no_leftover_timers
) -> None:
    new_delay, new_bytes = 0.05, 2**20
    poem = bytes(range(256)) * (32 * 2**20 // 256)  # 32 MiB: about 0.1 s at full speed
    factory = WatchedFactory(poem, delay=0)
    client, server_side, handed_over = await stop_reading(servers, factory)
    assert not server_side.paced

    factory.set_pace(new_delay, new_bytes)
    resumed_at = time.monotonic()
    client.transport.resumeProducing()
    assert isinstance(await client.ended, error.ConnectionDone)
    rest = client.times[-1] - resumed_at

    writes = -(-(len(poem) - handed_over) // new_bytes)
    print(
        f"full speed slowed down after {handed_over} bytes: "
        f"{writes} writes of 1 MiB took {rest:.3f} s"
    )
    assert client.data == poem
    assert server_side.paced
    assert rest >= (writes - 1) * new_delay * 0.9


@pytest.mark.parametrize(
    ("delay", "num_bytes"),
    [(-0.1, 10), (float("nan"), 10), (float("inf"), 10), ("1", 10), (0.1, 0), (0.1, 2.5)],
)
def test_set_pace_refuses_bad_values_and_keeps_the_old_pace(
    delay: object, num_bytes: object
) -> None:
    factory = PoetryServerFactory(b"poem", delay=0.3, num_bytes=7)
    with pytest.raises(ValueError, match="delay" if num_bytes == 10 else "num_bytes"):
        factory.set_pace(delay, num_bytes)
    with pytest.raises(ValueError):
        PoetryServerFactory(b"poem", delay=delay, num_bytes=num_bytes)
    assert (factory.delay, factory.num_bytes) == (0.3, 7)


# The server's pace on a task.Clock, and the reactor it listens on


def test_a_paced_connection_writes_by_its_factorys_clock():
    clock = Clock()
    factory = PoetryServerFactory(b"abcdefghij", delay=0.5, num_bytes=4, clock=clock)
    server_side = factory.buildProtocol(IPv4Address("TCP", LOCALHOST, 10000))
    transport = StringTransport()
    server_side.makeConnection(transport)

    written = []
    for _ in range(3):
        assert not transport.disconnecting
        written.append(transport.value())
        clock.advance(0.5)

    assert written == [b"", b"abcd", b"abcdefgh"]
    assert transport.value() == b"abcdefghij"
    assert transport.disconnecting, "the poem was written but the connection stays open"
    assert clock.getDelayedCalls() == []


def test_listen_poetry_listens_on_the_reactor_it_is_given():
    reactor = MemoryReactor()
    factory = PoetryServerFactory(b"poem")

    listen_poetry(factory, 10000, LOCALHOST, reactor=reactor)

    assert reactor.tcpServers == [(10000, factory, LISTEN_BACKLOG, LOCALHOST)]
