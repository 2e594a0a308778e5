"""``poetry-get`` and ``poetry-server`` run as a user runs them: installed scripts, real sockets.

The scripts run as child processes started with ``reactor.spawnProcess``, so
the test's own servers (which live in the test's reactor) keep serving while
the command runs. Nothing here blocks the reactor or sleeps.
"""

from __future__ import annotations

import os
import random
import re
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_twisted
from twisted.internet import error, protocol
from twisted.internet.defer import Deferred

from app.net.failures import IdleTimeoutError
from tests import hostile
from tests.hostile import LOCALHOST

BIN = Path(sys.executable).parent
POETRY_GET = BIN / "poetry-get"
POETRY_SERVER = BIN / "poetry-server"
POEMS = Path(__file__).resolve().parent.parent / "resources" / "poems"
JINGYESI = POEMS / "jingyesi.txt"

# No command may run longer than this; a hang is a failure, not a stuck suite.
LIMIT = 20.0


@dataclass
class Run:
    out: bytes
    err: str
    code: int | None
    signal: int | None
    elapsed: float

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


class Child(protocol.ProcessProtocol):
    """A running script: collects its output and tells when it has ended."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.err = bytearray()
        self.started = time.monotonic()
        self.ended: Deferred[None] = Deferred()
        self.code: int | None = None
        self.signal: int | None = None
        self._line_waiters: list[tuple[int, Deferred[list[str]]]] = []

    def outReceived(self, data: bytes) -> None:
        self.out += data
        lines = self.out.decode("utf-8", "replace").splitlines(keepends=True)
        complete = [line.rstrip("\n") for line in lines if line.endswith("\n")]
        for waiter in list(self._line_waiters):
            count, d = waiter
            if len(complete) >= count:
                self._line_waiters.remove(waiter)
                d.callback(complete[:count])

    def errReceived(self, data: bytes) -> None:
        self.err += data

    def processEnded(self, reason) -> None:
        self.code = reason.value.exitCode
        self.signal = reason.value.signal
        for _, d in self._line_waiters:
            d.errback(AssertionError(f"ended before printing enough lines: {self.result()}"))
        self._line_waiters.clear()
        self.ended.callback(None)

    def lines(self, count: int) -> Deferred[list[str]]:
        """Fires with the first ``count`` complete lines of stdout."""
        d: Deferred[list[str]] = Deferred()
        self._line_waiters.append((count, d))
        self.outReceived(b"")
        return d

    def result(self) -> Run:
        return Run(
            bytes(self.out),
            self.err.decode("utf-8", "replace"),
            self.code,
            self.signal,
            time.monotonic() - self.started,
        )

    async def finish(self, limit: float = LIMIT) -> Run:
        """Wait for the script to end; kill it and fail if it runs past ``limit``."""
        from twisted.internet import reactor

        def kill() -> None:
            self.transport.signalProcess("KILL")

        watchdog = reactor.callLater(limit, kill)
        await self.ended
        killed = not watchdog.active()
        if not killed:
            watchdog.cancel()
        run = self.result()
        assert not killed, f"still running after {limit} s: {run}"
        return run


def spawn(
    script: Path, *args: str, env: dict[str, str] | None = None, stderr: int | str = "r"
) -> Child:
    """Start a script with stdout (and stderr, unless given a descriptor) on pipes."""
    from twisted.internet import reactor

    child = Child()
    environment = dict(os.environ)
    environment.update(env or {})
    reactor.spawnProcess(
        child,
        str(script),
        [str(script), *map(str, args)],
        env=environment,
        childFDs={0: "w", 1: "r", 2: stderr},
    )
    return child


async def poetry_get(*args: str, env: dict[str, str] | None = None) -> Run:
    return await spawn(POETRY_GET, *args, env=env).finish()


def drain(master: int) -> bytes:
    os.set_blocking(master, False)
    shown = b""
    try:
        while chunk := os.read(master, 65536):
            shown += chunk
    except (BlockingIOError, OSError):
        pass  # drained (a closed terminal reads as EIO on Linux)
    return shown


def header(port: int, host: str = LOCALHOST) -> bytes:
    return f"==> {host}:{port} <==\n".encode()


def failure_line(port: int, reason: str) -> str:
    return f"poetry-get: {LOCALHOST}:{port}: {reason}"


# One address: exactly the poem


@pytest_twisted.ensureDeferred
async def test_one_address_prints_exactly_the_poem_and_nothing_else(servers) -> None:
    poem = JINGYESI.read_bytes()
    port, _ = servers.poetry(poem, delay=0)

    run = await poetry_get(f"{LOCALHOST}:{port}")

    assert run.out == poem
    assert "静夜思" in run.out.decode("utf-8")
    assert run.err == ""  # stderr is a pipe, not a terminal: no progress line
    assert run.code == 0


@pytest_twisted.ensureDeferred
async def test_a_terminal_on_stderr_shows_progress_but_stdout_stays_the_poem(servers) -> None:
    poem = b"A poem that takes its time,\n" * 3
    port = servers.hostile(hostile.Drip, payload=poem, gap=0.01)  # 84 bytes in about 0.85 s
    master, terminal = os.openpty()
    try:
        child = spawn(POETRY_GET, str(port), stderr=terminal)
        os.close(terminal)
        run = await child.finish()
        shown = drain(master)
    finally:
        os.close(master)

    assert (run.out, run.code) == (poem, 0)
    assert b"\r0 of 1 done, " in shown
    assert b" bytes received" in shown
    assert shown.endswith(b"\r\x1b[K"), shown  # the progress line is wiped at the end


@pytest_twisted.ensureDeferred
async def test_a_bare_port_means_localhost_as_in_the_tutorial(servers) -> None:
    poem = (POEMS / "ozymandias.txt").read_bytes()
    port, factory = servers.poetry(poem, delay=0)

    run = await poetry_get(str(port))

    assert (run.out, run.err, run.code) == (poem, "", 0)
    assert factory.connections == 1


@pytest_twisted.ensureDeferred
async def test_a_host_name_and_port_are_looked_up(servers) -> None:
    poem = (POEMS / "the-tyger.txt").read_bytes()
    port, _ = servers.poetry(poem, delay=0)

    run = await poetry_get(f"localhost:{port}")

    assert (run.out, run.err, run.code) == (poem, "", 0)


@pytest_twisted.ensureDeferred
async def test_a_bracketed_ipv6_address_reaches_an_ipv6_server(servers) -> None:
    from twisted.internet import reactor

    from app.net.server import PoetryServerFactory

    poem = JINGYESI.read_bytes()
    try:
        listening = reactor.listenTCP(0, PoetryServerFactory(poem, 0), interface="::1")
    except error.CannotListenError as e:
        pytest.xfail(f"no IPv6 loopback on this machine: {e}")
    servers.ports.append(listening)
    port = listening.getHost().port

    run = await poetry_get(f"[::1]:{port}")

    assert (run.out, run.err, run.code) == (poem, "", 0)


@pytest_twisted.ensureDeferred
async def test_poems_are_utf8_on_stdout_whatever_the_locale(servers) -> None:
    poem = JINGYESI.read_bytes()
    port, _ = servers.poetry(poem, delay=0)

    run = await poetry_get(str(port), env={"LC_ALL": "C", "PYTHONIOENCODING": "ascii"})

    assert (run.out, run.code) == (poem, 0)


@pytest_twisted.ensureDeferred
async def test_multibyte_characters_split_across_writes_arrive_whole(servers) -> None:
    poem = JINGYESI.read_bytes()
    port = servers.bytes(poem, chunk=1, gap=0.001)

    run = await poetry_get(str(port))

    assert (run.out, run.err, run.code) == (poem, "", 0)


# Several addresses: headers, order, concurrency


@pytest_twisted.ensureDeferred
async def test_several_poems_come_in_the_order_given_even_when_a_later_one_finishes_first(
    servers,
) -> None:
    slow_poem = b"Slowly, slowly, the first poem arrives.\n" * 4  # 8 writes, 0.4 s
    fast_poem = (POEMS / "daffodils.txt").read_bytes()
    slow_port, _ = servers.poetry(slow_poem, delay=0.05, num_bytes=20)
    fast_port, _ = servers.poetry(fast_poem, delay=0)
    no_newline_port = servers.bytes(b"A poem without a final newline")

    run = await poetry_get(str(slow_port), str(fast_port), str(no_newline_port))

    assert run.out == (
        header(slow_port)
        + slow_poem
        + b"\n"
        + header(fast_port)
        + fast_poem
        + b"\n"
        + header(no_newline_port)
        + b"A poem without a final newline\n"
    )
    assert (run.err, run.code) == ("", 0)


@pytest_twisted.ensureDeferred
async def test_downloads_run_at_once_so_the_total_is_close_to_the_slowest(servers) -> None:
    delay, num_bytes = 0.05, 20
    sizes = [200, 400, 600]  # 10, 20 and 30 writes: 0.5 s, 1.0 s and 1.5 s
    poems = [bytes([ord("a") + i]) * (size - 1) + b"\n" for i, size in enumerate(sizes)]
    ports = [servers.poetry(poem, delay=delay, num_bytes=num_bytes)[0] for poem in poems]
    alone = [delay * -(-size // num_bytes) for size in sizes]

    run = await poetry_get(*map(str, ports))

    print(
        f"\npoetry-get, three servers (delay {delay}, num-bytes {num_bytes}): "
        f"{run.elapsed:.2f} s in all; alone {', '.join(f'{t:.2f}' for t in alone)} s; "
        f"slowest {max(alone):.2f} s, sum {sum(alone):.2f} s"
    )
    assert run.code == 0, run
    assert run.out == b"\n".join(header(p) + poem for p, poem in zip(ports, poems, strict=True))
    assert run.elapsed >= max(alone) * 0.9, "the servers did not pace their writes"
    assert run.elapsed < 0.7 * sum(alone)


# Every hostile server of tests/hostile.py: exactly the poem, or one plain line


def limit_options(encoding: str) -> list[str]:
    """``hostile.LIMITS`` as poetry-get options, and the server's encoding."""
    options = [f"--{name.replace('_', '-')}={value}" for name, value in hostile.LIMITS.items()]
    return [*options, f"--encoding={encoding}"]


#: A time limit is never cut short: these failures come only after their limit.
TIME_LIMITS = {
    error.TimeoutError: hostile.LIMITS["timeout"],
    IdleTimeoutError: hostile.LIMITS["idle_timeout"],
}


def assert_ends_in_the_poem_or_one_line(run: Run, port: int, case: hostile.Case) -> None:
    """poetry-get on a hostile ``case``: the poem alone on stdout, or one plain line and exit 1."""
    if case.failure is not None:
        assert run.err_lines == [failure_line(port, case.reason)], run
        assert (run.out, run.code) == (b"", 1)
    else:
        assert run.out == case.text.encode("utf-8"), run
        assert run.code == 0, run
        replaced_note = (
            f"poetry-get: {LOCALHOST}:{port}: {case.replaced} invalid "
            f"{case.encoding} byte{'s' if case.replaced != 1 else ''} shown as U+FFFD\n"
        )
        assert run.err == (replaced_note if case.replaced else "")
    assert TIME_LIMITS.get(case.failure, 0) <= run.elapsed < 5


@pytest.mark.parametrize("case", hostile.CASES, ids=lambda case: case.name)
@pytest_twisted.ensureDeferred
async def test_every_hostile_server_ends_in_exactly_the_poem_or_one_plain_line(
    servers, case: hostile.Case
) -> None:
    port = case.serve(servers)

    run = await poetry_get(*limit_options(case.encoding), str(port))

    assert_ends_in_the_poem_or_one_line(run, port, case)


# Failures: one plain line each, never a partial poem


@pytest_twisted.ensureDeferred
async def test_failing_servers_never_lose_the_other_downloads(servers, refused_port) -> None:
    good = [
        (POEMS / "ozymandias.txt").read_bytes(),
        JINGYESI.read_bytes(),
        (POEMS / "dover-beach.txt").read_bytes(),
    ]
    good_ports = [
        servers.poetry(good[0], delay=0.02, num_bytes=80)[0],
        servers.poetry(good[1], delay=0)[0],
        servers.bytes(good[2], chunk=100, gap=0.01),
    ]
    reset = servers.hostile(hostile.ResetMidPoem)
    stall = servers.hostile(hostile.Stall)
    flood = servers.hostile(hostile.Flood)
    empty = servers.hostile(hostile.CloseAtOnce)
    refused = refused_port
    order = [good_ports[0], reset, stall, good_ports[1], flood, empty, refused, good_ports[2]]

    run = await poetry_get("--idle-timeout", "0.5", "--max-bytes", "100000", *map(str, order))

    assert run.out == b"\n".join(header(p) + poem for p, poem in zip(good_ports, good, strict=True))
    assert sorted(run.err_lines) == sorted(
        [
            failure_line(reset, "connection lost after 14 bytes"),
            failure_line(stall, "no data for 0.5 s"),
            failure_line(flood, "larger than 97.7 KiB"),
            failure_line(empty, "empty poem"),
            failure_line(refused, "connection refused"),
        ]
    )
    assert "Traceback" not in run.err
    assert run.code == 1
    assert run.elapsed < 5


@pytest_twisted.ensureDeferred
async def test_traceback_only_when_asked_for(servers, refused_port) -> None:
    reset = servers.hostile(hostile.ResetMidPoem)
    refused = refused_port

    plain = await poetry_get(str(reset), str(refused))
    detailed = await poetry_get("--traceback", str(reset), str(refused))

    expected = [
        failure_line(reset, "connection lost after 14 bytes"),
        failure_line(refused, "connection refused"),
    ]
    assert plain.err_lines == expected
    assert "Traceback" not in plain.err
    # Each failure's line comes after its own traceback.
    blocks = re.split(r"^poetry-get: .*\n", detailed.err, flags=re.MULTILINE)
    assert blocks[-1] == ""
    # A Failure with frames shows them; one made from what the network did says so,
    # instead of an empty "Traceback (most recent call last):".
    details = r"Traceback \(most recent call last\):\n  File|No Python traceback: "
    assert all(re.search(details, block) for block in blocks[:-1]), detailed.err
    assert "reported by the network, not raised by code" in blocks[1]
    assert "ConnectionLostError" in detailed.err
    assert "ConnectionRefusedError" in detailed.err
    assert [line for line in detailed.err_lines if line.startswith("poetry-get:")] == expected
    assert detailed.err_lines[-1] == expected[-1]
    assert (plain.code, detailed.code) == (1, 1)


@pytest_twisted.ensureDeferred
async def test_a_declared_encoding_is_honoured(servers) -> None:
    text = JINGYESI.read_text(encoding="utf-8")
    port = servers.bytes(text.encode("gb18030"), chunk=5)

    declared = await poetry_get("--encoding", "gb18030", str(port))
    undeclared = await poetry_get(str(port))

    assert (declared.out.decode("utf-8"), declared.err, declared.code) == (text, "", 0)
    # Read as UTF-8 it is not the poem, but it is still printed, not a failure.
    assert "\ufffd" in undeclared.out.decode("utf-8")
    assert undeclared.code == 0


@pytest_twisted.ensureDeferred
async def test_an_interrupt_cancels_the_downloads_and_exits_with_1(servers) -> None:
    from twisted.internet import reactor, task

    port = servers.hostile(hostile.Stall)
    stall = servers.ports[-1].factory
    child = spawn(POETRY_GET, str(port))
    # Once it has connected, poetry-get is running its reactor and handles signals.
    while not stall.connections:
        assert child.code is None and time.monotonic() - child.started < LIMIT, child.result()
        await task.deferLater(reactor, 0.02, lambda: None)
    child.transport.signalProcess("INT")

    run = await child.finish(limit=5)

    assert run.code == 1
    assert run.out == b""
    assert "interrupted" in run.err
    assert "Traceback" not in run.err


# Bad usage: exit 2, saying what is wrong


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([""], "empty address"),
        (["host:"], "missing port"),
        (["abc"], "missing port"),
        (["1:2:3"], "needs brackets"),
        (["[::1"], "unbalanced brackets"),
        (["host:99999"], "outside 1-65535"),
        (["0"], "outside 1-65535"),
        (["host name:80"], "cannot contain spaces"),
        (["10000", "abc"], "missing port"),
        (["--timeout", "-1", "10000"], "positive"),
        (["--timeout", "abc", "10000"], "not a number"),
        (["--idle-timeout", "0", "10000"], "positive"),
        (["--max-bytes", "0", "10000"], "at least 1"),
        (["--max-bytes", "lots", "10000"], "not a whole number"),
        (["--encoding", "nosuch", "10000"], "unknown encoding 'nosuch'"),
        (["--no-such-option", "10000"], "unrecognized arguments"),
        ([], "required: ADDR"),
    ],
)
@pytest_twisted.ensureDeferred
async def test_bad_usage_exits_2_saying_what_is_wrong(args: list[str], message: str) -> None:
    run = await poetry_get(*args)

    assert run.code == 2, run
    assert message in run.err
    assert run.err.startswith("usage: poetry-get")
    assert run.err_lines[-1].startswith("poetry-get: error: ")
    assert "Traceback" not in run.err
    assert run.out == b""


# poetry-server


async def start_server(*args: str, files: int) -> tuple[Child, list[tuple[str, str, int]]]:
    """Start ``poetry-server`` and read its ``Serving FILE on HOST:PORT`` lines."""
    child = spawn(POETRY_SERVER, *args)
    lines = await child.lines(files)
    served = []
    for line in lines:
        match = re.fullmatch(r"Serving (.+) on (.+):(\d+)", line)
        assert match, f"not a 'Serving FILE on HOST:PORT' line: {line!r}"
        served.append((match[1], match[2], int(match[3])))
    return child, served


async def stop_server(child: Child, signame: str) -> Run:
    child.transport.signalProcess(signame)
    return await child.finish(limit=5)


@pytest.mark.parametrize("signame", ["INT", "TERM"])
@pytest_twisted.ensureDeferred
async def test_poetry_server_serves_each_file_on_its_own_port_until_stopped(
    signame: str,
) -> None:
    files = [JINGYESI, POEMS / "ozymandias.txt"]
    child, served = await start_server(
        "--delay", "0.01", "--num-bytes", "50", *map(str, files), files=2
    )
    try:
        assert [name for name, _, _ in served] == [str(f) for f in files]
        assert {host for _, host, _ in served} == {LOCALHOST}
        ports = [port for _, _, port in served]
        assert len(set(ports)) == 2

        run = await poetry_get(*(f"{LOCALHOST}:{port}" for port in ports))

        assert run.out == b"\n".join(
            header(port) + f.read_bytes() for port, f in zip(ports, files, strict=True)
        )
        assert (run.err, run.code) == ("", 0)
    finally:
        stopped = await stop_server(child, signame)
    print(f"poetry-server after SIG{signame}: exit {stopped.code}, signal {stopped.signal}")
    assert stopped.code == 0
    assert "Traceback" not in stopped.err


def two_free_ports() -> int:
    """A port N of 127.0.0.1 such that N and N + 1 are both free.

    Chosen below Linux's ephemeral range (32768 and up), which thousands of
    client connections elsewhere on the machine may fill.
    """
    for _ in range(200):
        port = random.randrange(20000, 32000)
        with socket.socket() as first, socket.socket() as second:
            try:
                first.bind((LOCALHOST, port))
                second.bind((LOCALHOST, port + 1))
            except OSError:
                continue
            return port
    raise AssertionError("no two consecutive free ports")


@pytest_twisted.ensureDeferred
async def test_poetry_server_port_option_numbers_the_files_upward() -> None:
    port = two_free_ports()
    files = [POEMS / "chunxiao.txt", JINGYESI]
    child, served = await start_server(
        "--port", str(port), "--delay", "0", *map(str, files), files=2
    )
    try:
        assert [(host, p) for _, host, p in served] == [(LOCALHOST, port), (LOCALHOST, port + 1)]
        run = await poetry_get(str(port + 1))
        assert (run.out, run.code) == (JINGYESI.read_bytes(), 0)
    finally:
        stopped = await stop_server(child, "INT")
    assert stopped.code == 0


@pytest_twisted.ensureDeferred
async def test_poetry_server_with_a_missing_file_is_bad_usage(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-poem.txt"

    run = await spawn(POETRY_SERVER, str(JINGYESI), str(missing)).finish()

    assert run.code == 2
    assert "cannot read" in run.err
    assert str(missing) in run.err
    assert "Traceback" not in run.err
    assert run.out == b""  # nothing served before the mistake is found


def refused_file(run: Run, path: Path | str, reason: str) -> None:
    """``run`` refused ``path`` as bad usage: exit 2, its one error line, nothing served."""
    assert run.code == 2, run
    assert run.err_lines[-1] == f"poetry-server: error: cannot serve {str(path)!r}: {reason}", run
    assert "Traceback" not in run.err
    assert run.out == b""


async def promptly(*args: str) -> Run:
    """Run ``poetry-server`` and insist it ends about as soon as one that only starts up.

    A file it must not read (a pipe, a device, gigabytes) would hold it for
    good or for seconds; the child is killed and the test fails after 5 s.
    """
    started = await spawn(POETRY_SERVER, "--version").finish()
    run = await spawn(POETRY_SERVER, *args).finish(limit=5)
    assert run.elapsed < started.elapsed + 1.0, (run, started.elapsed)
    return run


@pytest_twisted.ensureDeferred
async def test_poetry_server_refuses_a_device_without_reading_it() -> None:
    run = await promptly("/dev/zero")
    refused_file(run, "/dev/zero", "not a regular file")


@pytest_twisted.ensureDeferred
async def test_poetry_server_refuses_a_named_pipe_without_waiting_for_a_writer(tmp_path) -> None:
    pipe = tmp_path / "poem.fifo"
    os.mkfifo(pipe)
    run = await promptly(str(JINGYESI), str(pipe))
    refused_file(run, pipe, "not a regular file")


@pytest_twisted.ensureDeferred
async def test_poetry_server_refuses_a_directory(tmp_path) -> None:
    run = await promptly(str(tmp_path))
    refused_file(run, tmp_path, "not a regular file")


@pytest_twisted.ensureDeferred
async def test_poetry_server_refuses_a_huge_file_by_its_size_without_reading_it(tmp_path) -> None:
    huge = tmp_path / "sparse.txt"
    with huge.open("wb") as file:
        file.truncate(3 * 10**9)  # 3 GB of a hole: nothing on the disk
    run = await promptly(str(huge))
    refused_file(run, huge, "2.8 GiB, larger than --max-bytes (16 MiB)")


@pytest_twisted.ensureDeferred
async def test_poetry_server_max_bytes_sets_the_largest_file_it_serves(tmp_path) -> None:
    poem = JINGYESI.read_bytes()
    run = await promptly("--max-bytes", str(len(poem) - 1), str(JINGYESI))
    too_many = f"{len(poem)} bytes, larger than --max-bytes ({len(poem) - 1} bytes)"
    refused_file(run, JINGYESI, too_many)

    child, served = await start_server(
        "--max-bytes", str(len(poem)), "--delay", "0", str(JINGYESI), files=1
    )
    try:
        ((_name, _host, port),) = served
        assert (await poetry_get(str(port))).out == poem
    finally:
        assert (await stop_server(child, "INT")).code == 0


@pytest.mark.parametrize("interface", ["", " "])
@pytest_twisted.ensureDeferred
async def test_poetry_server_refuses_an_empty_interface_rather_than_listen_on_every_one(
    interface: str,
) -> None:
    run = await spawn(POETRY_SERVER, "--iface", interface, str(JINGYESI)).finish(limit=5)

    assert run.code == 2, run
    assert run.err.startswith("usage: poetry-server")
    assert run.err_lines[-1].startswith("poetry-server: error: argument --iface: empty: give ")
    assert "0.0.0.0" in run.err_lines[-1]
    assert "Traceback" not in run.err
    assert run.out == b""


@pytest_twisted.ensureDeferred
async def test_poetry_server_on_a_port_in_use_cannot_listen(servers) -> None:
    taken, _ = servers.poetry(b"already here\n", delay=0)

    run = await spawn(POETRY_SERVER, "--port", str(taken), str(JINGYESI)).finish()

    assert run.code == 1
    assert f"cannot listen on {LOCALHOST}:{taken}" in run.err
    assert "Traceback" not in run.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--delay", "-1"], "0 or more"),
        (["--num-bytes", "0"], "at least 1"),
        (["--port", "70000"], "outside 1-65535"),
        ([], "required: FILE"),
    ],
)
@pytest_twisted.ensureDeferred
async def test_poetry_server_bad_options_exit_2(args: list[str], message: str) -> None:
    files = [str(JINGYESI)] if args else []

    run = await spawn(POETRY_SERVER, *args, *files).finish()

    assert run.code == 2, run
    assert message in run.err
    assert "Traceback" not in run.err
