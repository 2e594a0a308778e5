"""The main window: builds the pieces and has them listen to the downloads.

Every piece lives in its own module: the model, delegate, panes, dialogs and
docks (timeline, log, reactor), the actions and menus (:mod:`app.gui.actions`),
what they do to rows (:mod:`app.gui.commands.rows`), the dialogs it opens
(:mod:`app.gui.commands.dialogs`), its settings (:mod:`app.gui.window_settings`),
how it fits the screen (:mod:`app.gui.screen_fit`) and how a small window shares
its room (:mod:`app.gui.window_sizing`). The composition and the hand-over from a
second launch stay here. What happens to a download reaches the pieces along one
path: the controller publishes on an :class:`~app.downloads.events.EventStream`,
and each piece listens to the kinds of event it shows (``events.on(Failed, ...)``);
what changes all the time (bytes, rates, the timeline's bars) is read on the
window's one tick, :class:`~app.gui.window_tick.WindowTick` (see
:meth:`MainWindow._follow_downloads`). The window never blocks: every dialog is
opened with ``open()`` or ``show()`` and answers through signals.

Closing the window is the one way out. A person's close waits while the server
list cannot be saved, and asks (:mod:`app.gui.window_settings`); a signal's does
not. Then :meth:`shutdown` cancels every download, stops the demo servers, lets
a paused reactor go, saves the settings, and ``closed`` is emitted so whoever
runs the reactor can stop it (``app.__main__``).
"""

from __future__ import annotations

import os
from pathlib import Path

from PyQt5.QtCore import QEvent, QItemSelectionModel, QPoint, Qt, QTimer, pyqtSignal
from PyQt5.QtGui import QCloseEvent, QIcon, QKeySequence, QResizeEvent, QShowEvent
from PyQt5.QtWidgets import (
    QAction,
    QMainWindow,
    QSplitter,
    QToolBar,
    QWidget,
)
from twisted.internet.defer import Deferred

from app import APP_NAME
from app.downloads.controller import DownloadController
from app.downloads.demo import DemoServers
from app.downloads.download_log import LOGGED_EVENTS, log_download_event
from app.downloads.events import (
    CONNECTION_EVENTS,
    EVERY_KIND,
    BatchEnded,
    BatchStarted,
    Done,
    EventStream,
    InternalError,
)
from app.gui.actions import WindowActions, build_menus_and_toolbar
from app.gui.commands.dialogs import DialogCommands
from app.gui.commands.paced_adds import PacedAdds
from app.gui.commands.paced_starts import PacedStarts
from app.gui.commands.rows import RowCommands
from app.gui.dialogs.failures import FailureDialog
from app.gui.panes.log_dock import LogDock
from app.gui.panes.reading_tabs import ReadingTabs
from app.gui.reactor.dock import ReactorDock
from app.gui.screen_fit import ScreenFit
from app.gui.status_bar import WindowStatusBar
from app.gui.status_summary import StatusSummary
from app.gui.table.model import STATUS, ServerListModel, ServerSortModel
from app.gui.table.view import server_table, status_width
from app.gui.timeline.dock import TimelineDock
from app.gui.tutorial.menu import TutorialMenu
from app.gui.window_settings import WindowSettings
from app.gui.window_sizing import WindowSizing
from app.gui.window_tick import WindowTick
from app.i18n import _, display_name
from app.instance.message import Launch
from app.resources import resources_dir
from app.settings.store import default_config_dir, load_settings
from app.views.story import RowStories
from app.views.timeline.record import Timeline
from app.views.timeline.words import batch_summary


def application_icon() -> QIcon:
    """The app's icon if the desktop files are installed alongside, else an empty icon."""
    path = resources_dir() / "icons" / f"{APP_NAME}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


class MainWindow(QMainWindow, RowCommands, DialogCommands, WindowSettings):
    """The Poetry Downloader window. ``MainWindow(config_dir=None)`` uses the user's config dir."""

    closed = pyqtSignal()

    def __init__(
        self,
        config_dir: str | os.PathLike[str] | None = None,
        *,
        events: EventStream | None = None,
    ) -> None:
        #: Made once every part exists; resize events can come before that.
        self._sizing: WindowSizing | None = None
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowIcon(application_icon())
        self.config_dir = Path(config_dir) if config_dir is not None else default_config_dir()
        self._shut_down = False
        self._dialogs: list[QWidget] = []
        self._removed = []

        # The downloads: every piece below listens to their events.
        self.events = EventStream() if events is None else events
        self.downloads = DownloadController(self.events)
        self.timeline = Timeline()
        self.stories = RowStories()
        self.demo = DemoServers()

        self.model = ServerListModel(self)
        self.tick = WindowTick(self.events, lambda: self.model.counts.active, self)
        self.starts = PacedStarts(
            self.downloads, lambda row: self.model.position_of(row) is not None, self
        )
        self.adds = PacedAdds(self.list_rows, self.save_settings, self)
        self.proxy = ServerSortModel(self)
        self.proxy.setSourceModel(self.model)
        self.commands = WindowActions(self)
        self.failure_dialog = FailureDialog(self)

        self.table = server_table(self.proxy)
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
        self._start_saving_settings()
        self.log_dock = LogDock(parent=self)
        # The log file stopped rotating: the dock keeps the record, the status bar says it once.
        status_bar = self.statusBar()
        self.log_dock.rotation_failed.connect(lambda text: status_bar.showMessage(text, 15_000))
        self.addDockWidget(Qt.BottomDockWidgetArea, self.log_dock)
        self.log_dock.hide()
        self.timeline_dock = TimelineDock(self.table, self.model, self.timeline, self)
        self.addDockWidget(Qt.RightDockWidgetArea, self.timeline_dock)
        self.reactor_dock = ReactorDock(self, self.events, self.commands, self.timeline_dock)
        self.row_menu = build_menus_and_toolbar(
            self, self.commands, self.timeline_dock, self.log_dock, self.reactor_dock
        )
        self.tutorial = TutorialMenu(self, self.commands.menus["menuTutorial"], self.closed)
        toolbar = self.findChild(QToolBar, "mainToolBar")
        assert toolbar is not None
        self.toolbar = toolbar
        sizing = WindowSizing(self, self.table, self.toolbar, self.timeline_dock, self.log_dock)
        self._sizing = sizing
        self.screen_fit = ScreenFit(self)  # before the settings: it sizes the window from them
        self._follow_downloads()
        self._connect_actions()
        self.retranslate()

        settings, message = load_settings(self.config_dir)
        self._apply_settings(settings)
        self.saved_servers_found = bool(settings.servers)
        #: Told once the window is on screen: a box shown before it would open behind it.
        self._settings_message = message
        self.update_actions()

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
        self.tutorial.retranslate()
        self.reactor_dock.retranslate()  # after the actions: it may say why they are disabled
        self.model.retranslate()
        self.reading.retranslate()
        self.summary.recount()
        self.failure_dialog.notice.retranslate()
        self.settings_notice.retranslate()
        # A status word longer than the column (none in the catalogues we ship) widens it.
        wanted = status_width(self.table)
        if self.table.columnWidth(STATUS) < wanted:
            self.table.setColumnWidth(STATUS, wanted)
        if self._sizing is not None:
            self._sizing.words_changed()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _follow_downloads(self) -> None:
        """Every piece listens to the events it shows; the tick brings what changes all the time."""
        events = self.events
        events.subscribe(self.timeline.observe, CONNECTION_EVENTS)
        events.subscribe(self.stories.observe, EVERY_KIND)
        events.subscribe(log_download_event, LOGGED_EVENTS)
        self.model.follow(events)
        self.reading.follow(events)
        self.failure_dialog.follow(events)
        self.failure_dialog.keep_clear_of(self.table.viewport())
        self.statusBar().insertPermanentWidget(0, self.failure_dialog.notice)
        self.timeline_dock.follow(events)
        events.on(Done, self._download_done)
        events.on(InternalError, self._internal_error)
        events.on(BatchStarted, self._batch_started)
        events.on(BatchEnded, self._batch_ended)
        # Each tick: the bytes to what counts them, then the views in order.
        tick = self.tick
        tick.count_bytes_with(self.model.counts.bytes_came)
        tick.count_bytes_with(self.timeline.bytes_came)
        tick.count_bytes_with(self.stories.bytes_came)
        tick.refresh_with(self.model.refresh)
        tick.refresh_with(self.timeline_dock.refresh)
        tick.refresh_with(self.summary.tick)
        tick.refresh_with(self.reading.row_details.tick)

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

    def _download_done(self, event: Done) -> None:
        if not event.row.demo:
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

    # A later launch on the same settings (app/instance/claim.py)

    def take_launch(self, launch: Launch) -> bool | Deferred[bool]:
        """Do what a later ``poetry-downloader`` was asked, here, and come to the front.

        Its addresses are added and started as if given on this window's own
        command line, its ``--demo`` starts the demo servers (those already
        listed are left as they are). Returns a Deferred that fires True once
        the addresses are saved, or once the window has said they are not;
        False, doing nothing, once the window is closing: the launch then
        waits to open the next window.
        """
        if self._shut_down:
            return False
        if launch.addresses:
            self.add_servers(launch.addresses, start=True)
        if launch.demo:
            self.start_demo()
        self.bring_to_front()
        return self.settings_written().addCallback(lambda _saved: True)

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
        self.tick.stop()
        self.model.stop()
        self.log_dock.stop()
        self.reactor_dock.stop()  # a paused reactor would never run the quit
        self._last_save()
        for dialog in [*self._dialogs, self.failure_dialog]:
            dialog.close()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._sizing is not None:  # None while the window is being built
            self._sizing.window_resized()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._offer_recovered_settings)
        message, self._settings_message = self._settings_message, None
        if message is not None:
            # After this show has been processed, so the box stacks above the window.
            QTimer.singleShot(0, lambda: self._tell_settings_reset(message))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._shut_down and not self.settings_let_close():
            event.ignore()  # the person is asked what to do with the unsaved list
            return
        self.shutdown()
        super().closeEvent(event)
        self.closed.emit()
