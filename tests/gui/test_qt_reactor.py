"""The tests run on the program's own reactor: one epoll fd for Qt, a bounded batch per loop pass.

Real sockets on 127.0.0.1 and socket pairs, the real reactor, Qt's own loop.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator

import pytest
import pytest_twisted
import qt5reactor
from PyQt5.QtCore import Qt, QTimer
from twisted.internet import error
from twisted.internet.defer import gatherResults

from app.gui.reactor.qt_reactor import BATCH, PoetryQtReactor
from app.net.client import get_poetry
from app.net.poem import Poem
from tests.conftest import SocketReader, reactor_turn, wait_until

BURST = 500
POEM = "".join(f"line {n} of a poem that arrives all at once\n" for n in range(40)).encode()


def test_the_tests_run_on_the_programs_reactor():
    from twisted.internet import reactor

    assert isinstance(reactor, PoetryQtReactor)
    assert isinstance(reactor, qt5reactor.QtReactor)
    assert reactor.uses_epoll


@pytest.fixture
def batches() -> Iterator[list[int]]:
    """The size of each batch the reactor handles while the test runs."""
    from twisted.internet import reactor

    reactor.batch_sizes = sizes = []
    yield sizes
    reactor.batch_sizes = None


@pytest.fixture
def socket_pairs() -> Iterator[list[tuple[socket.socket, socket.socket]]]:
    """Connected pairs of sockets, ``pairs.append``ed by the test; all closed after it."""
    pairs: list[tuple[socket.socket, socket.socket]] = []
    yield pairs
    for ours, theirs in pairs:
        ours.close()
        theirs.close()


def stop_watching(*readers: SocketReader) -> None:
    """The test's end: its descriptors are no longer watched, however it went."""
    from twisted.internet import reactor

    for reader in readers:
        reactor.removeReader(reader)
        reactor.removeWriter(reader)


def watch_two_ready_at_once(
    socket_pairs: list[tuple[socket.socket, socket.socket]],
    readers: list[SocketReader],
    on_read: Callable[[SocketReader], object],
) -> None:
    """Watch two new sockets (appended to ``readers``) and make both readable before the loop
    runs again, so that one batch holds both."""
    from twisted.internet import reactor

    for _ in range(2):
        socket_pairs.append(socket.socketpair())
        readers.append(SocketReader(socket_pairs[-1][0], on_read))
        reactor.addReader(readers[-1])
    for _, theirs in socket_pairs[-2:]:
        theirs.send(b"both ready in one batch")


def socket_pair_on(number: int) -> tuple[socket.socket, socket.socket]:
    """A connected pair whose first socket has the fd ``number``, free a moment ago."""
    fresh, peer = socket.socketpair()
    if fresh.fileno() != number:
        os.dup2(fresh.fileno(), number)
        fresh.close()
        fresh = socket.socket(fileno=number)
    return fresh, peer


# The bound


@pytest_twisted.ensureDeferred
async def test_a_burst_of_ready_sockets_is_handled_a_bounded_batch_per_loop_pass(batches):
    """BURST servers write their whole poem and close at the same instant: the reactor
    takes at most BATCH of the ready sockets per Qt loop pass, a zero-time heartbeat
    (due at every pass) still fires between the batches, and every poem arrives whole."""
    from twisted.internet import reactor

    listener = socket.create_server(("127.0.0.1", 0), backlog=BURST)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []
    connected = 0

    def one_more() -> None:
        nonlocal connected
        connected += 1

    downloads = [get_poetry("127.0.0.1", port, connected=one_more) for _ in range(BURST)]

    def accept_all() -> bool:
        while True:
            try:
                accepted.append(listener.accept()[0])
            except BlockingIOError:
                return len(accepted) == BURST and connected == BURST

    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.PreciseTimer)
    heartbeat.setInterval(0)
    ticks: list[int] = []  # how many batches had been handled at each tick
    heartbeat.timeout.connect(lambda: ticks.append(len(batches)))
    iterations = 0
    run_until_current = reactor.runUntilCurrent

    def counting() -> None:
        nonlocal iterations
        iterations += 1
        run_until_current()

    try:
        await wait_until(accept_all, "every download connected", timeout=30)
        before = len(batches)
        reactor.runUntilCurrent = counting
        heartbeat.start()
        # The burst: every server's socket at once, before the loop runs again.
        for server in accepted:
            server.sendall(POEM)
            server.close()
        poems: list[Poem] = await gatherResults(downloads)
    finally:
        del reactor.runUntilCurrent
        heartbeat.stop()
        listener.close()
        for server in accepted:
            server.close()

    assert [poem.text.encode() for poem in poems] == [POEM] * BURST
    burst = batches[before:]
    assert max(burst) <= BATCH, burst
    assert sum(burst) >= BURST and burst.count(BATCH) >= BURST // BATCH // 2, burst
    # A tick between every two batches of the burst: Qt's timers had their turn each time.
    assert set(range(before + 1, len(batches))) <= set(ticks), (before, burst, ticks)
    # One reactor iteration per batch, not one per read.
    assert iterations <= len(burst) + 2, (iterations, burst)


# What every reactor must still do


@pytest_twisted.ensureDeferred
async def test_a_big_poem_by_host_name_is_looked_up_connected_written_and_read_whole(servers):
    """A name lookup (a thread waking the reactor), a listening port (a reader), a
    connect (a writer), a server whose writes fill the socket (a writer again)."""
    poem = b"All the world's a stage.\n" * 200_000  # 5 MB: more than the socket buffers
    port, _ = servers.poetry(poem, delay=0.0, num_bytes=1 << 20)

    got = await get_poetry("localhost", port)

    assert got.text.encode() == poem


@pytest_twisted.ensureDeferred
async def test_a_cancelled_download_stops_watching_its_socket(servers):
    from twisted.internet import reactor

    port, _ = servers.poetry(b"x", delay=60.0, num_bytes=1)
    watching = len(reactor.getReaders())
    download = get_poetry("127.0.0.1", port)
    await wait_until(lambda: len(reactor.getReaders()) > watching + 1, "the connection")

    download.cancel()

    await wait_until(lambda: len(reactor.getReaders()) == watching + 1, "the client's socket gone")
    assert download.called


# Descriptors that change during a batch


@pytest_twisted.ensureDeferred
async def test_a_descriptor_removed_earlier_in_the_same_batch_is_not_read(batches, socket_pairs):
    from twisted.internet import reactor

    readers: list[SocketReader] = []
    batch_of_the_read: list[int] = []

    def remove_the_other(me: SocketReader) -> None:
        batch_of_the_read.append(batches[-1])
        for other in readers:
            if other is not me:
                reactor.removeReader(other)

    watch_two_ready_at_once(socket_pairs, readers, remove_the_other)
    try:
        await wait_until(lambda: any(r.received for r in readers), "a read")
        await reactor_turn()
    finally:
        stop_watching(*readers)

    assert sorted(r.reads for r in readers) == [0, 1]
    assert batch_of_the_read[0] >= 2  # both were in it


@pytest_twisted.ensureDeferred
async def test_an_event_never_reaches_the_descriptor_that_took_a_closed_ones_number(
    batches, socket_pairs
):
    """The first of two ready descriptors closes the other and puts a silent one on its
    fd number: the other's event, already in the batch, is not the newcomer's."""
    from twisted.internet import reactor

    readers: list[SocketReader] = []
    newcomers: list[SocketReader] = []

    def replace_the_other(me: SocketReader) -> None:
        if newcomers:
            return
        other = next(r for r in readers if r is not me)
        number = other.fileno()
        reactor.removeReader(other)
        other.socket.close()
        socket_pairs.append(socket_pair_on(number))
        newcomers.append(SocketReader(socket_pairs[-1][0]))
        reactor.addReader(newcomers[0])
        assert newcomers[0].fileno() == number

    watch_two_ready_at_once(socket_pairs, readers, replace_the_other)
    try:
        await wait_until(lambda: newcomers, "the first read")
        await reactor_turn()
        assert newcomers[0].reads == 0, "the closed descriptor's event went to the newcomer"
        socket_pairs[-1][1].send(b"now it is ready")
        await wait_until(lambda: newcomers[0].received, "the newcomer's own read")
    finally:
        stop_watching(*readers, *newcomers)


@pytest_twisted.ensureDeferred
async def test_a_descriptor_closed_while_watched_loses_its_connection_when_its_number_is_taken(
    socket_pairs,
):
    from twisted.internet import reactor

    socket_pairs.append(socket.socketpair())
    closed = SocketReader(socket_pairs[-1][0])
    reactor.addReader(closed)
    number = closed.fileno()
    closed.socket.close()  # without removeReader first: a bug, but one the reactor survives
    socket_pairs.append(socket_pair_on(number))
    peer = socket_pairs[-1][1]
    newcomer = SocketReader(socket_pairs[-1][0])
    try:
        reactor.addReader(newcomer)
        await wait_until(lambda: closed.lost, "the closed one told")
        peer.send(b"for the newcomer")
        await wait_until(lambda: newcomer.received, "the newcomer's read")
    finally:
        stop_watching(closed, newcomer)

    assert closed.lost is not None and closed.lost.check(error.ConnectionFdescWentAway)
    assert closed not in reactor.getReaders()


@pytest_twisted.ensureDeferred
async def test_a_descriptor_without_a_file_descriptor_loses_its_connection(socket_pairs):
    from twisted.internet import reactor

    socket_pairs.append(socket.socketpair())
    gone = SocketReader(socket_pairs[-1][0])
    gone.socket.close()
    assert gone.fileno() == -1

    reactor.addReader(gone)
    assert gone in reactor.getReaders()
    await wait_until(lambda: gone.lost, "the connection lost")

    assert gone.lost is not None and gone.lost.check(error.ConnectionFdescWentAway)
    assert gone not in reactor.getReaders()


@pytest_twisted.ensureDeferred
async def test_an_error_in_do_read_is_logged_and_ends_that_connection_only(socket_pairs):
    from twisted.internet import reactor

    def buggy(_: SocketReader) -> None:
        raise RuntimeError("simulated bug in doRead")

    socket_pairs.append(socket.socketpair())
    socket_pairs.append(socket.socketpair())
    broken = SocketReader(socket_pairs[0][0], buggy)
    healthy = SocketReader(socket_pairs[1][0])
    reactor.addReader(broken)
    reactor.addReader(healthy)
    try:
        for _, theirs in socket_pairs:
            theirs.send(b"x")
        await wait_until(lambda: broken.lost and healthy.received, "both handled")
    finally:
        stop_watching(broken, healthy)

    assert broken.lost is not None and broken.lost.check(RuntimeError)
    assert healthy.lost is None


@pytest_twisted.ensureDeferred
async def test_a_writer_is_written_until_it_stops_writing(socket_pairs):
    from twisted.internet import reactor

    def stop_after_three(me: SocketReader) -> None:
        if me.writes == 3:
            reactor.removeWriter(me)

    socket_pairs.append(socket.socketpair())
    writer = SocketReader(socket_pairs[0][0], on_write=stop_after_three)
    reactor.addWriter(writer)
    await wait_until(lambda: writer not in reactor.getWriters(), "three writes")
    await reactor_turn()
    assert writer.writes == 3
