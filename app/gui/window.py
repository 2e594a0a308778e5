"""The main window: builds the pieces, subscribes them to the downloads, keeps the settings.

Every piece lives in its own module (model, delegate, poem pane, dialogs,
docks); the actions and menus are in :mod:`app.gui.actions`, and what the
actions do to rows in :mod:`app.gui.row_commands`. What happens to a
download reaches the pieces along one path: the controller publishes on
an :class:`~app.events.EventStream`, :class:`DownloadSignals` re-emits it
as Qt signals, and each piece follows those signals (see
:meth:`MainWindow._follow_downloads`). The window never blocks: every
dialog is opened with ``open()`` or ``show()`` and answers through signals.

Closing the window is the one way out: :meth:`shutdown` cancels every
download, stops the demo servers, saves the settings, then ``closed`` is
emitted so whoever runs the reactor can stop it (``app.__main__``).
"""

from __future__ import annotations

import os
from pathlib import Path

from PyQt5.QtCore import QByteArray, QPoint, Qt, QTimer, pyqtSignal
from PyQt5.QtGui import QCloseEvent, QIcon
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QWidget,
)

from app import APP_NAME, DISPLAY_NAME
from app.demo import DemoServers
from app.download_log import log_download_event
from app.downloads import DownloadController
from app.events import BatchEnded, Done, EventStream, InternalError
from app.gui.actions import WindowActions, build_menus_and_toolbar
from app.gui.add_dialog import AddServersDialog
from app.gui.delegate import ProgressDelegate
from app.gui.download_signals import DownloadSignals
from app.gui.failure_dialog import FailureDialog
from app.gui.log_dock import LogDock
from app.gui.model import PROGRESS, SERVER, STATUS, ServerListModel, ServerSortModel
from app.gui.pace_dialog import DemoPaceDialog
from app.gui.poem_pane import PoemPane
from app.gui.preferences import PreferencesDialog
from app.gui.row_commands import RowCommands
from app.gui.status_summary import StatusSummary
from app.gui.timeline_dock import TimelineDock
from app.resources import resources_dir
from app.rows import ServerRow, Status
from app.settings import (
    SavedServer,
    Settings,
    default_config_dir,
    load_settings,
    save_settings,
)
from app.timeline import Timeline
from app.timeline_words import batch_summary

SAVE_DELAY_MS = 1000  # sizes learnt from finished downloads are saved in batches


def application_icon() -> QIcon:
    """The app's icon if the desktop files are installed alongside, else an empty icon."""
    path = resources_dir() / "icons" / f"{APP_NAME}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


class MainWindow(QMainWindow, RowCommands):
    """The Poetry Downloader window. ``MainWindow(config_dir=None)`` uses the user's config dir."""

    closed = pyqtSignal()

    def __init__(self, config_dir: str | os.PathLike[str] | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(DISPLAY_NAME)
        self.setWindowIcon(application_icon())
        self.config_dir = Path(config_dir) if config_dir is not None else default_config_dir()
        self._shut_down = False
        self._dialogs: list[QWidget] = []

        # The downloads, and the one bridge every piece below follows.
        self.events = EventStream()
        self.downloads = DownloadController(self.events)
        self.signals = DownloadSignals(self.events, self)
        self.timeline = Timeline()
        self.demo = DemoServers()

        self.model = ServerListModel(self)
        self.proxy = ServerSortModel(self)
        self.proxy.setSourceModel(self.model)
        self.commands = WindowActions(self)
        self.failure_dialog = FailureDialog(self)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_settings)

        self.table = self._make_table()
        self.poem_pane = PoemPane()
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.poem_pane)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.setCentralWidget(self.splitter)
        self.summary = StatusSummary(self.model)
        self.statusBar().addPermanentWidget(self.summary)
        self.log_dock = LogDock(parent=self)
        self.addDockWidget(Qt.BottomDockWidgetArea, self.log_dock)
        self.log_dock.hide()
        self.timeline_dock = TimelineDock(self.table, self.model, self.timeline, self)
        self.addDockWidget(Qt.RightDockWidgetArea, self.timeline_dock)
        self.row_menu = build_menus_and_toolbar(
            self, self.commands, self.timeline_dock, self.log_dock
        )
        self._follow_downloads()
        self._connect_actions()

        settings, message = load_settings(self.config_dir)
        self._apply_settings(settings)
        self.saved_servers_found = bool(settings.servers)
        if message is not None:
            self.tell("Settings Reset", message, QMessageBox.Warning)
        self.update_actions()

    # Building

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("serverTable")
        table.setModel(self.proxy)
        table.setItemDelegateForColumn(PROGRESS, ProgressDelegate(table))
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setContextMenuPolicy(Qt.CustomContextMenu)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(PROGRESS, QHeaderView.Stretch)
        metrics = table.fontMetrics()
        table.setColumnWidth(SERVER, metrics.horizontalAdvance("255.255.255.255:65535") + 16)
        table.setColumnWidth(STATUS, metrics.horizontalAdvance(Status.DOWNLOADING.value) + 28)
        # No sort until the user clicks a header: rows stay in the order added.
        header.setSortIndicator(-1, Qt.AscendingOrder)
        table.setSortingEnabled(True)
        return table

    def _follow_downloads(self) -> None:
        """Subscribe every piece to the bridge: the one path a download's events take."""
        signals = self.signals
        signals.happened.connect(self.timeline.observe)
        signals.milestone.connect(log_download_event)
        self.model.follow(signals)
        self.poem_pane.follow(signals)
        self.failure_dialog.follow(signals)
        self.failure_dialog.keep_clear_of(self.table.viewport())
        self.statusBar().insertPermanentWidget(0, self.failure_dialog.notice)
        self.summary.follow(signals)
        self.timeline_dock.follow(signals)
        signals.done.connect(self._download_done)
        signals.internalError.connect(self._internal_error)
        signals.batchEnded.connect(self._batch_ended)

    def _connect_actions(self) -> None:
        a = self.commands
        a.add_servers.triggered.connect(self.open_add_dialog)
        a.remove.triggered.connect(self.remove_selected)
        a.start.triggered.connect(self.start_selected)
        a.start_all.triggered.connect(self.start_all)
        a.cancel.triggered.connect(self.cancel_selected)
        a.retry_failed.triggered.connect(self.retry_failed)
        a.save_poem.triggered.connect(self.open_save_dialog)
        a.show_error.triggered.connect(self.show_error)
        a.preferences.triggered.connect(self.open_preferences)
        a.demo_pace.triggered.connect(self.open_demo_pace)
        a.about.triggered.connect(self.show_about)
        a.quit.triggered.connect(self.close)
        # Statuses reach the actions on the model's next refresh tick; a command's
        # own effect is shown at once, so a quick Esc then Enter does what it says.
        for action in (a.remove, a.start, a.start_all, a.cancel, a.retry_failed):
            action.triggered.connect(self.update_actions)
        self.model.statusesChanged.connect(self.update_actions)
        self.table.selectionModel().selectionChanged.connect(self.update_actions)
        self.table.selectionModel().currentRowChanged.connect(self._show_current)
        self.table.customContextMenuRequested.connect(self._open_row_menu)

    # What the downloads tell the window itself

    def _download_done(self, event: Done) -> None:
        if not event.row.demo:
            self._save_timer.start()

    def _internal_error(self, event: InternalError) -> None:
        """Our own code failed on a row's event: the log has the details; say so."""
        self.statusBar().showMessage(
            f"Internal error while handling {event.row.address}; details in View → Log", 15_000
        )

    def _batch_ended(self, event: BatchEnded) -> None:
        if event.summary is not None:
            self.statusBar().showMessage(batch_summary(event.summary))

    # Dialogs (all non-modal: the reactor keeps running while they are open)

    def open_add_dialog(self) -> AddServersDialog:
        dialog = AddServersDialog(lambda: {row.address for row in self.model.rows}, self)
        dialog.serversChosen.connect(
            lambda addresses, encoding, start: self.add_servers(addresses, encoding, start=start)
        )
        self.open_dialog(dialog)
        return dialog

    def open_preferences(self) -> PreferencesDialog:
        dialog = PreferencesDialog(self.downloads.limit, self)
        dialog.limitChosen.connect(self._set_connection_limit)
        self.open_dialog(dialog)
        return dialog

    def open_demo_pace(self) -> DemoPaceDialog:
        """Pace controls for the embedded demo servers; changes apply to downloads under way."""
        dialog = DemoPaceDialog(self.demo, self)
        self.open_dialog(dialog)
        return dialog

    def open_dialog(self, dialog: QDialog) -> None:
        """Open ``dialog`` window-modal without blocking; it is deleted when closed."""
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda *_: self._dialogs.remove(dialog))
        self._dialogs.append(dialog)
        dialog.open()

    def show_about(self) -> QMessageBox:
        """A non-modal About box: what the program is, its version, what it runs on."""
        from PyQt5.QtCore import PYQT_VERSION_STR, QT_VERSION_STR
        from twisted import __version__ as twisted_version

        from app import __version__

        box = self.tell(
            f"About {DISPLAY_NAME}",
            f"{DISPLAY_NAME} {__version__}\n\n"
            "Downloads poems from many poetry servers at once, on one event loop: "
            "Qt's, driving Twisted's reactor. It grew out of the slow poetry server "
            "and the get-poetry clients of the Twisted Introduction.\n\n"
            f"Qt {QT_VERSION_STR} · PyQt {PYQT_VERSION_STR} · Twisted {twisted_version}",
            QMessageBox.Information,
            status=False,
        )
        box.setIconPixmap(self.windowIcon().pixmap(64, 64))
        return box

    def tell(
        self, title: str, text: str, icon: QMessageBox.Icon, *, status: bool = True
    ) -> QMessageBox:
        """A non-modal message box; unless ``status`` is False, the status bar says it too."""
        box = QMessageBox(icon, title, text, QMessageBox.Ok, self)
        box.setObjectName("messageBox")
        box.setTextFormat(Qt.PlainText)
        box.setWindowModality(Qt.NonModal)
        if status:
            self.statusBar().showMessage(text, 10_000)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.destroyed.connect(lambda *_: self._dialogs.remove(box))
        self._dialogs.append(box)
        box.show()
        return box

    def _set_connection_limit(self, limit: int) -> None:
        self.downloads.set_limit(limit)
        self.save_settings()

    def _show_current(self) -> None:
        self.poem_pane.show_row(self.current_row())

    def _open_row_menu(self, position: QPoint) -> None:
        self.row_menu.popup(self.table.viewport().mapToGlobal(position))

    # Settings

    def _apply_settings(self, settings: Settings) -> None:
        self.model.add_rows(
            ServerRow(s.address, s.encoding, expected_size=s.last_size) for s in settings.servers
        )
        self.downloads.set_limit(settings.connection_limit)
        if settings.geometry:
            self.restoreGeometry(QByteArray(settings.geometry))
        else:
            self.resize(1280, 700)
        if settings.window_state:
            self.restoreState(QByteArray(settings.window_state))
        if settings.splitter:
            self.splitter.restoreState(QByteArray(settings.splitter))
        if settings.header:
            self.table.horizontalHeader().restoreState(QByteArray(settings.header))

    def current_settings(self) -> Settings:
        return Settings(
            servers=[
                SavedServer(row.address, row.encoding, row.expected_size)
                for row in self.model.rows
                if not row.demo
            ],
            connection_limit=self.downloads.limit,
            geometry=bytes(self.saveGeometry()),
            window_state=bytes(self.saveState()),
            splitter=bytes(self.splitter.saveState()),
            header=bytes(self.table.horizontalHeader().saveState()),
        )

    def save_settings(self) -> None:
        """Write the settings now; a failure is reported, never raised."""
        self._save_timer.stop()
        try:
            save_settings(self.config_dir, self.current_settings())
        except OSError as e:
            self.statusBar().showMessage(
                f"Could not save settings in {self.config_dir}: {e.strerror or e}", 10_000
            )

    # Leaving

    @property
    def shut_down(self) -> bool:
        """True once :meth:`shutdown` ran: the window starts nothing any more."""
        return self._shut_down

    def shutdown(self) -> None:
        """Cancel every download, stop the demo servers, save. Safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        self.downloads.cancel_all()
        self.demo.stop()
        self.model.stop()
        self.log_dock.stop()
        self.save_settings()
        for dialog in [*self._dialogs, self.failure_dialog]:
            dialog.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
        self.closed.emit()
