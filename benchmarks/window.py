"""The window under test, as the app builds it: QApplication, then qt5reactor, then MainWindow.

The order is the app's own: a reactor installed before the QApplication
would make a bare QCoreApplication, and the first widget would abort. The
window is shown (offscreen under ``QT_QPA_PLATFORM=offscreen``), so the
table and its progress delegate really paint while downloads run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred

    from app.downloads.events import EventStream
    from app.downloads.rows import ServerRow
    from app.gui import MainWindow


def install_qt_reactor() -> object:
    """Make the QApplication, then install the app's qt5reactor; return the application."""
    from PyQt5.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    from app.gui.reactor import qt_reactor

    qt_reactor.install()
    return app


def open_window(config_dir: Path, events: EventStream | None = None) -> MainWindow:
    """A shown ``MainWindow`` on a fresh config dir (so no saved servers, no demo).

    The window logs to a file in ``config_dir`` as the program logs to its
    own: every download's records are written, as they are for a person.
    ``events`` is the stream the window publishes on (a new one unless given).
    """
    try:
        from app.gui import MainWindow
    except ImportError as e:
        raise SystemExit(f"benchmark needs app.gui.MainWindow: {e}") from None
    from app.log import start_file_log
    from app.startup.collector import settle_after_start_up

    start_file_log(config_dir / "state")
    window = MainWindow(config_dir=config_dir, events=events)
    # The size the recorded runs were measured at (a first start now fits the
    # offscreen screen, 800 x 600, and shows fewer rows to repaint).
    window.resize(1280, 700)
    window.show()
    settle_after_start_up()  # as app.__main__ does
    return window


def when_finished(window: MainWindow, rows: list[ServerRow]) -> Deferred[None]:
    """A Deferred that fires once every row's download has ended, however it ended.

    It listens to the endings (done, failed, cancelled, a fatal internal
    error) as the window's own pieces do (``events.on``), so the measuring
    costs nothing per chunk and one call per ending. It fires on
    the ending of the last of ``rows``, and is deaf after that. A row
    waiting for its turn to start counts as not ended.
    """
    from twisted.internet.defer import Deferred

    from app.downloads.events import ENDINGS, DownloadEvent, InternalError

    waiting = {id(row) for row in rows if row.status.active or window.starts.is_waiting(row)}
    finished: Deferred[None] = Deferred()

    def heard(event: DownloadEvent) -> None:
        if not waiting or (isinstance(event, InternalError) and not event.fatal):
            return
        if id(event.row) in waiting:
            waiting.discard(id(event.row))
            if not waiting:
                finished.callback(None)

    if waiting:
        window.events.subscribe(heard, (*ENDINGS, InternalError))
    else:
        finished.callback(None)
    return finished
