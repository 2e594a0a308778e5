"""The failed start's desktop notification never holds the start up, whatever the bus does.

Each bus here is a real UNIX socket in a temporary directory: none at all,
one that accepts and says nothing, and one that authenticates the client
and then never answers it. ``tests/test_start_check.py`` shows a real
``dbus-daemon`` and notification server taking one.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from app.startup.notification import TIMEOUT, notify, session_bus_address
from tests.conftest import listening_unix_socket

#: What a notification may add to a failed start, beyond its own deadline.
SLACK = 0.5


def timed_notify(address: str) -> tuple[bool | None, float]:
    """``notify`` on the bus at ``address``: what it said, and how long it took.

    It runs on a thread of its own, so a notification that hangs fails the
    test instead of hanging it; its answer is then ``None``.
    """
    answers: list[bool] = []
    environ = {"DBUS_SESSION_BUS_ADDRESS": address}
    began = time.monotonic()
    caller = threading.Thread(
        target=lambda: answers.append(notify("summary", "body", app_name="test", environ=environ)),
        daemon=True,
    )
    caller.start()
    caller.join(10)
    return (answers[0] if answers else None), time.monotonic() - began


@contextlib.contextmanager
def bus_that_never_answers(path: Path) -> Iterator[Path]:
    """A bus that lets the client in (SASL ``OK``) and then reads, and never replies."""
    stop = threading.Event()
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        server.listen(1)
        server.settimeout(0.1)

        def serve() -> None:
            while not stop.is_set():
                try:
                    client, _ = server.accept()
                except TimeoutError:
                    continue
                with client:
                    client.settimeout(0.1)
                    while not stop.is_set():
                        try:
                            data = client.recv(4096)
                        except TimeoutError:
                            continue
                        if not data:
                            break
                        if b"AUTH " in data:
                            client.sendall(b"OK 0123456789abcdef0123456789abcdef\r\n")

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            yield path
        finally:
            stop.set()
            thread.join(5)


def test_no_bus_is_silently_no_notification(tmp_path: Path) -> None:
    taken, took = timed_notify(f"unix:path={tmp_path / 'no-bus'}")
    assert taken is False
    assert took < SLACK


def test_a_bus_that_says_nothing_costs_no_more_than_the_deadline(tmp_path: Path) -> None:
    with listening_unix_socket(tmp_path / "silent") as path:
        taken, took = timed_notify(f"unix:path={path}")
    assert taken is False
    assert took < TIMEOUT + SLACK


def test_a_bus_that_lets_us_in_and_never_answers_costs_no_more_than_the_deadline(
    tmp_path: Path,
) -> None:
    with bus_that_never_answers(tmp_path / "mute") as path:
        taken, took = timed_notify(f"unix:path={path}")
    assert taken is False
    assert TIMEOUT <= took < TIMEOUT + SLACK


def test_the_bus_is_found_as_libdbus_finds_it(tmp_path: Path) -> None:
    assert session_bus_address({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}) == "unix:path=/x"
    assert session_bus_address({"XDG_RUNTIME_DIR": str(tmp_path)}) is None
    with listening_unix_socket(tmp_path / "bus"):
        assert session_bus_address({"XDG_RUNTIME_DIR": str(tmp_path)}) == (
            f"unix:path={tmp_path}/bus"
        )
        assert session_bus_address({"XDG_RUNTIME_DIR": "relative"}) is None
    assert session_bus_address({}) is None
