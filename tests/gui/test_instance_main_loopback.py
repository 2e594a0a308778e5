"""One window per settings directory on Windows and macOS, taken on Linux with real processes.

Both processes are told they run on another system (app.platform), so the
window listens on loopback TCP and writes its port file, and the second
``poetry-downloader`` reads it, presents the token and hands its address over.
"""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest

from app import APP_NAME
from app.instance.claim import LOCK_NAME
from app.instance.loopback import LOOPBACK, read_port_file
from app.instance.socket_path import directory_key
from app.platform import FORCE_VARIABLE
from tests.gui import test_instance_main
from tests.gui.test_instance_main import (
    FIRST,
    SECOND,
    THIRD,
    launch,
    quit_window,
    ready,
    saved,
    window,
)

#: Seconds within which a launch that found the window at once has ended, on a busy
#: machine: well under the 5 s it would spend looking for one that does not answer.
FOUND_AT_ONCE = 4.0

#: The processes' runtime and state directories, and the settings directory, as there.
place = test_instance_main.place
config = test_instance_main.config


@pytest.fixture(params=["windows", "macos"])
def elsewhere(request, place: dict[str, str]) -> dict[str, str]:
    """The processes' environment, telling them they run on Windows or macOS."""
    return {**place, FORCE_VARIABLE: request.param}


def port_file_of(env: dict[str, str], config: Path) -> Path:
    return Path(env["XDG_STATE_HOME"]) / APP_NAME / f"instance-{directory_key(config)}.port"


def test_a_second_launch_hands_over_by_loopback_and_both_are_saved(qtbot, elsewhere, config):
    with window(elsewhere, "--config-dir", str(config), FIRST) as first:
        ready(qtbot, elsewhere, first)
        port_file = port_file_of(elsewhere, config)
        port, _token = read_port_file(str(port_file))
        assert os.stat(port_file).st_mode & 0o777 == 0o600
        assert (config / LOCK_NAME).read_text() == f"{first.pid}\n"

        status, out, err, took = launch(elsewhere, "--config-dir", str(config), SECOND)

        assert (status, err) == (0, ""), err
        assert took < FOUND_AT_ONCE, took
        assert out == f"{APP_NAME}: handed 1 server to the window already open on {config}\n"
        qtbot.waitUntil(lambda: saved(config) == [FIRST, SECOND], timeout=5000)
        quit_window(qtbot, first)
    assert saved(config) == [FIRST, SECOND]
    assert not port_file.exists()
    assert os.listdir(elsewhere["XDG_RUNTIME_DIR"]) == []  # no UNIX socket anywhere
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((LOOPBACK, port), timeout=5).close()


def test_a_killed_window_s_port_file_does_not_block_the_next_start(qtbot, elsewhere, config):
    with window(elsewhere, "--config-dir", str(config), FIRST) as first:
        ready(qtbot, elsewhere, first)
        qtbot.waitUntil(lambda: saved(config) == [FIRST], timeout=5000)
        first.send_signal(signal.SIGKILL)
        first.wait()
    port_file = port_file_of(elsewhere, config)
    stale = port_file.read_text()  # left behind, nobody listening

    with window(elsewhere, "--config-dir", str(config), SECOND) as next_one:
        ready(qtbot, elsewhere, next_one, times=2)
        assert port_file.read_text() != stale  # a new port and a new token
        status, _, err, took = launch(elsewhere, "--config-dir", str(config), THIRD)
        assert (status, err) == (0, ""), err
        assert took < FOUND_AT_ONCE, took
        qtbot.waitUntil(lambda: THIRD in saved(config), timeout=5000)
        quit_window(qtbot, next_one)
    assert saved(config) == [FIRST, SECOND, THIRD]
