"""The installed window on a real X server: it maps, downloads, paints and quits.

The rest of the suite runs Qt offscreen, which never loads the X platform
plugin, its libraries or a display connection: exactly what failed on a
fresh machine. Here each test starts its own ``Xvfb``, runs the installed
``poetry-downloader`` on it as a person would, and looks at it from outside
with the X tools (:mod:`tests.real_display`): ``xdotool`` for the window,
``import`` (ImageMagick) for a screenshot. No window manager: a mapped
window is all that is asked (``tests/test_screens.py`` has one).

Skipped, saying what to install, when those tools are missing; ``.ci/run``
installs them, so CI always runs these.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PyQt5.QtGui import QImage
from pytestqt.qtbot import QtBot

from app import APP_NAME
from tests.real_display import (
    POEM,
    POETRY_SERVER,
    environment,
    logged,
    start,
    stop,
    wait_for,
    windows,
    xvfb,
)

pytestmark = pytest.mark.x11


@pytest.fixture
def x_display(tmp_path: Path) -> Iterator[str]:
    with xvfb(tmp_path) as display:
        yield display


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
