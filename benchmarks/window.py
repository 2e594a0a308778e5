"""The window under test, as the app builds it: QApplication, then qt5reactor, then MainWindow.

The order is the app's own (DESIGN §8, trap 1). The window is shown
(offscreen under ``QT_QPA_PLATFORM=offscreen``), so the table and its
progress delegate really paint while downloads run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred

    from app.gui import MainWindow
    from app.gui.rows import ServerRow


def install_qt_reactor() -> object:
    """Make the QApplication, then install qt5reactor; return the application."""
    from PyQt5.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    import qt5reactor

    qt5reactor.install()
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
    """A Deferred that fires once every row's download has finished, however it ended."""
    from twisted.internet.defer import Deferred, DeferredList

    waits: list[Deferred[None]] = []
    for row in rows:
        if row.deferred is None:
            raise SystemExit(f"{row.address} did not start at once (connection limit?)")
        wait: Deferred[None] = Deferred()
        row.deferred.addBoth(_fire_and_pass, wait)
        waits.append(wait)
    return DeferredList(waits).addCallback(lambda _: None)


def _fire_and_pass(result: object, wait: Deferred[None]) -> object:
    wait.callback(None)
    return result
