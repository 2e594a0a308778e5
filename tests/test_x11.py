"""The installed window on a real X server: it maps, downloads, paints and quits.

The rest of the suite runs Qt offscreen, which never loads the X platform
plugin, its libraries or a display connection: exactly what failed on a
fresh machine. Here each test starts its own ``Xvfb`` (it picks a free
display number and says which once it accepts clients), runs the installed
``poetry-downloader`` on it as a person would, and looks at it from outside
with the X tools: ``xdotool`` for the window, ``import`` (ImageMagick) for a
screenshot. No window manager: a mapped window is all that is asked.

Skipped, saying what to install, when those tools are missing; ``.ci/run``
installs them, so CI always runs these.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PyQt5.QtGui import QImage
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

from app import APP_NAME, DISPLAY_NAME
from app.log import LOG_FILE_NAME

pytestmark = pytest.mark.x11

BIN = Path(sys.executable).parent
PROGRAM = BIN / "poetry-downloader"
POETRY_SERVER = BIN / "poetry-server"
POEM = Path(__file__).resolve().parent.parent / "resources" / "poems" / "ozymandias.txt"
#: (command, Debian package) for each tool these tests run.
TOOLS = (("Xvfb", "xvfb"), ("xdotool", "xdotool"), ("import", "imagemagick"), ("xauth", "xauth"))


@contextlib.contextmanager
def xvfb(tmp_path: Path, *options: str) -> Iterator[str]:
    """A fresh ``Xvfb`` on a free display number, stopped after the block; yields ``:N``."""
    missing = [package for command, package in TOOLS if shutil.which(command) is None]
    if missing:
        pytest.skip(f"the real-X tests need {' '.join(missing)} (Debian packages)")
    ready, tell = os.pipe()
    with (tmp_path / "xvfb.log").open("wb") as log:
        server = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(tell),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
                # Else the server resets whenever its last client leaves (each
                # xdotool call the tests make), and a window connecting in that
                # moment is turned away: "could not connect to display".
                "-noreset",
                *options,
            ],
            pass_fds=(tell,),
            stdout=log,
            stderr=log,
        )
    os.close(tell)
    try:
        # Xvfb writes its display number once it accepts connections.
        answered, _, _ = select.select([ready], [], [], 20)
        number = os.read(ready, 64).decode().strip() if answered else ""
        assert number.isdigit(), f"Xvfb did not start: {(tmp_path / 'xvfb.log').read_text()}"
        assert Path(f"/tmp/.X11-unix/X{number}").exists()
        yield f":{number}"
    finally:
        os.close(ready)
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def x_display(tmp_path: Path) -> Iterator[str]:
    with xvfb(tmp_path) as display:
        yield display


def environment(tmp_path: Path, display: str) -> dict[str, str]:
    """The display, and the test's own state, runtime dir and (absent) session bus."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "WAYLAND_SOCKET")
    }
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env.update(
        DISPLAY=display,
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_RUNTIME_DIR=str(runtime),
        DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path / 'no-bus'}",
    )
    return env


def logged(tmp_path: Path) -> list[str]:
    path = tmp_path / "state" / APP_NAME / LOG_FILE_NAME
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def windows(display: str) -> list[str]:
    """The ids of the mapped windows titled "Poetry Downloader"."""
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", f"^{DISPLAY_NAME}$"],
        env=dict(os.environ, DISPLAY=display),
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return found.stdout.split()


def distinct_colours(display: str, shot: Path) -> int:
    """How many colours a screenshot of the whole screen has."""
    subprocess.run(
        ["import", "-display", display, "-window", "root", str(shot)], check=True, timeout=30
    )
    image = QImage(str(shot)).convertToFormat(QImage.Format_RGB32)
    assert not image.isNull() and image.width() == 1280
    pixels = image.constBits()
    pixels.setsize(image.sizeInBytes())
    return len(set(memoryview(pixels).cast("I")))


def start(args: list[str], env: dict[str, str], tmp_path: Path, name: str) -> subprocess.Popen[str]:
    with (tmp_path / f"{name}.stderr").open("w") as err:
        return subprocess.Popen([str(PROGRAM), *args], env=env, stderr=err, text=True, cwd=tmp_path)


def wait_for(
    qtbot: QtBot, condition: Callable[[], bool], what: str, seconds: float, tmp_path: Path
) -> None:
    """Turn the event loop until ``condition()``; fail naming ``what``, with what stderr says."""
    try:
        qtbot.waitUntil(condition, timeout=int(seconds * 1000))
    except WaitTimeout:
        said = {err.name: err.read_text() for err in sorted(tmp_path.glob("*.stderr"))}
        pytest.fail(f"no {what} after {seconds} s; stderr: {said}")


def stop(app: subprocess.Popen[str]) -> None:
    if app.poll() is None:
        app.kill()
    app.wait(timeout=10)


def test_the_window_maps_downloads_paints_and_quits_on_sigterm(
    qtbot: QtBot, tmp_path: Path, x_display: str
) -> None:
    env = environment(tmp_path, x_display)
    app = start(["--config-dir", str(tmp_path / "config"), "--demo"], env, tmp_path, "app")
    try:
        wait_for(qtbot, lambda: len(windows(x_display)) == 1, "window", 20, tmp_path)
        # What a person sees first: a demo poem arrives (the log says so).
        wait_for(
            qtbot,
            lambda: any(": done, " in line for line in logged(tmp_path)),
            "finished download",
            20,
            tmp_path,
        )
        # A blank or black screen has one or two colours; the window has text,
        # bars and icons, anti-aliased.
        assert distinct_colours(x_display, tmp_path / "screen.png") > 50
        sent = time.monotonic()
        app.send_signal(signal.SIGTERM)
        qtbot.waitUntil(lambda: app.poll() is not None, timeout=10_000)
        took = time.monotonic() - sent
    finally:
        stop(app)
    assert app.returncode == 0, (tmp_path / "app.stderr").read_text()
    assert took < 2.0, took
    assert windows(x_display) == []


def test_a_second_start_on_the_same_settings_hands_over_to_the_first_window(
    qtbot: QtBot, tmp_path: Path, x_display: str
) -> None:
    """One window per settings directory: the second start adds its addresses to the first."""
    env = environment(tmp_path, x_display)
    config = str(tmp_path / "config")
    server = subprocess.Popen(
        [str(POETRY_SERVER), "--delay", "0", str(POEM)], env=env, stdout=subprocess.PIPE, text=True
    )
    first = start(["--config-dir", config], env, tmp_path, "first")
    second: subprocess.Popen[str] | None = None
    try:
        assert server.stdout is not None
        address = server.stdout.readline().rsplit(" ", 1)[1].strip()  # Serving FILE on HOST:PORT
        wait_for(qtbot, lambda: len(windows(x_display)) == 1, "window", 20, tmp_path)
        began = time.monotonic()
        second = start(["--config-dir", config, address], env, tmp_path, "second")
        qtbot.waitUntil(
            lambda: second.poll() is not None or time.monotonic() - began > 3, timeout=5000
        )
        took = time.monotonic() - began
        assert second.poll() is not None and took < 1.0, (
            f"a second start on the same settings should hand over and exit within 1 s"
            f" (exit {second.returncode} after {took:.2f} s)"
        )
        assert second.returncode == 0, (tmp_path / "second.stderr").read_text()
        wait_for(
            qtbot,
            lambda: any(f" {address}: done, " in line for line in logged(tmp_path)),
            f"download from {address} in the first window",
            10,
            tmp_path,
        )
        assert first.poll() is None
        assert len(windows(x_display)) == 1
    finally:
        for process in (first, second, server):
            if process is not None:
                stop(process)


def test_an_x_display_that_refuses_this_user_is_one_line_not_an_abort(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # The server wants a cookie this user does not have: its socket answers,
    # and the X handshake, which the start-up check makes as Qt would, does not.
    cookies = tmp_path / "server-cookies"
    subprocess.run(
        ["xauth", "-q", "-f", str(cookies), "add", ":0", ".", os.urandom(16).hex()],
        check=True,
        timeout=10,
    )
    with xvfb(tmp_path, "-auth", str(cookies)) as display:
        env = environment(tmp_path, display)
        env["XAUTHORITY"] = str(tmp_path / "no-cookies")
        app = start(["--config-dir", str(tmp_path / "config")], env, tmp_path, "app")
        try:
            wait_for(qtbot, lambda: app.poll() is not None, "exit", 10, tmp_path)
        finally:
            stop(app)
    said = (tmp_path / "app.stderr").read_text().splitlines()
    assert app.returncode == 1, said
    line = f"{APP_NAME}: cannot open a window: the X display {display} refused this program;"
    # Before ours, libxcb's own words on the refusal, which only it can print.
    assert said[-1].startswith(line), said
    assert "XAUTHORITY" in said[-1]
    assert [entry for entry in logged(tmp_path) if entry.endswith(said[-1])]


def test_what_only_qt_finds_wrong_is_one_line_not_an_abort(qtbot: QtBot, tmp_path: Path) -> None:
    # A screen the display does not have: the start-up check's connection asks
    # for none, so only Qt, asking for screen 7, is turned away, and its fatal
    # word is caught and told in one line (app.gui.platform_guard).
    with xvfb(tmp_path) as display:
        env = environment(tmp_path, f"{display}.7")
        app = start(["--config-dir", str(tmp_path / "config")], env, tmp_path, "app")
        try:
            wait_for(qtbot, lambda: app.poll() is not None, "exit", 10, tmp_path)
        finally:
            stop(app)
    said = (tmp_path / "app.stderr").read_text().splitlines()
    assert app.returncode == 1, said
    line = f"{APP_NAME}: cannot open a window: Qt could not start (qt.qpa.xcb: could not connect"
    assert said[-1].startswith(line), said
    assert "XAUTHORITY" in said[-1]
    assert [entry for entry in logged(tmp_path) if entry.endswith(said[-1])]
