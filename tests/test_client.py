"""get_poetry against real servers on 127.0.0.1: poems, every kind of failure, cancellation."""

from __future__ import annotations

from time import monotonic as now

import pytest
import pytest_twisted
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twisted.internet import error
from twisted.internet.defer import CancelledError
from twisted.internet.interfaces import IHostnameResolver
from twisted.python.failure import Failure
from zope.interface import implementer

from app.net.client import IDLE_SWEEP_SECONDS, get_poetry
from app.net.failures import (
    ConnectionLostError,
    EmptyPoemError,
    IdleTimeoutError,
    PoemTooLargeError,
    PoetryError,
    describe_failure,
)
from app.net.poem import Poem, check_encoding, decode_poem
from app.resources import bundled_poems
from app.views.failure_report import traceback_text
from tests import hostile
from tests.conftest import failure_of, open_fds, pending_calls, reactor_turn

JINGYESI = next(p for p in bundled_poems() if p.name == "jingyesi.txt").read_bytes()


@pytest_twisted.ensureDeferred
async def test_a_poem_arrives_whole_with_its_size_and_progress(servers, no_leftover_timers):
    port, factory = servers.poetry(JINGYESI, delay=0.01, num_bytes=7)
    seen: list[int] = []
    connected: list[bool] = []
    fds = open_fds()

    poem = await get_poetry(
        "127.0.0.1", port, progress=seen.append, connected=lambda: connected.append(True)
    )

    assert poem.text == JINGYESI.decode("utf-8")
    assert "床前明月光" in poem.text
    assert (poem.size, poem.encoding, poem.replaced) == (len(JINGYESI), "utf-8", 0)
    assert poem.elapsed > 0
    assert connected == [True]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) > 1
    assert seen[-1] == len(JINGYESI)
    await reactor_turn()
    assert open_fds() == fds
    assert factory.clients == 0


@pytest_twisted.ensureDeferred
async def test_reset_mid_poem_is_a_failure_not_a_poem(servers, no_leftover_timers):
    port = servers.hostile(hostile.ResetMidPoem, prefix=b"Half a poem is")

    failure = await failure_of(get_poetry("127.0.0.1", port))

    assert failure.check(ConnectionLostError)
    assert failure.value.received == len(b"Half a poem is")
    assert describe_failure(failure) == "connection lost after 14 bytes"
    assert isinstance(failure.value, PoetryError)
    details = traceback_text(failure)
    assert details.index("ConnectionLostError") < details.index("Caused by:")
    assert "twisted.internet.error.ConnectionLost" in details


@pytest_twisted.ensureDeferred
async def test_reset_before_any_byte_is_a_lost_connection(servers):
    port = servers.hostile(hostile.ResetMidPoem, prefix=b"")

    failure = await failure_of(get_poetry("127.0.0.1", port))

    assert failure.check(ConnectionLostError)
    assert describe_failure(failure) == "connection lost after 0 bytes"


@pytest_twisted.ensureDeferred
async def test_a_silent_server_times_out_with_the_bytes_so_far(servers, no_leftover_timers):
    port = servers.hostile(hostile.Stall, prefix=b"And then")
    fds = open_fds()

    failure = await failure_of(get_poetry("127.0.0.1", port, idle_timeout=0.3))

    assert failure.check(IdleTimeoutError)
    assert str(failure.value) == "no data for 0.3 s"
    assert failure.value.received == len(b"And then")
    await reactor_turn()
    assert open_fds() == fds


@pytest_twisted.ensureDeferred
async def test_a_drip_feeding_server_is_slow_but_not_idle(servers):
    payload = b"one byte at a time\n"
    port = servers.hostile(hostile.Drip, payload=payload, gap=0.01)

    poem = await get_poetry("127.0.0.1", port, idle_timeout=0.15)

    assert poem.text == payload.decode()


@pytest_twisted.ensureDeferred
async def test_the_idle_timeout_counts_from_the_last_byte(servers, no_leftover_timers):
    # Bytes keep coming for longer than the idle timeout, then stop: the timer,
    # due while they still came, waits again, and fires once they stopped.
    payload = b"slow drops"
    port = servers.hostile(hostile.Drip, payload=payload, gap=0.06, stall=True)

    failure = await failure_of(get_poetry("127.0.0.1", port, idle_timeout=0.2))

    assert failure.check(IdleTimeoutError)
    assert failure.value.received == len(payload)


async def _silence_until_the_idle_timeout(servers, idle: float) -> float:
    """Seconds from a stalling server's last byte to the idle timeout's failure."""
    port = servers.hostile(hostile.Stall, prefix=b"And then")
    seen: list[float] = []

    d = get_poetry("127.0.0.1", port, idle_timeout=idle, progress=lambda _: seen.append(now()))
    failure = await failure_of(d)
    silent = now() - seen[-1]

    assert failure.check(IdleTimeoutError)
    assert failure.value.received == len(b"And then")
    return silent


@pytest_twisted.ensureDeferred
async def test_a_long_idle_timeout_fires_on_time_though_one_sweep_watches_it(
    servers, no_leftover_timers
):
    # Longer than a sweep of the idle watch: no timer of its own until its
    # deadline is near, then the same exact timer, not a sweep later.
    idle = IDLE_SWEEP_SECONDS + 0.3
    silent = await _silence_until_the_idle_timeout(servers, idle)
    assert idle <= silent < idle + 0.25


@pytest_twisted.ensureDeferred
async def test_a_short_idle_timeout_fires_on_time_on_a_timer_of_its_own(
    servers, no_leftover_timers
):
    # No longer than a sweep: the connection has its own timer from the start.
    idle = IDLE_SWEEP_SECONDS / 4
    silent = await _silence_until_the_idle_timeout(servers, idle)
    assert idle <= silent < idle + 0.25


@pytest_twisted.ensureDeferred
async def test_a_flood_is_cut_off_at_max_bytes(servers, no_leftover_timers):
    port = servers.hostile(hostile.Flood)
    seen: list[int] = []

    failure = await failure_of(
        get_poetry("127.0.0.1", port, max_bytes=100_000, progress=seen.append)
    )

    assert failure.check(PoemTooLargeError)
    assert describe_failure(failure) == "larger than 97.7 KiB"
    assert max(seen) <= 100_000, "bytes past the limit were reported as progress"


@pytest_twisted.ensureDeferred
async def test_default_limit_is_spelled_in_mebibytes(servers):
    port = servers.hostile(hostile.Flood)

    failure = await failure_of(get_poetry("127.0.0.1", port))

    assert describe_failure(failure) == "larger than 16 MiB"


@pytest_twisted.ensureDeferred
async def test_a_clean_close_without_bytes_is_an_empty_poem(servers):
    port = servers.hostile(hostile.CloseAtOnce)

    failure = await failure_of(get_poetry("127.0.0.1", port))

    assert failure.check(EmptyPoemError)
    assert describe_failure(failure) == "empty poem"


@pytest_twisted.ensureDeferred
async def test_a_closed_port_is_refused(servers, no_leftover_timers):
    port, _ = servers.poetry(b"gone")
    await servers.ports.pop().stopListening()

    failure = await failure_of(get_poetry("127.0.0.1", port))

    assert failure.check(error.ConnectionRefusedError)
    assert isinstance(failure.value, error.ConnectError)
    assert describe_failure(failure) == "connection refused"


@pytest_twisted.ensureDeferred
async def test_a_connection_that_never_completes_times_out(servers, no_leftover_timers):
    port = servers.full_backlog()

    failure = await failure_of(get_poetry("127.0.0.1", port, timeout=0.3))

    assert failure.check(error.TimeoutError)
    assert describe_failure(failure) == "timed out"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (error.getConnectError((104, "Connection reset by peer")), "connection reset by peer"),
        (error.ConnectError(osError=113), "no route to host"),
        (error.ConnectError(), "ConnectError"),
    ],
)
def test_other_connect_errors_are_said_in_words_not_numbers(value, words):
    assert describe_failure(Failure(value)) == f"could not connect ({words})"


@implementer(IHostnameResolver)
class _Resolver:
    """A name resolver that either knows no host at all or never answers."""

    def __init__(self, answers: bool) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def resolveHostName(self, receiver, hostName, portNumber=0, addressTypes=None, **kw):
        from twisted.internet._resolver import HostResolution

        self.asked.append(hostName)
        resolution = HostResolution(hostName)
        receiver.resolutionBegan(resolution)
        if self.answers:
            receiver.resolutionComplete()
        return resolution


@pytest.fixture
def resolver(request):
    from twisted.internet import reactor

    fake = _Resolver(answers=request.param)
    previous = reactor.installNameResolver(fake)
    yield fake
    reactor.installNameResolver(previous)


@pytest.mark.parametrize("resolver", [True], indirect=True)
@pytest_twisted.ensureDeferred
async def test_an_unknown_host_is_not_found(resolver, no_leftover_timers):
    failure = await failure_of(get_poetry("poetry.invalid", 10000))

    assert resolver.asked == ["poetry.invalid"]
    assert failure.check(error.DNSLookupError)
    assert describe_failure(failure) == "host not found"


@pytest.mark.parametrize("resolver", [False], indirect=True)
@pytest_twisted.ensureDeferred
async def test_cancel_while_resolving_leaves_nothing_behind(resolver, no_leftover_timers):
    fds = open_fds()
    d = get_poetry("slow.invalid", 10000, timeout=30)
    await reactor_turn()
    assert resolver.asked == ["slow.invalid"]

    d.cancel()

    failure = await failure_of(d)
    assert failure.check(CancelledError)
    assert describe_failure(failure) == "cancelled"
    await reactor_turn()
    assert open_fds() == fds


@pytest_twisted.ensureDeferred
async def test_cancel_while_connecting_leaves_nothing_behind(servers, no_leftover_timers):
    port = servers.full_backlog()
    fds = open_fds()
    before = pending_calls()
    d = get_poetry("127.0.0.1", port, timeout=30)
    await reactor_turn()
    assert pending_calls() - before, "the connect timeout should be pending while connecting"

    d.cancel()

    assert (await failure_of(d)).check(CancelledError)
    await reactor_turn()
    assert open_fds() == fds


@pytest_twisted.ensureDeferred
async def test_cancel_while_receiving_closes_the_connection(servers, no_leftover_timers):
    port, factory = servers.poetry(JINGYESI * 50, delay=0.01, num_bytes=10)
    fds = open_fds()
    seen: list[int] = []
    d = get_poetry("127.0.0.1", port, progress=seen.append)
    while not seen:
        await reactor_turn()
    assert factory.clients == 1

    d.cancel()

    assert (await failure_of(d)).check(CancelledError)
    received = len(seen)
    await reactor_turn()
    await reactor_turn()
    assert factory.clients == 0, "the server still sees the connection"
    assert open_fds() == fds
    assert len(seen) == received, "progress reported after the cancel"


@pytest_twisted.ensureDeferred
async def test_cancel_after_the_poem_arrived_changes_nothing(servers, no_leftover_timers):
    port, _ = servers.poetry(b"short\n")
    d = get_poetry("127.0.0.1", port)
    poem = await d

    d.cancel()

    assert poem.text == "short\n"


@pytest_twisted.ensureDeferred
async def test_invalid_bytes_become_replacement_characters_and_are_counted(servers):
    port = servers.bytes(b"caf\xc3\xa9 \xff\xfe ok \xc3")

    poem = await get_poetry("127.0.0.1", port)

    assert poem.text == "caf\u00e9 \ufffd\ufffd ok \ufffd"
    assert poem.replaced == 3


@pytest_twisted.ensureDeferred
async def test_a_declared_encoding_is_honoured(servers):
    text = "床前明月光，疑是地上霜。\n"
    port = servers.bytes(text.encode("gb18030"), chunk=5)

    poem = await get_poetry("127.0.0.1", port, encoding="GB18030")

    assert (poem.text, poem.encoding, poem.replaced) == (text, "gb18030", 0)


@pytest_twisted.ensureDeferred
async def test_markup_is_data(servers):
    markup = b"<b>bold</b> <a href='file:///etc/passwd'>link</a> &amp;\n"
    port = servers.bytes(markup)

    poem = await get_poetry("127.0.0.1", port)

    assert poem.text == markup.decode()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nosuch", "unknown encoding 'nosuch'"),
        ("", "unknown encoding ''"),
        ("base64", "'base64' is not a text encoding for poems"),
        ("rot13", "'rot13' is not a text encoding for poems"),
        ("punycode", "'punycode' is not a text encoding for poems"),
        ("unicode_escape", "'unicode_escape' is not a text encoding for poems"),
    ],
)
def test_an_unknown_encoding_is_refused_before_connecting(servers, name, message):
    port, factory = servers.poetry(b"never sent")

    with pytest.raises(ValueError) as refused:
        get_poetry("127.0.0.1", port, encoding=name)

    assert str(refused.value) == message

    assert factory.connections == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"port": 0}, "outside 1-65535"),
        ({"port": 70000}, "outside 1-65535"),
        ({"timeout": 0}, "timeout must be a positive"),
        ({"idle_timeout": -1}, "idle_timeout must be a positive"),
        ({"max_bytes": 0}, "max_bytes must be positive"),
    ],
)
def test_bad_arguments_are_refused_at_once(arguments, message):
    options = {"port": 10000, **arguments}
    with pytest.raises(ValueError, match=message):
        get_poetry("127.0.0.1", **options)


def test_encoding_names_are_canonical():
    assert check_encoding("UTF8") == "utf-8"
    assert check_encoding("GB18030") == "gb18030"


_poem_bytes = st.one_of(
    st.just(JINGYESI),
    st.text(min_size=1).map(lambda s: s.encode("utf-8")),
    st.binary(min_size=1, max_size=200),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=_poem_bytes, cuts=st.lists(st.integers(min_value=1), max_size=12))
def test_any_split_of_the_bytes_gives_the_same_text(qtbot, data: bytes, cuts: list[int]):
    """Chunk boundaries (even inside a UTF-8 sequence) never change the poem.

    Hypothesis drives this test synchronously, so it waits by spinning Qt's
    event loop, which is the loop that runs the reactor under qt5reactor.
    """
    points = sorted({c % len(data) for c in cuts} - {0})
    chunks = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    port = hostile.serve(hostile.Chunks, chunks=chunks, gap=0.002)
    results: list[Poem | Failure] = []
    get_poetry("127.0.0.1", port.getHost().port).addBoth(results.append)
    try:
        qtbot.waitUntil(lambda: bool(results), timeout=5000)
    finally:
        port.stopListening()

    poem = results[0]
    assert isinstance(poem, Poem), poem
    assert (poem.text, poem.replaced) == decode_poem(data, "utf-8")
    assert poem.size == len(data)


# Every hostile behaviour of tests/hostile.py, one test each


@pytest.mark.parametrize("case", hostile.CASES, ids=lambda case: case.name)
@pytest_twisted.ensureDeferred
async def test_every_hostile_server_ends_in_its_named_outcome(servers, no_leftover_timers, case):
    port = case.serve(servers)
    fds = open_fds()
    d = get_poetry("127.0.0.1", port, encoding=case.encoding, **hostile.LIMITS)

    if case.failure is not None:
        failure = await failure_of(d)
        assert failure.check(case.failure), failure.getTraceback()
        assert describe_failure(failure) == case.reason
    else:
        poem = await d
        assert (poem.text, poem.replaced) == (case.text, case.replaced)
    await reactor_turn()
    assert open_fds() == fds


@pytest.mark.parametrize(
    ("data", "encoding", "text", "replaced"),
    [
        (b"\xff\xfea\x00b", "utf-16", "a\ufffd", 1),  # cut in the middle of a unit
        ("hi".encode("utf-16") + b"\x00", "utf-16", "hi\ufffd", 1),
        (b"abcdefg", "utf-32", "\ufffd\ufffd", 2),
        (b"caf\xc3\xa9 \xff", "utf-8", "café \ufffd", 1),
    ],
)
def test_any_bytes_in_any_accepted_encoding_decode_without_failing(data, encoding, text, replaced):
    assert decode_poem(data, check_encoding(encoding)) == (text, replaced)


def test_the_text_is_decoded_once_on_first_use_and_the_bytes_let_go():
    chunks = ["床前明".encode(), "月光\n".encode() + b"\xff"]
    poem = Poem(chunks, elapsed=0.5, encoding="utf-8")
    assert (poem.size, poem.elapsed, poem.encoding) == (sum(map(len, chunks)), 0.5, "utf-8")
    assert poem._chunks is chunks  # nothing decoded, nothing copied yet
    assert (poem.text, poem.replaced) == ("床前明月光\n\ufffd", 1)
    assert poem._chunks is None
    assert poem.text is poem.text


@pytest_twisted.ensureDeferred
async def test_a_fast_poem_is_read_in_growing_pieces_and_a_slow_one_is_not(servers):
    from app.net.client import MAX_READ_SIZE

    big = bytes(range(256)) * (8 * 2**20 // 256)
    fast = servers.bytes(big)  # written at once: the kernel holds more than 64 KiB ready
    sizes: list[int] = []
    poem = await get_poetry("127.0.0.1", fast, progress=sizes.append)
    assert poem.size == len(big) and poem._chunks is not None
    pieces = [len(chunk) for chunk in poem._chunks]
    assert max(pieces) > 2**16, "reads never grew past Twisted's 64 KiB"
    assert max(pieces) <= MAX_READ_SIZE
    assert len(sizes) < len(big) // 2**16

    slow, _ = servers.poetry(b"tick " * 40, delay=0.005, num_bytes=5)
    poem = await get_poetry("127.0.0.1", slow)
    assert max(len(chunk) for chunk in poem._chunks) < 2**16
