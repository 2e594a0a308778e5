"""The window under test, as the app builds it: QApplication, then qt5reactor, then MainWindow.

The order is the app's own (DESIGN §8, trap 1). The window is shown
(offscreen under ``QT_QPA_PLATFORM=offscreen``), so the table and its
progress delegate really paint while downloads run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

#: How often :func:`when_finished` looks at the rows (its cost: one pass over them).
POLL_SECONDS = 0.02

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred

    from app.gui import MainWindow
    from app.rows import ServerRow


def install_qt_reactor() -> object:
    """Make the QApplication, then install the app's qt5reactor; return the application."""
    from PyQt5.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    from app.gui import qt_reactor

    qt_reactor.install()
    return app


def open_window(config_dir: Path) -> MainWindow:
    """A shown ``MainWindow`` on a fresh config dir (so no saved servers, no demo)."""
    try:
        from app.gui import MainWindow
    except ImportError as e:
        raise SystemExit(f"benchmark needs app.gui.MainWindow (DESIGN §6): {e}") from None
    window = MainWindow(config_dir=config_dir)
    window.show()
    return window


def when_finished(rows: list[ServerRow]) -> Deferred[None]:
    """A Deferred that fires once every row's download has finished, however it ended.

    Rows that started at once are followed through their Deferreds, which
    fire the moment the last poem arrives. The window opens many
    connections in batches across reactor turns (rows wait as Queued
    meanwhile); then the rows are watched every :data:`POLL_SECONDS`.
    """
    from twisted.internet.defer import Deferred, DeferredList
    from twisted.internet.task import LoopingCall

    if all(row.deferred is not None for row in rows):
        waits: list[Deferred[None]] = []
        for row in rows:
            wait: Deferred[None] = Deferred()
            row.deferred.addBoth(_fire_and_pass, wait)
            waits.append(wait)
        return DeferredList(waits).addCallback(lambda _: None)

    finished: Deferred[None] = Deferred()

    def look() -> None:
        if not any(row.status.active for row in rows):
            watch.stop()
            finished.callback(None)

    watch = LoopingCall(look)
    watch.start(POLL_SECONDS, now=False)
    return finished


def _fire_and_pass(result: object, wait: Deferred[None]) -> object:
    wait.callback(None)
    return result
