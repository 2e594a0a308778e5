"""The main window: builds the pieces, subscribes them to the downloads, keeps the settings.

Every piece lives in its own module (model, delegate, poem pane, dialogs,
docks); the actions and menus are in :mod:`app.gui.actions`, what the
actions do to rows in :mod:`app.gui.commands.rows`, the dialogs it opens in
:mod:`app.gui.commands.dialogs`, and how a small window shares its room in
:mod:`app.gui.window_sizing`. The composition, the settings and the hand-over
from a second launch stay here (a little over 400 lines). What happens to a
download reaches the pieces along one path: the controller publishes on
an :class:`~app.downloads.events.EventStream`, :class:`DownloadSignals` re-emits it
as Qt signals, and each piece follows those signals (see
:meth:`MainWindow._follow_downloads`). The window never blocks: every
dialog is opened with ``open()`` or ``show()`` and answers through signals.

The settings are saved on a worker thread (:mod:`app.settings.writer`) the
moment the list changes. Closing the window is the one way out:
:meth:`shutdown` cancels every download, stops the demo servers, saves the
settings (at once, after any save in flight), then ``closed`` is emitted so
whoever runs the reactor can stop it (``app.__main__``).
"""

from __future__ import annotations

import os
from pathlib import Path

from PyQt5.QtCore import (
    QByteArray,
    QEvent,
    QItemSelectionModel,
    QPoint,
    Qt,
    QTimer,
    pyqtSignal,
)
from PyQt5.QtGui import QCloseEvent, QIcon, QKeySequence, QResizeEvent, QShowEvent
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QAction,
    QHeaderView,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QToolBar,
    QWidget,
)

from app import APP_NAME
from app.downloads.controller import DownloadController
from app.downloads.demo import DemoServers
from app.downloads.download_log import LOGGED_EVENTS, log_download_event
from app.downloads.events import (
    CONNECTION_EVENTS,
    BatchEnded,
    BatchStarted,
    Done,
    DownloadEvent,
    EventStream,
    InternalError,
)
from app.downloads.rows import ServerRow, Status
from app.gui.actions import WindowActions, build_menus_and_toolbar
from app.gui.commands.dialogs import DialogCommands
from app.gui.commands.paced_adds import PacedAdds
from app.gui.commands.paced_starts import PacedStarts
from app.gui.commands.rows import RowCommands
from app.gui.dialogs.failures import FailureDialog
from app.gui.download_signals import DownloadSignals
from app.gui.panes.log_dock import LogDock
from app.gui.panes.reading_tabs import ReadingTabs
from app.gui.status_bar import WindowStatusBar
from app.gui.status_summary import StatusSummary
from app.gui.table.delegate import ProgressDelegate
from app.gui.table.model import POEM, PROGRESS, SERVER, STATUS, ServerListModel, ServerSortModel
from app.gui.timeline.dock import TimelineDock
from app.gui.window_sizing import WindowSizing
from app.i18n import _, display_name
from app.instance.message import Launch
from app.resources import resources_dir
from app.settings.store import SavedServer, Settings, default_config_dir, load_settings
from app.settings.writer import SettingsTaken, SettingsWriter
from app.views.story import RowStories
from app.views.timeline.record import Timeline
from app.views.timeline.words import batch_summary

SAVE_DELAY_MS = 1000  # sizes learnt from finished downloads are saved in batches


def application_icon() -> QIcon:
    """The app's icon if the desktop files are installed alongside, else an empty icon."""
    path = resources_dir() / "icons" / f"{APP_NAME}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


class MainWindow(QMainWindow, RowCommands, DialogCommands):
    """The Poetry Downloader window. ``MainWindow(config_dir=None)`` uses the user's config dir."""

    closed = pyqtSignal()

    def __init__(self, config_dir: str | os.PathLike[str] | None = None) -> None:
        #: Made once every part exists; resize events can come before that.
        self._sizing: WindowSizing | None = None
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowIcon(application_icon())
        self.config_dir = Path(config_dir) if config_dir is not None else default_config_dir()
        self._shut_down = False
        self._dialogs: list[QWidget] = []
        self._removed = []

        # The downloads, and the one bridge every piece below follows.
        self.events = EventStream()
        self.downloads = DownloadController(self.events)
        self.signals = DownloadSignals(self.events, self)
        self.timeline = Timeline()
        self.stories = RowStories()
        self.demo = DemoServers()

        self.model = ServerListModel(self)
        self.starts = PacedStarts(
            self.downloads, lambda row: self.model.position_of(row) is not None, self
        )
        self.adds = PacedAdds(self.list_rows, self.save_settings, self)
        self.proxy = ServerSortModel(self)
        self.proxy.setSourceModel(self.model)
        self.commands = WindowActions(self)
        self.failure_dialog = FailureDialog(self)
        self._settings_writer = SettingsWriter(self.config_dir, self._settings_not_saved)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_settings)

        self.table = self._make_table()
        # The selected row's poem and its story, in tabs under the table.
        self.reading = ReadingTabs(self.stories)
        self.poem_pane = self.reading.poem_pane
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.reading)
        # In a small window the poem gives way before the table's rows do.
        self.reading.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.setCentralWidget(self.splitter)
        self.setStatusBar(WindowStatusBar(self))
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
        toolbar = self.findChild(QToolBar, "mainToolBar")
        assert toolbar is not None
        self.toolbar = toolbar
        sizing = WindowSizing(self, self.table, self.toolbar, self.timeline_dock, self.log_dock)
        self._sizing = sizing
        self._follow_downloads()
        self._connect_actions()
        self.retranslate()

        settings, message = load_settings(self.config_dir)
        self._apply_settings(settings)
        self.saved_servers_found = bool(settings.servers)
        #: Told once the window is on screen: a box shown before it would open behind it.
        self._settings_message = message
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
        # Progress takes the room the other columns leave (app/gui/window_sizing.py).
        metrics = table.fontMetrics()
        table.setColumnWidth(SERVER, metrics.horizontalAdvance("255.255.255.255:65535") + 16)
        table.setColumnWidth(STATUS, self._status_width(table))
        # The title comes right after the bar that brings it (the model keeps it
        # last); in a small window it scrolls away with the columns after it,
        # leaving Server, Status and Progress.
        header.moveSection(header.visualIndex(POEM), header.visualIndex(PROGRESS) + 1)
        table.setColumnWidth(POEM, metrics.horizontalAdvance("x" * 18))
        # No sort until the user clicks a header: rows stay in the order added.
        header.setSortIndicator(-1, Qt.AscendingOrder)
        table.setSortingEnabled(True)
        return table

    @staticmethod
    def _status_width(table: QTableView) -> int:
        """Room for the longest status word, in English or the language spoken now."""
        metrics = table.fontMetrics()
        words = [word for status in Status for word in (status.value, status.words)]
        return max(metrics.horizontalAdvance(word) for word in words) + 28

    # Words

    def retranslate(self) -> None:
        """Every word the window and its parts show, in the current language.

        Called once when the window is built and again on ``LanguageChange``
        (``app.gui.i18n.install_language``), so a window that is open follows
        a change of language. The docks go before the actions: a dock's
        title becomes its View-menu toggle's text, which the actions then set.
        """
        self.setWindowTitle(display_name())
        self.timeline_dock.retranslate()
        self.log_dock.retranslate()
        self.commands.retranslate()
        self.model.retranslate()
        self.reading.retranslate()
        self.summary.recount()
        self.failure_dialog.notice.retranslate()
        # A status word longer than the column (none in the catalogues we ship) widens it.
        wanted = self._status_width(self.table)
        if self.table.columnWidth(STATUS) < wanted:
            self.table.setColumnWidth(STATUS, wanted)
        if self._sizing is not None:
            self._sizing.words_changed()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _follow_downloads(self) -> None:
        """Subscribe every piece to the bridge: the one path a download's events take."""
        signals = self.signals
        signals.follow_steps(self.timeline.observe, CONNECTION_EVENTS)
        signals.follow_bytes(self.timeline.bytes_came)
        signals.follow_steps(self.stories.observe)
        signals.follow_bytes(self.stories.bytes_came)
        signals.follow_steps(log_download_event, LOGGED_EVENTS)
        self.model.follow(signals)
        self.reading.follow(signals)
        self.failure_dialog.follow(signals)
        self.failure_dialog.keep_clear_of(self.table.viewport())
        self.statusBar().insertPermanentWidget(0, self.failure_dialog.notice)
        self.timeline_dock.follow(signals)
        # Done comes once a download, by the ten thousand: a step listener is a
        # call, a signal's emit and slot three times as much.
        signals.follow_steps(self._download_done, (Done,))
        signals.internalError.connect(self._internal_error)
        signals.batchStarted.connect(self._batch_started)
        signals.batchEnded.connect(self._batch_ended)

    def _connect_actions(self) -> None:
        a = self.commands
        a.add_servers.triggered.connect(self.open_add_dialog)
        a.remove.triggered.connect(self.remove_selected)
        a.undo.triggered.connect(self.undo_remove)
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
        a.mode_group.triggered.connect(self.save_settings)
        # Statuses reach the actions on the model's next refresh tick; a command's
        # own effect is shown at once, so a quick Esc then Enter does what it says.
        for action in (a.remove, a.start, a.start_all, a.cancel, a.retry_failed):
            action.triggered.connect(self.update_actions)
        self.model.statusesChanged.connect(self.update_actions)
        self.table.selectionModel().selectionChanged.connect(self.selection_changed)
        self.proxy.rowsRemoved.connect(self.selection_changed)
        self.proxy.modelReset.connect(self.selection_changed)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.customContextMenuRequested.connect(self._open_row_menu)
        # The keyboard's way to the row menu: Shift+F10, or the Menu key.
        keyboard_menu = QAction(self.table)
        menu_keys = [QKeySequence("Shift+F10"), QKeySequence(Qt.Key_Menu)]  # untranslated: keys
        keyboard_menu.setShortcuts(menu_keys)
        keyboard_menu.setShortcutContext(Qt.WidgetShortcut)
        keyboard_menu.triggered.connect(self._open_row_menu_at_current)
        self.table.addAction(keyboard_menu)

    # What the downloads tell the window itself

    def _download_done(self, event: DownloadEvent) -> None:
        if isinstance(event, Done) and not event.row.demo:  # Done is the only kind it follows
            self._save_timer.start()

    def _internal_error(self, event: InternalError) -> None:
        """Our own code failed on a row's event: the log has the details; say so."""
        self.statusBar().showMessage(
            _("Internal error while handling {address}; details in View → Log").format(
                address=event.row.address
            ),
            15_000,
        )

    def _batch_started(self, _event: BatchStarted) -> None:
        # The last batch's verdict would read as this one's while it runs.
        self.statusBar().clearMessage()

    def _batch_ended(self, event: BatchEnded) -> None:
        if event.summary is not None:
            self.statusBar().showMessage(batch_summary(event.summary))

    def _current_changed(self) -> None:
        self.reading.show_row(self.current_row())
        # After the click or key that moved it has made its selection.
        QTimer.singleShot(0, self._select_current_if_none)

    def _select_current_if_none(self) -> None:
        """The focus frame is on a row and nothing is selected: select that row.

        Otherwise a row looks chosen (its poem shown, Save enabled) while
        Start, Cancel and Remove, which act on the selection, stay disabled.
        """
        if self._shut_down:
            return
        selection = self.table.selectionModel()
        current = selection.currentIndex()
        if current.isValid() and not selection.hasSelection():
            selection.select(current, QItemSelectionModel.Select | QItemSelectionModel.Rows)

    def _open_row_menu(self, position: QPoint) -> None:
        self.row_menu.popup(self.table.viewport().mapToGlobal(position))

    def _open_row_menu_at_current(self) -> None:
        """The row menu from the keyboard: under the current row, or the table's corner."""
        current = self.table.selectionModel().currentIndex()
        rect = self.table.visualRect(current) if current.isValid() else None
        self._open_row_menu(rect.bottomLeft() if rect is not None else QPoint(0, 0))

    # Settings

    def _apply_settings(self, settings: Settings) -> None:
        self.model.add_rows(
            ServerRow(s.address, s.encoding, expected_size=s.last_size, title=s.title)
            for s in settings.servers
        )
        self.downloads.set_limit(settings.connection_limit)
        self.commands.choose_mode(settings.mode)
        self.language = settings.language
        if settings.geometry:
            self.restoreGeometry(QByteArray(settings.geometry))
        else:
            self.resize(1280, 700)
            if self._sizing is not None:
                self._sizing.give_timeline_its_share()
        if settings.window_state:
            self.restoreState(QByteArray(settings.window_state))
        if settings.splitter:
            self.splitter.restoreState(QByteArray(settings.splitter))
        if settings.header:
            self.table.horizontalHeader().restoreState(QByteArray(settings.header))
            # Older settings stretched Progress; it is fitted now.
            self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)

    def current_settings(self) -> Settings:
        return self._take_settings()()

    def _take_settings(self) -> SettingsTaken:
        """The settings as they are now, to be finished on a worker thread.

        Only the rows' fields are copied here (about 1 ms for ten thousand
        rows); making them into :class:`SavedServer` entries is left to the
        function returned, which reads nothing of the window's.
        """
        fields = [
            (row.address, row.encoding, row.expected_size, row.title)
            for row in self.model.rows
            if not row.demo
        ]
        settings = Settings(
            connection_limit=self.downloads.limit,
            mode=self.commands.mode,
            language=self.language,
            geometry=bytes(self.saveGeometry()),
            window_state=bytes(self.saveState()),
            splitter=bytes(self.splitter.saveState()),
            header=bytes(self.table.horizontalHeader().saveState()),
        )

        def finish() -> Settings:
            settings.servers = [SavedServer(*server) for server in fields]
            return settings

        return finish

    def save_settings(self) -> None:
        """Save the settings soon, on a worker thread; a failure is told in the status bar.

        Once the window is closing, the save is done before this returns.
        """
        self._save_timer.stop()
        if self._shut_down:
            self._save_settings_now()
        else:
            self._settings_writer.save(self._take_settings())

    @property
    def saving_settings(self) -> bool:
        """True while settings saved are not yet on disk (or failed to get there)."""
        return self._settings_writer.busy

    def _save_settings_now(self) -> None:
        """Save the settings before returning, after any save in flight."""
        self._save_timer.stop()
        try:
            self._settings_writer.save_now(self.current_settings())
        except OSError as e:
            self._settings_not_saved(e)

    def _settings_not_saved(self, error: OSError) -> None:
        self.statusBar().showMessage(
            _("Could not save settings in {folder}: {reason}").format(
                folder=self.config_dir, reason=error.strerror or error
            ),
            10_000,
        )

    # A later launch on the same settings (app/instance/claim.py)

    def take_launch(self, launch: Launch) -> bool:
        """Do what a later ``poetry-downloader`` was asked, here, and come to the front.

        Its addresses are added and started as if given on this window's own
        command line, its ``--demo`` starts the demo servers (those already
        listed are left as they are). Returns False, doing nothing, once the
        window is closing: the launch then waits to open the next window.
        """
        if self._shut_down:
            return False
        if launch.addresses:
            self.add_servers(launch.addresses, start=True)
        if launch.demo:
            self.start_demo()
        self.bring_to_front()
        return True

    def bring_to_front(self) -> None:
        """Show the window, restored if minimized, raised and (if the desktop lets it) active."""
        if self.isMinimized():
            # Back as it was before: maximized, or normal.
            if self.windowState() & Qt.WindowMaximized:
                self.showMaximized()
            else:
                self.showNormal()
        else:
            self.show()
        self.raise_()
        self.activateWindow()

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
        self.starts.stop()
        self.adds.finish()  # listed, to be saved, and started by nobody
        self.downloads.cancel_all()
        self.demo.stop()
        self.model.stop()
        self.log_dock.stop()
        self._save_settings_now()
        for dialog in [*self._dialogs, self.failure_dialog]:
            dialog.close()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._sizing is not None:  # None while the window is being built
            self._sizing.window_resized()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        message, self._settings_message = self._settings_message, None
        if message is not None:
            # After this show has been processed, so the box stacks above the window.
            QTimer.singleShot(0, lambda: self._tell_settings_reset(message))

    def _tell_settings_reset(self, message: str) -> None:
        if self._shut_down:
            return
        self.tell(_("Settings Reset"), message, QMessageBox.Warning, status=False)
        # The status bar gets a few words: the whole message would run into the counts.
        short = _("Settings reset to defaults; the damaged file was kept")
        self.statusBar().showMessage(short, 10_000)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
        self.closed.emit()
