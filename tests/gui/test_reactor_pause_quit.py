"""The real program, paused by a person, quits at once on SIGTERM and exits 0.

The quit is one of the reactor's own timers (``reactor.callLater(0,
reactor.stop)``, app/__main__.py), which a paused reactor would never
run; the window's shutdown lets the reactor go first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import local

REPO = Path(__file__).resolve().parents[2]
POEM = b"".join(b"Line %02d of a poem that comes slowly.\n" % n for n in range(40))

# The program as app/__main__.py starts it; once the window is up a person
# presses Pause Reactor, and a mark (the file named by the first argument)
# says so.
PAUSED_WINDOW = """
import pathlib, sys
paused = pathlib.Path(sys.argv.pop(1))
from PyQt5.QtCore import QTimer
from app.gui.window import MainWindow
shown = MainWindow.show
def show(window):
    shown(window)
    def pause():
        window.commands.reactor_pause.trigger()
        assert window.reactor_dock.reactor.paused
        paused.touch()
    QTimer.singleShot(500, pause)
MainWindow.show = show
from app.__main__ import main
sys.argv[0] = "poetry-downloader"
main()
"""


def test_sigterm_while_paused_exits_0_at_once(qtbot, tmp_path, servers):
    port, factory = servers.poetry(POEM, delay=0.1, num_bytes=10)
    config, paused = tmp_path / "config", tmp_path / "paused"
    env = dict(
        os.environ,
        PYTHONPATH=str(REPO),
        QT_QPA_PLATFORM="offscreen",
        XDG_STATE_HOME=str(tmp_path / "state"),
    )
    command = [sys.executable, "-c", PAUSED_WINDOW, str(paused), "--config-dir", str(config)]
    app = subprocess.Popen(
        [*command, str(local(port))],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        qtbot.waitUntil(paused.exists, timeout=20_000)
        qtbot.waitUntil(lambda: factory.clients == 1, timeout=5000)  # a download held mid-way
        assert app.poll() is None
        sent = time.monotonic()
        app.send_signal(signal.SIGTERM)
        qtbot.waitUntil(lambda: app.poll() is not None, timeout=10_000)
        took = time.monotonic() - sent
    finally:
        app.kill()
        app.wait()
    assert app.returncode == 0, app.stderr.read() if app.stderr else ""
    assert took < 2.0, took
