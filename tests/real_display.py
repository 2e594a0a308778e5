"""Real displays for the tests that run the installed window: Xvfb, a window manager, Wayland.

The rest of the suite runs Qt offscreen, which has no window manager, no
frame and one 800 x 600 screen. Here a test starts its own ``Xvfb`` (it
picks a free display number and says which once it accepts clients), of
the size it asks, with ``openbox`` on it when it wants frames and a work
area as a desktop has them, or a headless ``weston`` for Wayland; runs the
installed ``poetry-downloader`` there as a person would, and looks at it
from outside with the X tools. Each skips, saying which Debian packages to
install, when its tools are missing; ``.ci/run`` installs them, so CI runs
them all.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

from app import APP_NAME, DISPLAY_NAME
from app.log import LOG_FILE_NAME

BIN = Path(sys.executable).parent
PROGRAM = BIN / "poetry-downloader"
POETRY_SERVER = BIN / "poetry-server"
POEM = Path(__file__).resolve().parent.parent / "resources" / "poems" / "ozymandias.txt"
#: (command, Debian package) for each tool the real-X tests run.
TOOLS = (("Xvfb", "xvfb"), ("xdotool", "xdotool"), ("import", "imagemagick"), ("xauth", "xauth"))
#: And those that look at a window manager's frames, and the Wayland compositor.
WINDOW_MANAGER_TOOLS = (("openbox", "openbox"), ("xprop", "x11-utils"), ("xwininfo", "x11-utils"))
WAYLAND_TOOLS = (("weston", "weston"),)


def need(tools: tuple[tuple[str, str], ...], what: str = "the real-X tests") -> None:
    """Skip the test, naming the Debian packages to install, unless every tool is there."""
    missing = sorted({package for command, package in tools if shutil.which(command) is None})
    if missing:
        pytest.skip(f"{what} need {' '.join(missing)} (Debian packages)")


@contextlib.contextmanager
def xvfb(tmp_path: Path, *options: str, size: str = "1280x800") -> Iterator[str]:
    """A fresh ``Xvfb`` of one ``size`` screen on a free display number; yields ``:N``."""
    need(TOOLS)
    ready, tell = os.pipe()
    with (tmp_path / "xvfb.log").open("wb") as log:
        server = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(tell),
                "-screen",
                "0",
                f"{size}x24",
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


@contextlib.contextmanager
def openbox(display: str, tmp_path: Path) -> Iterator[None]:
    """``openbox`` managing ``display`` for the block: frames, a work area, focus."""
    need(WINDOW_MANAGER_TOOLS, "the window manager tests")
    env = dict(os.environ, DISPLAY=display)
    with (tmp_path / "openbox.log").open("wb") as log:
        manager = subprocess.Popen(["openbox", "--sm-disable"], env=env, stdout=log, stderr=log)
    try:
        # It has taken over once the root window names it (EWMH's check window)
        # and the work area it leaves to windows.
        deadline = time.monotonic() + 20
        while not (
            "window id" in x_property(display, "-root", "_NET_SUPPORTING_WM_CHECK")
            and "=" in x_property(display, "-root", "_NET_WORKAREA")
        ):
            assert manager.poll() is None, (tmp_path / "openbox.log").read_text()
            assert time.monotonic() < deadline, "openbox did not take over the display"
            time.sleep(0.05)
        yield
    finally:
        manager.terminate()
        manager.wait(timeout=10)


@contextlib.contextmanager
def weston(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A headless ``weston`` for the block; yields the environment that reaches it."""
    need(WAYLAND_TOOLS, "the Wayland test")
    runtime = tmp_path / "wayland-runtime"
    runtime.mkdir(mode=0o700)
    socket = "poetry-test-wayland"
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime))
    env.pop("DISPLAY", None)
    with (tmp_path / "weston.log").open("wb") as log:
        compositor = subprocess.Popen(
            ["weston", "--backend=headless-backend.so", f"--socket={socket}", "--idle-time=0"],
            env=env,
            stdout=log,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 20
        while not (runtime / socket).exists():
            assert compositor.poll() is None, (tmp_path / "weston.log").read_text()
            assert time.monotonic() < deadline, "weston did not open its socket"
            time.sleep(0.05)
        yield {"XDG_RUNTIME_DIR": str(runtime), "WAYLAND_DISPLAY": socket}
    finally:
        compositor.terminate()
        compositor.wait(timeout=10)


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


def windows(display: str, title: str = DISPLAY_NAME) -> list[str]:
    """The ids of the mapped windows titled ``title`` (a regular expression)."""
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"],
        env=dict(os.environ, DISPLAY=display),
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return found.stdout.split()


def x_property(display: str, *where_and_name: str) -> str:
    """What ``xprop`` says of a property (``-root NAME`` or ``-id ID NAME``)."""
    return subprocess.run(
        ["xprop", "-display", display, *where_and_name],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    ).stdout


class Rect(NamedTuple):
    """A rectangle on the screen, in the X server's pixels."""

    x: int
    y: int
    width: int
    height: int

    def inside(self, other: Rect) -> bool:
        return (
            other.x <= self.x
            and other.y <= self.y
            and self.x + self.width <= other.x + other.width
            and self.y + self.height <= other.y + other.height
        )


def _numbers(text: str) -> list[int]:
    return [int(n) for n in text.split("=", 1)[1].replace(",", " ").split()] if "=" in text else []


def work_area(display: str) -> Rect:
    """The screen less the panels, as the window manager says (``_NET_WORKAREA``)."""
    numbers = _numbers(x_property(display, "-root", "_NET_WORKAREA"))
    assert len(numbers) >= 4, "the window manager names no work area"
    return Rect(*numbers[:4])


def frame(display: str, window: str) -> Rect:
    """``window``'s frame: where it is and its size, plus the window manager's borders."""
    said = subprocess.run(
        ["xwininfo", "-display", display, "-id", window],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    ).stdout
    fields = dict(line.strip().split(":", 1) for line in said.splitlines() if ":" in line)
    x, y = int(fields["Absolute upper-left X"]), int(fields["Absolute upper-left Y"])
    width, height = int(fields["Width"]), int(fields["Height"])
    extents = _numbers(x_property(display, "-id", window, "_NET_FRAME_EXTENTS"))
    left, right, top, bottom = extents if len(extents) == 4 else (0, 0, 0, 0)
    return Rect(x - left, y - top, width + left + right, height + top + bottom)


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
