"""The ``poetry-downloader`` command as a process: starting, refusing, and quitting promptly."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import APP_NAME, __version__
from app.downloads.controller import DEFAULT_CONNECTION_LIMIT
from app.log import LOG_FILE_NAME
from tests.conftest import listening_sockets

REPO = Path(__file__).resolve().parents[2]


def environment(**changes: str | None) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@contextlib.contextmanager
def window_process(*args: str, state: Path | None = None) -> Iterator[subprocess.Popen[str]]:
    """``python ARGS`` offscreen, killed (if it is still running) when the block ends.

    With ``state`` the window writes its log file there, where :func:`logged`
    reads what it did, instead of in the state dir all the test windows share.
    """
    log_place = {} if state is None else {"XDG_STATE_HOME": str(state)}
    app = subprocess.Popen(
        [sys.executable, *args],
        env=environment(QT_QPA_PLATFORM="offscreen", **log_place),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield app
    finally:
        app.kill()
        app.wait()


def logged(state: Path) -> list[str]:
    """The lines a window started with ``state`` has written to its log file so far."""
    try:
        return (state / APP_NAME / LOG_FILE_NAME).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def test_version_needs_no_display():
    done = subprocess.run(
        [sys.executable, "-m", "app", "--version"],
        env=environment(QT_QPA_PLATFORM=None, DISPLAY=None, WAYLAND_DISPLAY=None),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"poetry-downloader {__version__}"


def test_without_a_display_it_says_so_in_one_line():
    done = subprocess.run(
        [sys.executable, "-m", "app", "10000"],
        env=environment(QT_QPA_PLATFORM=None, DISPLAY=None, WAYLAND_DISPLAY=None),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert "no display" in lines[0]


def test_install_desktop_entry_says_where_it_wrote(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "app", "--install-desktop-entry"],
        env=environment(XDG_DATA_HOME=str(tmp_path), QT_QPA_PLATFORM=None, DISPLAY=None),
        capture_output=True,
        text=True,
        timeout=30,
    )
    entry = tmp_path / "applications" / "poetry-downloader.desktop"
    assert done.returncode == 0, done.stderr
    assert str(entry) in done.stdout
    assert "Exec=" in entry.read_text()


def test_install_desktop_entry_reports_an_unwritable_place_in_one_line(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    done = subprocess.run(
        [sys.executable, "-m", "app", "--install-desktop-entry"],
        env=environment(XDG_DATA_HOME=str(blocker)),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("poetry-downloader: cannot install the desktop entry:")
    assert "Traceback" not in done.stderr


def test_bad_address_is_a_usage_error():
    done = subprocess.run(
        [sys.executable, "-m", "app", "localhost:99999"],
        env=environment(QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "99999 is outside 1-65535" in done.stderr


@pytest.fixture
def slow_servers(tmp_path: Path):
    """A poetry-server process serving 80 poems at a crawl, one port each."""
    poems = []
    for number in range(80):
        poem = tmp_path / f"poem-{number}.txt"
        poem.write_text("So slow. " * 100)
        poems.append(str(poem))
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from app.cli.serve import main; main()",
            "--delay",
            "0.5",
            "--num-bytes",
            "1",
            *poems,
        ],
        env=environment(),
        stdout=subprocess.PIPE,
        text=True,
    )
    addresses = [server.stdout.readline().rsplit(" ", 1)[1].strip() for _ in poems]
    yield addresses
    server.terminate()
    server.wait(timeout=10)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_with_downloads_in_flight_exits_0_within_2_seconds(
    qtbot, tmp_path, slow_servers, signum
):
    config, state = tmp_path / "config", tmp_path / "state"
    with window_process(
        "-m", "app", "--config-dir", str(config), *slow_servers, state=state
    ) as app:
        # The window saves the server list once it has added them; then every
        # connection slot fills with a download under way. Waiting spins the
        # test's own event loop instead of sleeping in it.
        qtbot.waitUntil((config / "settings.json").exists, timeout=20_000)
        qtbot.waitUntil(
            lambda: (
                sum(line.endswith(": connected") for line in logged(state))
                >= DEFAULT_CONNECTION_LIMIT
            ),
            timeout=20_000,
        )
        assert app.poll() is None
        sent = time.monotonic()
        app.send_signal(signum)
        qtbot.waitUntil(lambda: app.poll() is not None, timeout=10_000)
        took = time.monotonic() - sent
    assert app.returncode == 0, app.stderr.read()
    assert took < 2.0, took
    saved = json.loads((config / "settings.json").read_text())
    assert len(saved["servers"]) == len(slow_servers)


# The lookup of stuck.example hangs in its worker thread, as on a dead DNS
# server: the sleep is the behaviour under test, not a wait. It first leaves
# a mark (the file named by the first argument) so the test knows it began.
STUCK_LOOKUP = """
import pathlib, socket, sys, time
began = pathlib.Path(sys.argv.pop(1))
real = socket.getaddrinfo
def stuck(host, *args, **kwargs):
    if host == "stuck.example":
        began.touch()
        time.sleep(30)
    return real(host, *args, **kwargs)
socket.getaddrinfo = stuck
from app.__main__ import main
sys.argv[0] = "poetry-downloader"
main()
"""


def test_a_stuck_host_name_lookup_does_not_delay_quitting(qtbot, tmp_path):
    config, lookup_began = tmp_path / "config", tmp_path / "lookup-began"
    with window_process(
        "-c", STUCK_LOOKUP, str(lookup_began), "--config-dir", str(config), "stuck.example:10000"
    ) as app:
        qtbot.waitUntil((config / "settings.json").exists, timeout=20_000)
        qtbot.waitUntil(lookup_began.exists, timeout=20_000)  # under way, and stuck
        sent = time.monotonic()
        app.send_signal(signal.SIGTERM)
        qtbot.waitUntil(lambda: app.poll() is not None, timeout=30_000)
        took = time.monotonic() - sent
    assert app.returncode == 0, app.stderr.read()
    assert took < 2.0, took


def test_first_start_serves_demo_poems_on_localhost_only(qtbot, tmp_path):
    from twisted.python.failure import Failure

    from app.net.client import get_poetry
    from app.resources import bundled_poems

    with window_process("-m", "app", "--config-dir", str(tmp_path / "config")) as app:
        qtbot.waitUntil(lambda: len(listening_sockets(app.pid)["tcp"]) >= 3, timeout=20_000)
        sockets = listening_sockets(app.pid)
        assert sockets["tcp6"] == []
        assert {ip for ip, _ in sockets["tcp"]} == {"127.0.0.1"}
        results: list[object] = []
        downloads = [
            get_poetry("127.0.0.1", port, idle_timeout=5).addBoth(results.append)
            for _, port in sockets["tcp"]
        ]
        # The demo paces differ; the first whole poem proves the point.
        qtbot.waitUntil(lambda: any(not isinstance(r, Failure) for r in results), timeout=30_000)
        for d in downloads:
            d.cancel()
        texts = {path.read_text(encoding="utf-8") for path in bundled_poems()}
        poems = [r for r in results if not isinstance(r, Failure)]
        assert poems and all(poem.text in texts for poem in poems)
        app.send_signal(signal.SIGTERM)
        qtbot.waitUntil(lambda: app.poll() is not None, timeout=10_000)
    assert app.returncode == 0, app.stderr.read()


def test_a_start_with_addresses_runs_no_demo_servers(qtbot, tmp_path):
    config, state = tmp_path / "config", tmp_path / "state"
    with window_process(
        "-m", "app", "--config-dir", str(config), "127.0.0.1:9", state=state
    ) as app:
        # The demo servers would start in the reactor turn that starts the
        # download (and saves the list); how the download went is logged on a
        # later turn, so by then they would be listening.
        qtbot.waitUntil(
            lambda: any(
                " 127.0.0.1:9: " in line and not line.endswith(": connecting")
                for line in logged(state)
            ),
            timeout=20_000,
        )
        assert listening_sockets(app.pid) == {"tcp": [], "tcp6": []}
        saved = json.loads((config / "settings.json").read_text())
        assert [server["address"] for server in saved["servers"]] == ["127.0.0.1:9"]
