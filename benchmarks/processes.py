"""The other processes: poetry servers to download from, and the clients being measured.

Each server is a real ``poetry-server`` process, so serving costs the
measured client nothing but the bytes. Each measured client runs in a fresh
``python -m benchmarks.<module>`` process: its reactor, its imports and its
memory are its own, and its peak RSS is the client's alone. A client reports
one ``RESULT {json}`` line on stdout.

Nothing is left behind: servers are stopped in ``finally`` blocks, and a
client that overruns its time is killed.
"""

from __future__ import annotations

import json
import math
import os
import resource
import selectors
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from app.net.address import Address, parse_address
from benchmarks.measure import RESULT_PREFIX

SERVER_START_TIMEOUT = 60.0
#: Ports one server process listens on, in the benchmarks with thousands:
#: each takes two descriptors (the port and its client) and its share of the work.
PORTS_PER_SERVER = 2500


class ClientTimeout(Exception):
    """The client did not finish within its time; it was killed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"client ran longer than {seconds:g} s")
        self.seconds = seconds


def _server_command() -> list[str]:
    """``poetry-server`` from this interpreter's environment (the script, or the same code)."""
    script = Path(sys.executable).with_name("poetry-server")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from app.cli.serve import main; main()"]


def burst_server_command() -> list[str]:
    """The burst benchmark's server (:mod:`benchmarks.burst_server`): every port writes at once."""
    return [sys.executable, "-m", "benchmarks.burst_server"]


@contextmanager
def poetry_servers(
    files: Sequence[Path],
    *,
    delay: float = 0.0,
    num_bytes: int = 10,
    server: Sequence[str] | None = None,
    iface: str = "127.0.0.1",
) -> Iterator[list[Address]]:
    """Run one ``poetry-server`` process serving ``files`` (one port each); yield the addresses.

    ``server`` is another command taking the same options and printing the
    same lines (:func:`burst_server_command`); ``iface`` the address it
    listens on. The addresses come from the server's own ``Serving FILE on
    HOST:PORT`` lines, in the order of ``files``. The process is terminated
    on exit.
    """
    command = [
        *(server or _server_command()),
        "--iface",
        iface,
        "--delay",
        str(delay),
        "--num-bytes",
        str(num_bytes),
    ]
    with tempfile.TemporaryFile() as errors:
        server = subprocess.Popen(
            [*command, *map(str, files)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        try:
            yield _read_addresses(server, len(files), errors)
        finally:
            _stop(server)


def serve_crowd(
    stack: ExitStack,
    poem: Path,
    count: int,
    *,
    delay: float,
    num_bytes: int,
    server: Sequence[str] | None = None,
) -> list[Address]:
    """Serve ``poem`` on ``count`` ports, from processes of at most ``PORTS_PER_SERVER`` each.

    The processes stop when ``stack`` closes. The addresses take turns
    between the processes, so a client connecting in their order keeps every
    process about equally busy. Each process listens on its own loopback
    address (``127.0.1.1``, ``127.0.1.2``...: Linux routes all of 127/8 to
    the loopback device): on one address, 20,000 free ports are most of the
    kernel's ephemeral range, and finding the last of them took the
    servers minutes, then failed with "Address already in use".
    """
    processes = math.ceil(count / PORTS_PER_SERVER)
    shares = [
        stack.enter_context(
            poetry_servers(
                [poem] * len(range(index, count, processes)),
                delay=delay,
                num_bytes=num_bytes,
                server=server,
                iface=f"127.0.1.{index + 1}",
            )
        )
        for index in range(processes)
    ]
    return [shares[i % processes][i // processes] for i in range(count)]


def _read_addresses(server: subprocess.Popen[bytes], count: int, errors: Any) -> list[Address]:
    assert server.stdout is not None
    addresses: list[Address] = []
    pending = b""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(server.stdout, selectors.EVENT_READ)
        while len(addresses) < count:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                raise RuntimeError(f"poetry-server announced {len(addresses)} of {count} ports")
            chunk = os.read(server.stdout.fileno(), 65536)
            if not chunk:
                errors.seek(0)
                message = errors.read().decode(errors="replace").strip()
                raise RuntimeError(f"poetry-server exited: {message or server.wait()}")
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                # "Serving FILE on HOST:PORT": the address is the last word.
                addresses.append(parse_address(line.decode().rsplit(" ", 1)[1]))
    return addresses


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def run_client(
    module: str,
    args: Sequence[str],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run ``python -m benchmarks.<module> ARGS`` and return its ``RESULT`` line, decoded.

    Raises :class:`ClientTimeout` (after killing it) if it overruns, and
    ``RuntimeError`` with its stderr if it fails or reports nothing.
    """
    environment = {**os.environ, **(env or {})}
    environment.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        done = subprocess.run(
            [sys.executable, "-m", f"benchmarks.{module}", *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            env=environment,
        )
    except subprocess.TimeoutExpired:
        raise ClientTimeout(timeout) from None
    for line in reversed(done.stdout.decode(errors="replace").splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    stderr = done.stderr.decode(errors="replace").strip()
    raise RuntimeError(
        f"benchmarks.{module} {' '.join(args)} exited {done.returncode} without a result:\n"
        + stderr[-3000:]
    )


def raise_open_file_limit(needed: int) -> str | None:
    """Raise RLIMIT_NOFILE towards ``needed`` (up to the hard limit); say what was done, if any.

    Children inherit the limit, so raise it before starting servers and clients.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return None
    new = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if new > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        message = f"raised the open-file limit (RLIMIT_NOFILE) from {soft} to {new}"
    else:
        message = f"the open-file limit (RLIMIT_NOFILE) is {soft}"
    if new < needed:
        message += f", the hard limit ({needed} wanted)"
    return message
