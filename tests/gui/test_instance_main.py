"""One window per settings directory, with real ``poetry-downloader`` processes.

The issue this answers: two launches on one settings directory opened two
windows, and the one quit last overwrote the other's servers. Now the second
launch hands its addresses to the first window and exits at once, and the
settings keep both. Each test has its own runtime and settings directories.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import APP_NAME
from app.instance.claim import LOCK_NAME
from app.instance.server import MAX_CONNECTIONS
from app.instance.socket_path import SOCKET_NAME, directory_key, socket_path
from app.log import LOG_FILE_NAME
from tests.small_disk import remount_read_only, small_tmpfs

REPO = Path(__file__).resolve().parents[2]
#: Nothing listens on these ports; the rows fail, which is all these tests need of them.
FIRST, SECOND, THIRD = "127.0.0.1:9", "127.0.0.1:10", "127.0.0.1:11"


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The environment of the processes; this test's own sees the same runtime dir."""
    runtime = tempfile.mkdtemp(prefix="rt-")  # short, mode 0700: a socket path fits
    monkeypatch.setenv("XDG_RUNTIME_DIR", runtime)
    yield dict(
        os.environ,
        PYTHONPATH=str(REPO),
        QT_QPA_PLATFORM="offscreen",
        XDG_RUNTIME_DIR=runtime,
        XDG_STATE_HOME=str(tmp_path / "state"),
    )
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "config"


@contextlib.contextmanager
def window(env: dict[str, str], *args: str) -> Iterator[subprocess.Popen[str]]:
    """``poetry-downloader ARGS`` as a process, killed (if still running) when the block ends."""
    app = subprocess.Popen(
        [sys.executable, "-m", "app", *args], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        yield app
    finally:
        app.kill()
        app.wait()


def launch(env: dict[str, str], *args: str, timeout: float = 30) -> tuple[int, str, str, float]:
    """Run a later ``poetry-downloader ARGS`` to its end: (status, stdout, stderr, seconds)."""
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "app", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done.returncode, done.stdout, done.stderr, time.monotonic() - began


def logged(env: dict[str, str]) -> str:
    try:
        return (Path(env["XDG_STATE_HOME"]) / APP_NAME / LOG_FILE_NAME).read_text()
    except FileNotFoundError:
        return ""


def ready(qtbot, env: dict[str, str], app: subprocess.Popen[str], times: int = 1) -> None:
    """Wait until the window (for the ``times``-th time in this log) listens for launches."""
    qtbot.waitUntil(
        lambda: (
            logged(env).count("Later launches reach this window") >= times or app.poll() is not None
        ),
        timeout=20_000,
    )
    assert app.poll() is None, app.stderr.read() if app.stderr else ""


def settled(qtbot, env: dict[str, str], app: subprocess.Popen[str]) -> str:
    """Wait until the window listens for launches, or has said why it cannot; its log."""
    qtbot.waitUntil(
        lambda: "Later launches" in logged(env) or app.poll() is not None, timeout=20_000
    )
    assert app.poll() is None, app.stderr.read() if app.stderr else ""
    return logged(env)


def quit_window(qtbot, app: subprocess.Popen[str]) -> None:
    app.send_signal(signal.SIGTERM)
    qtbot.waitUntil(lambda: app.poll() is not None, timeout=10_000)
    assert app.returncode == 0, app.stderr.read() if app.stderr else ""


def saved(config: Path) -> list[str]:
    """The addresses in the settings file, in order (none before it is first written)."""
    try:
        data = json.loads((config / "settings.json").read_text())
    except FileNotFoundError:
        return []
    return [server["address"] for server in data["servers"]]


def test_a_second_launch_hands_over_its_address_and_both_are_saved(qtbot, place, config):
    with window(place, "--config-dir", str(config), FIRST) as first:
        ready(qtbot, place, first)
        path = socket_path(config)
        assert path is not None and os.path.dirname(path) == place["XDG_RUNTIME_DIR"]
        assert os.stat(path).st_mode & 0o777 == 0o600

        status, out, err, took = launch(place, "--config-dir", str(config), SECOND)

        assert (status, err) == (0, ""), err
        assert took < 1.0, took
        assert out == f"{APP_NAME}: handed 1 server to the window already open on {config}\n"
        qtbot.waitUntil(lambda: saved(config) == [FIRST, SECOND], timeout=5000)
        quit_window(qtbot, first)
    assert saved(config) == [FIRST, SECOND]
    assert not os.path.exists(path)


def test_a_second_launch_without_addresses_or_a_display_only_brings_the_window_up(
    qtbot, place, config
):
    with window(place, "--config-dir", str(config), FIRST) as first:
        ready(qtbot, place, first)
        headless = {k: v for k, v in place.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}

        status, out, err, took = launch(headless, "--config-dir", str(config))

        assert (status, err) == (0, ""), err
        assert out == f"{APP_NAME}: brought up the window already open on {config}\n"
        assert took < 1.0, took
        quit_window(qtbot, first)
    assert saved(config) == [FIRST]


def test_a_killed_windows_socket_does_not_block_the_next_start(qtbot, place, config):
    with window(place, "--config-dir", str(config), FIRST) as first:
        ready(qtbot, place, first)
        qtbot.waitUntil(lambda: saved(config) == [FIRST], timeout=5000)
        first.send_signal(signal.SIGKILL)
        first.wait()
    path = socket_path(config)
    assert path is not None and os.path.exists(path)  # left behind, nobody listening
    with pytest.raises(ConnectionRefusedError), socket.socket(socket.AF_UNIX) as probe:
        probe.connect(path)

    with window(place, "--config-dir", str(config), SECOND) as next_one:
        ready(qtbot, place, next_one, times=2)
        status, _, err, took = launch(place, "--config-dir", str(config), THIRD)
        assert (status, err) == (0, ""), err
        assert took < 1.0, took
        qtbot.waitUntil(lambda: THIRD in saved(config), timeout=5000)
        quit_window(qtbot, next_one)
    assert saved(config) == [FIRST, SECOND, THIRD]


def test_launches_at_the_same_moment_open_one_window(qtbot, place, config):
    addresses = [f"127.0.0.1:{port}" for port in range(20, 24)]
    with contextlib.ExitStack() as stack:
        apps = [
            stack.enter_context(window(place, "--config-dir", str(config), address))
            for address in addresses
        ]
        # All but one hand over (after waiting for the one to start) and end.
        qtbot.waitUntil(lambda: sum(app.poll() is None for app in apps) == 1, timeout=20_000)
        (survivor,) = [app for app in apps if app.poll() is None]
        assert all(app.returncode == 0 for app in apps if app is not survivor)
        qtbot.waitUntil(lambda: sorted(saved(config)) == sorted(addresses), timeout=5000)
        quit_window(qtbot, survivor)
    assert sorted(saved(config)) == sorted(addresses)


def test_a_launch_that_cannot_reach_the_holder_says_so_and_opens_no_window(place, config):
    # The lock held by this test, as by a window stuck before it could listen.
    config.mkdir()
    holder = os.open(config / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        os.write(holder, b"4242\n")
        status, out, err, took = launch(place, "--config-dir", str(config), SECOND)
    finally:
        os.close(holder)
    assert status == 1
    assert out == ""
    assert err == (
        f"{APP_NAME}: another {APP_NAME} (pid 4242) is using {config}, "
        "but it does not answer; try again, or quit that one first\n"
    )
    assert 4 < took < 10, took
    assert not (config / "settings.json").exists()


def test_launches_wait_out_a_crowded_window_instead_of_failing(qtbot, place, config):
    with window(place, "--config-dir", str(config), FIRST) as first:
        ready(qtbot, place, first)
        path = socket_path(config)
        assert path is not None
        addresses = [f"127.0.0.1:{port}" for port in range(30, 36)]
        with contextlib.ExitStack() as held:
            for _ in range(MAX_CONNECTIONS):
                held.enter_context(socket.socket(socket.AF_UNIX)).connect(path)
            # One more is told "busy" at once: the window holds all of those.
            with socket.socket(socket.AF_UNIX) as probe:
                probe.settimeout(5)
                probe.connect(path)
                assert probe.recv(1024).startswith(b"busy: ")

            # The window answers "busy" and closes, often before a launch has
            # sent, over and over until it drops the silent ones (3 s).
            launches = [
                subprocess.Popen(
                    [sys.executable, "-m", "app", "--config-dir", str(config), address],
                    env=place,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for address in addresses
            ]
            errors = [app.communicate(timeout=30)[1] for app in launches]

        ended = [(app.returncode, err) for app, err in zip(launches, errors, strict=True)]
        assert ended == [(0, "")] * len(addresses)
        qtbot.waitUntil(lambda: sorted(saved(config)) == sorted([FIRST, *addresses]), timeout=5000)
        quit_window(qtbot, first)


# Where the socket goes, and what may stand in its place


@pytest.fixture
def no_runtime(place: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No runtime directory: the socket is ``instance.sock`` in the settings directory."""
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    return {name: value for name, value in place.items() if name != "XDG_RUNTIME_DIR"}


def test_a_symbolic_link_in_the_socket_s_place_is_removed_and_launches_work(
    qtbot, no_runtime, config, tmp_path
):
    config.mkdir()
    target = tmp_path / "elsewhere"
    target.write_text("not ours to touch\n")
    (config / SOCKET_NAME).symlink_to(target)

    with window(no_runtime, "--config-dir", str(config), FIRST) as first:
        said = settled(qtbot, no_runtime, first)
        real = config.resolve() / SOCKET_NAME
        assert f"Removed {real}: it was a symbolic link, not this program's socket" in said
        assert f"Later launches reach this window through {real}" in said

        status, _out, err, took = launch(no_runtime, "--config-dir", str(config), SECOND)

        assert (status, err) == (0, ""), err
        assert took < 2.0, took
        qtbot.waitUntil(lambda: saved(config) == [FIRST, SECOND], timeout=5000)
        quit_window(qtbot, first)
    assert target.read_text() == "not ours to touch\n"


def test_a_directory_in_the_socket_s_place_is_named_at_once_with_what_to_do(
    qtbot, no_runtime, config
):
    place = config / SOCKET_NAME
    place.mkdir(parents=True)
    (place / "notes.txt").write_text("mine\n")

    with window(no_runtime, "--config-dir", str(config), FIRST) as first:
        said = settled(qtbot, no_runtime, first)
        real = config.resolve() / SOCKET_NAME
        assert (
            f"Later launches cannot reach this window: {real} is a directory,"
            " not this program's socket; remove it and start again"
        ) in said

        status, out, err, took = launch(no_runtime, "--config-dir", str(config), SECOND)

        assert (status, out) == (1, "")
        assert err == (
            f"{APP_NAME}: cannot reach the window already open on {config} (pid {first.pid}):"
            f" {real} is a directory, not this program's socket;"
            " remove it, quit that window and start again\n"
        )
        assert took < 2.5, took
        quit_window(qtbot, first)
    assert (place / "notes.txt").read_text() == "mine\n"


def test_a_directory_another_user_made_in_the_temporary_directory_shuts_nobody_out(
    qtbot, no_runtime, tmp_path
):
    # Settings too deep for a socket's path used to put the socket in
    # $TMPDIR/poetry-downloader-<uid>, which anyone could make first.
    shared = tmp_path / "tmp"
    shared.mkdir()
    planted = shared / f"{APP_NAME}-{os.getuid()}"
    planted.mkdir()
    planted.chmod(0o777)
    env = dict(no_runtime, TMPDIR=str(shared))
    config = tmp_path / ("deep" * 30) / "config"

    with window(env, "--config-dir", str(config), FIRST) as first:
        assert "Later launches reach this window" in settled(qtbot, env, first)

        status, _out, err, took = launch(env, "--config-dir", str(config), SECOND)

        assert (status, err) == (0, ""), err
        assert took < 2.0, took
        qtbot.waitUntil(lambda: saved(config) == [FIRST, SECOND], timeout=5000)
        assert stat.S_ISSOCK((config / SOCKET_NAME).lstat().st_mode)
        quit_window(qtbot, first)
    assert list(planted.iterdir()) == []


# Settings that cannot hold the lock


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[None]:
    """``directory``, made and then read-only for this block (for root too: a read-only mount)."""
    if os.geteuid() != 0:
        directory.mkdir(parents=True)
        directory.chmod(0o555)
        try:
            yield
        finally:
            directory.chmod(0o755)
        return
    # Root ignores permissions: a read-only mount stops it.
    with small_tmpfs(directory, mode="0755"):
        remount_read_only(directory)
        yield


def test_read_only_settings_still_open_one_window(qtbot, place, config):
    with read_only(config):
        with window(place, "--config-dir", str(config), FIRST) as first:
            said = settled(qtbot, place, first)
            assert "Later launches reach this window" in said
            assert "The settings directory cannot hold the lock" in said

            status, out, err, _took = launch(place, "--config-dir", str(config), SECOND, timeout=20)

            assert (status, err) == (0, ""), err
            assert out == f"{APP_NAME}: handed 1 server to the window already open on {config}\n"
            quit_window(qtbot, first)
        assert not (config / LOCK_NAME).exists()
    lock = Path(place["XDG_STATE_HOME"]) / APP_NAME / f"instance-{directory_key(config)}.lock"
    assert lock.is_file()
