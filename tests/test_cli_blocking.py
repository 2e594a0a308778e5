"""``poetry-get --blocking`` and ``--max-time``, run as a user runs them: scripts, real sockets.

The blocking client must be the reactor's twin in all but time: the same
bytes on stdout, the same lines on stderr, the same exit status. The
deadline gives up on a download, however it is run, with one line and no
partial poem.
"""

from __future__ import annotations

import os
import time

import pytest
import pytest_twisted

from tests import hostile
from tests.hostile import LOCALHOST
from tests.test_cli import (
    JINGYESI,
    LIMIT,
    POETRY_GET,
    assert_ends_in_the_poem_or_one_line,
    drain,
    failure_line,
    header,
    limit_options,
    poetry_get,
    spawn,
)
from tests.test_cli_chinese import CHINESE

#: The two ways to run poetry-get: on the reactor, and the tutorial's blocking client.
MODES = {"reactor": [], "blocking": ["--blocking"]}

#: 40 bytes, one every 50 ms: about 2 s, never silent for long.
DRIP = {"payload": b"one drop, then another, then one more.\n", "gap": 0.05}


def deadline_line(port: int, seconds: str) -> str:
    return failure_line(port, f"gave up after {seconds} s (--max-time)")


@pytest_twisted.ensureDeferred
async def test_blocking_takes_the_sum_of_the_times_the_reactor_the_longest_same_output(
    servers,
) -> None:
    delay, num_bytes = 0.1, 10
    poems = [bytes([ord("a") + i]) * 59 + b"\n" for i in range(3)]  # 6 writes each: 0.6 s
    ports = [servers.poetry(poem, delay=delay, num_bytes=num_bytes)[0] for poem in poems]
    alone = [delay * -(-len(poem) // num_bytes) for poem in poems]

    blocking = await poetry_get("--blocking", *map(str, ports))
    reactor = await poetry_get(*map(str, ports))

    print(
        f"\npoetry-get, three servers of {alone[0]:.1f} s each: "
        f"--blocking {blocking.elapsed:.2f} s, reactor {reactor.elapsed:.2f} s "
        f"(sum {sum(alone):.1f} s, longest {max(alone):.1f} s; both include Python's start)"
    )
    assert (blocking.code, blocking.err) == (0, ""), blocking
    assert (reactor.code, reactor.err) == (0, ""), reactor
    assert blocking.out == reactor.out
    assert blocking.out == b"\n".join(
        header(p) + poem for p, poem in zip(ports, poems, strict=True)
    )
    # Both pay the same start-up; what differs is the downloads' own time.
    assert blocking.elapsed >= 0.9 * sum(alone)
    assert reactor.elapsed >= 0.9 * max(alone)
    assert blocking.elapsed - reactor.elapsed >= 0.7 * (sum(alone) - max(alone))


@pytest.mark.parametrize("case", hostile.CASES, ids=lambda case: case.name)
@pytest_twisted.ensureDeferred
async def test_every_hostile_server_ends_the_same_with_the_blocking_client(
    servers, case: hostile.Case
) -> None:
    port = case.serve(servers)

    # A deadline far beyond every case changes nothing either.
    run = await poetry_get("--blocking", "--max-time=4", *limit_options(case.encoding), str(port))

    assert_ends_in_the_poem_or_one_line(run, port, case)


@pytest.mark.parametrize("mode", MODES.values(), ids=MODES.keys())
@pytest_twisted.ensureDeferred
async def test_max_time_gives_up_a_dripping_poem_with_one_line_and_no_partial_poem(
    servers, mode: list[str]
) -> None:
    fast = (JINGYESI.read_bytes(), servers.poetry(JINGYESI.read_bytes(), delay=0)[0])
    drip = servers.hostile(hostile.Drip, **DRIP)
    after = (b"The last one, whole.\n", servers.poetry(b"The last one, whole.\n", delay=0)[0])

    run = await poetry_get(*mode, "--max-time", "0.5", str(fast[1]), str(drip), str(after[1]))

    assert run.err_lines == [deadline_line(drip, "0.5")], run
    assert run.out == header(fast[1]) + fast[0] + b"\n" + header(after[1]) + after[0]
    assert b"one drop" not in run.out
    assert run.code == 1
    assert 0.5 <= run.elapsed < 5


@pytest.mark.parametrize("mode", MODES.values(), ids=MODES.keys())
@pytest_twisted.ensureDeferred
async def test_max_time_is_said_in_chinese(servers, mode: list[str]) -> None:
    drip = servers.hostile(hostile.Drip, **DRIP)

    run = await poetry_get(*mode, "--max-time", "0.3", str(drip), env=CHINESE)

    assert run.err_lines == [
        f"poetry-get: {LOCALHOST}:{drip}：0.3 秒后仍未完成，已放弃（--max-time）"
    ]
    assert (run.out, run.code) == (b"", 1)


@pytest.mark.parametrize(
    ("value", "english", "chinese"),
    [
        ("0", "argument --max-time: '0' must be a positive number of seconds", "参数 --max-time："),
        (
            "-1",
            "argument --max-time: '-1' must be a positive number of seconds",
            "参数 --max-time：",
        ),
        ("soon", "argument --max-time: 'soon' is not a number of seconds", "'soon' 不是秒数"),
    ],
)
@pytest_twisted.ensureDeferred
async def test_a_bad_max_time_is_bad_usage_in_both_languages(
    value: str, english: str, chinese: str
) -> None:
    plain = await poetry_get(f"--max-time={value}", "10000")
    translated = await poetry_get(f"--max-time={value}", "10000", env=CHINESE)

    assert plain.code == translated.code == 2
    assert plain.err_lines[-1] == f"poetry-get: error: {english}"
    assert translated.err_lines[-1].startswith("poetry-get: 错误：参数 --max-time：")
    assert chinese in translated.err_lines[-1]
    assert plain.out == translated.out == b""


@pytest.mark.parametrize(("env", "word"), [({}, "interrupted"), (CHINESE, "已中断")])
@pytest_twisted.ensureDeferred
async def test_an_interrupt_stops_the_blocking_client_with_exit_1(servers, env, word) -> None:
    from twisted.internet import reactor, task

    port = servers.hostile(hostile.Stall)
    stall = servers.ports[-1].factory
    child = spawn(POETRY_GET, "--blocking", str(port), env=env)
    # Once it has connected, it is blocked in recv(): where Ctrl-C finds it.
    while not stall.connections:
        assert child.code is None and time.monotonic() - child.started < LIMIT, child.result()
        await task.deferLater(reactor, 0.02, lambda: None)
    child.transport.signalProcess("INT")

    run = await child.finish(limit=5)

    assert run.code == 1
    assert run.out == b""
    assert run.err_lines == [f"poetry-get: {word}"]


@pytest_twisted.ensureDeferred
async def test_blocking_looks_up_host_names_and_reaches_ipv6(servers) -> None:
    from twisted.internet import error, reactor

    from app.net.server import PoetryServerFactory

    poem = JINGYESI.read_bytes()
    port, _ = servers.poetry(poem, delay=0)
    named = await poetry_get("--blocking", f"localhost:{port}")
    assert (named.out, named.err, named.code) == (poem, "", 0)

    try:
        listening = reactor.listenTCP(0, PoetryServerFactory(poem, 0), interface="::1")
    except error.CannotListenError as e:
        pytest.xfail(f"no IPv6 loopback on this machine: {e}")
    servers.ports.append(listening)
    v6 = await poetry_get("--blocking", f"[::1]:{listening.getHost().port}")
    assert (v6.out, v6.err, v6.code) == (poem, "", 0)


@pytest_twisted.ensureDeferred
async def test_blocking_prints_a_traceback_only_when_asked_for(servers, refused_port) -> None:
    reset = servers.hostile(hostile.ResetMidPoem)
    expected = [
        failure_line(reset, "connection lost after 14 bytes"),
        failure_line(refused_port, "connection refused"),
    ]

    plain = await poetry_get("--blocking", str(reset), str(refused_port))
    detailed = await poetry_get("--blocking", "--traceback", str(reset), str(refused_port))

    assert plain.err_lines == expected
    assert "Traceback" not in plain.err
    assert "ConnectionLostError" in detailed.err
    assert "ConnectionRefusedError" in detailed.err
    assert [line for line in detailed.err_lines if line.startswith("poetry-get:")] == expected
    assert detailed.err_lines[-1] == expected[-1]
    assert (plain.code, detailed.code) == (1, 1)


@pytest_twisted.ensureDeferred
async def test_blocking_on_a_terminal_shows_progress_and_wipes_it(servers) -> None:
    poem = b"A poem that takes its time,\n" * 3
    port = servers.hostile(hostile.Drip, payload=poem, gap=0.01)  # 84 bytes in about 0.85 s
    master, terminal = os.openpty()
    try:
        child = spawn(POETRY_GET, "--blocking", str(port), stderr=terminal)
        os.close(terminal)
        run = await child.finish()
        shown = drain(master)
    finally:
        os.close(master)

    assert (run.out, run.code) == (poem, 0)
    assert b"\r0 of 1 done, " in shown
    assert b" bytes received" in shown
    assert shown.endswith(b"\r\x1b[K"), shown
