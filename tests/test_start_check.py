"""The installed ``poetry-downloader`` where no window can open: one line, exit 1, never an abort.

Each case is run twice: once as bare Qt (a ``QApplication`` and nothing
else), to show that Qt really aborts there, and once as the installed
program, which must exit with status 1 within 2 s after one line on stderr
naming the cause and the fix, the same line in its log file. The missing
libraries are real too: files that are no libraries, put first in the
loader's search path (``LD_LIBRARY_PATH``) under the names of three the X
plugin needs, so neither Qt nor the check can load them.

No test here may reach the desktop of whoever runs the tests: the session
bus is pointed at a socket that does not exist, except in the notification
test, which starts a bus of its own with a notification server in this
process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PyQt5.QtCore import Q_CLASSINFO, QObject, pyqtSlot
from PyQt5.QtDBus import QDBusConnection
from pytestqt.qtbot import QtBot

from app import APP_NAME, DISPLAY_NAME
from app.log import LOG_FILE_NAME
from app.startup.platform_packages import XCB_LIBRARIES, packages
from tests.conftest import free_x_display_number, x_server_socket

BIN = Path(sys.executable).parent
PROGRAM = BIN / "poetry-downloader"
#: The promise: out within this many seconds, however the display is broken.
LIMIT = 2.0
QT_ALONE = "from PyQt5.QtWidgets import QApplication\nQApplication(['qt'])\nprint('started')\n"


def environment(tmp_path: Path, **changes: str) -> dict[str, str]:
    """The test's environment without any display, its own state and runtime dirs, and no bus."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in (
            "DISPLAY",
            "WAYLAND_DISPLAY",
            "WAYLAND_SOCKET",
            "QT_QPA_PLATFORM",
            "QT_QPA_PLATFORM_PLUGIN_PATH",
            "QT_PLUGIN_PATH",
        )
    }
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env.update(
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_RUNTIME_DIR=str(runtime),
        DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path / 'no-bus'}",
    )
    env.update(changes)
    return env


def log_lines(tmp_path: Path) -> list[str]:
    path = tmp_path / "state" / APP_NAME / LOG_FILE_NAME
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


class Outcome:
    def __init__(self, done: subprocess.CompletedProcess[str], took: float) -> None:
        self.code = done.returncode
        self.out = done.stdout
        self.lines = done.stderr.splitlines()
        self.took = took


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> Outcome:
    began = time.monotonic()
    done = subprocess.run(
        args,
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return Outcome(done, time.monotonic() - began)


def assert_refused_in_one_line(outcome: Outcome, tmp_path: Path, *words: str) -> str:
    """Exit 1 within the limit, one line on stderr holding ``words``, that line in the log."""
    assert outcome.code == 1, outcome.lines
    assert outcome.took < LIMIT, outcome.took
    assert outcome.out == ""
    assert len(outcome.lines) == 1, outcome.lines
    line = outcome.lines[0]
    assert line.startswith(f"{APP_NAME}: cannot open a window: "), line
    for word in words:
        assert word in line, (word, line)
    logged = [entry for entry in log_lines(tmp_path) if entry.endswith(line)]
    assert len(logged) == 1, log_lines(tmp_path)
    assert " ERROR " in logged[0]
    return line


def qt_alone_aborts(env: dict[str, str], tmp_path: Path) -> None:
    """Bare Qt in the same environment is killed by SIGABRT: the case is a real abort."""
    outcome = run([sys.executable, "-c", QT_ALONE], env, tmp_path)
    assert outcome.code == -signal.SIGABRT, (outcome.code, outcome.lines)


def test_without_any_display(tmp_path: Path) -> None:
    env = environment(tmp_path)
    qt_alone_aborts(env, tmp_path)
    outcome = run([str(PROGRAM), "--config-dir", str(tmp_path / "config")], env, tmp_path)
    assert_refused_in_one_line(
        outcome, tmp_path, "no display (DISPLAY is not set)", "set DISPLAY", "offscreen"
    )


def test_an_x_display_with_nothing_there(tmp_path: Path) -> None:
    number = free_x_display_number()
    env = environment(tmp_path, DISPLAY=f":{number}")
    qt_alone_aborts(env, tmp_path)
    outcome = run([str(PROGRAM), "10000"], env, tmp_path)
    assert_refused_in_one_line(
        outcome,
        tmp_path,
        f"the X display :{number} does not answer",
        f"/tmp/.X11-unix/X{number}",
        "start the X server, or set DISPLAY to one that is running",
    )


def test_a_wayland_display_with_nothing_there(tmp_path: Path) -> None:
    env = environment(tmp_path, QT_QPA_PLATFORM="wayland", WAYLAND_DISPLAY="bogus-display")
    qt_alone_aborts(env, tmp_path)
    outcome = run([str(PROGRAM)], env, tmp_path)
    assert_refused_in_one_line(
        outcome,
        tmp_path,
        "the Wayland display bogus-display does not answer",
        str(tmp_path / "runtime" / "bogus-display"),
        "set WAYLAND_DISPLAY",
    )


def test_libraries_the_x_plugin_needs_cannot_be_loaded(tmp_path: Path) -> None:
    # Three libraries a bare Debian lacks, shadowed: the loader searches
    # LD_LIBRARY_PATH first, finds files there that are no libraries, and gives
    # up on them, as if they were not installed. Qt's X plugin cannot load
    # from anywhere.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    for name in ("libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-xinerama.so.0"):
        (shadow / name).write_bytes(b"")
    with x_server_socket() as number:
        env = environment(tmp_path, DISPLAY=f":{number}", LD_LIBRARY_PATH=str(shadow))
        qt_alone_aborts(env, tmp_path)
        outcome = run([str(PROGRAM), "--demo"], env, tmp_path)
    line = assert_refused_in_one_line(
        outcome, tmp_path, "Qt's xcb platform needs libxcb-icccm.so.4"
    )
    # On a machine with every other library Qt's X plugin needs (as CI has),
    # exactly the three; elsewhere the line also names what else is missing.
    needs, _, advice = line.partition(", which cannot be loaded; install them with: ")
    files = needs.split("needs ", 1)[1].split(", ")
    assert {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-xinerama.so.0"} <= set(files)
    assert advice == (
        f"sudo apt-get install {' '.join(packages(files, 'debian'))} (Debian, Ubuntu)"
        f" or sudo dnf install {' '.join(packages(files, 'fedora'))} (Fedora)"
    )
    assert {"libxcb-icccm4", "libxcb-keysyms1", "libxcb-xinerama0"} <= set(advice.split())
    assert {"xcb-util-wm", "xcb-util-keysyms", "libxcb"} <= set(advice.split())


def test_without_libxcb_itself_the_line_names_what_to_install(tmp_path: Path) -> None:
    # The check connects to the display through libxcb, as Qt does: shadowed,
    # it cannot ask the display anything, and names what to install instead.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "libxcb.so.1").write_bytes(b"")
    with x_server_socket() as number:
        env = environment(tmp_path, DISPLAY=f":{number}", LD_LIBRARY_PATH=str(shadow))
        # Bare Qt does not get as far as an abort: its own libraries need libxcb.
        bare = run([sys.executable, "-c", QT_ALONE], env, tmp_path)
        assert bare.code == 1 and "libxcb.so.1" in bare.lines[-1], bare.lines
        outcome = run([str(PROGRAM)], env, tmp_path)
    line = assert_refused_in_one_line(outcome, tmp_path, "Qt's xcb platform needs libxcb.so.1")
    advice = line.partition(", which cannot be loaded; install them with: ")[2]
    assert advice.startswith("sudo apt-get install libxcb1 "), line
    assert " or sudo dnf install libxcb " in advice, line


def test_make_runs_step_says_the_same_and_is_silent_when_all_is_well(tmp_path: Path) -> None:
    number = free_x_display_number()
    env = environment(tmp_path, DISPLAY=f":{number}")
    outcome = run([sys.executable, "-m", "app.startup.display_check"], env, tmp_path)
    assert outcome.code == 1
    assert len(outcome.lines) == 1
    assert outcome.lines[0].startswith(
        f"{APP_NAME}: cannot open a window: the X display :{number} does not answer"
    )
    outcome = run(
        [sys.executable, "-m", "app.startup.display_check"],
        environment(tmp_path, QT_QPA_PLATFORM="offscreen"),
        tmp_path,
    )
    assert (outcome.code, outcome.lines, outcome.out) == (0, [], "")
    outcome = run(
        [sys.executable, "-m", "app.startup.display_check", "--packages", "debian"], env, tmp_path
    )
    assert outcome.out.split() == packages(XCB_LIBRARIES, "debian")


# The desktop notification, on a session bus of the test's own


class NotificationServer(QObject):
    """``org.freedesktop.Notifications`` as a desktop provides it, keeping what it is sent."""

    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[str, str, str, str]] = []

    @pyqtSlot(str, "uint", str, str, str, "QStringList", "QVariantMap", int, result="uint")
    def Notify(  # the D-Bus method's name
        self,
        app_name: str,
        replaces_id: int,
        icon: str,
        summary: str,
        body: str,
        actions: list[str],
        hints: dict[str, object],
        timeout: int,
    ) -> int:
        self.received.append((app_name, icon, summary, body))
        return len(self.received)


@contextlib.contextmanager
def session_bus(tmp_path: Path) -> Iterator[str]:
    """A private ``dbus-daemon`` session bus; yields its address."""
    try:
        daemon = subprocess.Popen(
            [
                "dbus-daemon",
                "--session",
                "--nofork",
                "--print-address=1",
                f"--address=unix:path={tmp_path / 'bus'}",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
    except FileNotFoundError:
        pytest.skip("dbus-daemon is not installed (Debian: dbus-daemon)")
    try:
        assert daemon.stdout is not None
        yield daemon.stdout.readline().strip()
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def test_a_failed_start_is_also_a_desktop_notification(qtbot: QtBot, tmp_path: Path) -> None:
    with session_bus(tmp_path) as address:
        name = f"notifications-{os.getpid()}"
        bus = QDBusConnection.connectToBus(address, name)
        try:
            assert bus.isConnected(), bus.lastError().message()
            server = NotificationServer()
            assert bus.registerObject(
                "/org/freedesktop/Notifications", server, QDBusConnection.ExportAllSlots
            )
            assert bus.registerService("org.freedesktop.Notifications")
            env = environment(tmp_path, DBUS_SESSION_BUS_ADDRESS=address)
            began = time.monotonic()
            app = subprocess.Popen(
                [str(PROGRAM)], env=env, stderr=subprocess.PIPE, text=True, cwd=tmp_path
            )
            # The bus calls this process's server on the Qt event loop, which
            # waiting here keeps turning.
            qtbot.waitUntil(lambda: app.poll() is not None, timeout=10_000)
            took = time.monotonic() - began
            assert app.stderr is not None
            line = app.stderr.read().strip()
        finally:
            QDBusConnection.disconnectFromBus(name)
    assert app.returncode == 1
    assert took < LIMIT, took
    problem = line.removeprefix(f"{APP_NAME}: ")
    assert problem.startswith("cannot open a window: no display")
    assert server.received == [(DISPLAY_NAME, APP_NAME, f"{DISPLAY_NAME} cannot start", problem)]
