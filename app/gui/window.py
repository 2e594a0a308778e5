"""The main window: the server table, the poem pane, the actions that tie them together.

The window owns the pieces and wires them; each piece lives in its own
module (model, delegate, downloads, dialogs, settings). It never blocks: every
dialog is opened with ``open()`` or ``show()`` and answers through signals.

Closing the window is the one way out: :meth:`shutdown` cancels every
download, stops the demo servers, saves the settings, then ``closed`` is
emitted so whoever runs the reactor can stop it (``app.__main__``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from PyQt5.QtCore import QByteArray, QItemSelection, QPoint, Qt, QTimer, pyqtSignal
from PyQt5.QtGui import QCloseEvent, QIcon, QKeySequence
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QAction,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHeaderView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTableView,
    QWidget,
)
from twisted.python.failure import Failure

from app import APP_NAME, DISPLAY_NAME
from app.address import Address
from app.demo import DemoServers
from app.downloads import DownloadController
from app.gui.actions import WindowActions
from app.gui.add_dialog import AddServersDialog
from app.gui.delegate import ProgressDelegate
from app.gui.failure_dialog import FailureDialog
from app.gui.labels import plain_label
from app.gui.log_dock import LogDock
from app.gui.model import PROGRESS, SERVER, STATUS, ServerListModel, ServerSortModel
from app.gui.pace_dialog import DemoPaceDialog
from app.gui.poem_pane import PoemPane
from app.gui.preferences import PreferencesDialog
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
from app.timeline import BatchSummary
from app.timeline_words import batch_summary
from app.units import format_size

SAVE_DELAY_MS = 1000  # sizes learnt from finished downloads are saved in batches


def application_icon() -> QIcon:
    """The app's icon if the desktop files are installed alongside, else an empty icon."""
    path = resources_dir() / "icons" / f"{APP_NAME}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


class MainWindow(QMainWindow):
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

        self.model = ServerListModel(self)
        self.proxy = ServerSortModel(self)
        self.proxy.setSourceModel(self.model)
        self.downloads = DownloadController(
            self.model,
            on_failure=self._download_failed,
            on_done=self._download_done,
            on_internal_error=self._internal_error,
        )
        self.demo = DemoServers()
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
        self.summary = plain_label(name="statusSummary")
        self.statusBar().addPermanentWidget(self.summary)
        self.log_dock = LogDock(parent=self)
        self.addDockWidget(Qt.BottomDockWidgetArea, self.log_dock)
        self.log_dock.hide()
        self.timeline_dock = TimelineDock(self.table, self.model, self.downloads.timeline, self)
        self.addDockWidget(Qt.RightDockWidgetArea, self.timeline_dock)
        self._make_menus_and_toolbar()
        self._connect()

        settings, message = load_settings(self.config_dir)
        self._apply_settings(settings)
        self.saved_servers_found = bool(settings.servers)
        if message is not None:
            self._tell("Settings Reset", message, QMessageBox.Warning)
        self._update_actions()
        self._update_summary()

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

    def _make_menus_and_toolbar(self) -> None:
        a = self.commands
        menus = (
            ("&File", [a.add_servers, a.save_poem, None, a.quit]),
            (
                "&Servers",
                [
                    a.start,
                    a.start_all,
                    a.mode_reactor,
                    a.mode_one_at_a_time,
                    None,
                    a.cancel,
                    a.retry_failed,
                    None,
                    a.show_error,
                    None,
                    a.remove,
                ],
            ),
            (
                "&View",
                [
                    self._dock_action(
                        self.timeline_dock,
                        "actionShowTimeline",
                        "&Timeline",
                        "Ctrl+T",
                        "Show each connection of the last Start All on one clock",
                    ),
                    self._dock_action(
                        self.log_dock,
                        "actionShowLog",
                        "&Log",
                        "Ctrl+L",
                        "Show what happened to every connection, and any internal error",
                    ),
                ],
            ),
            ("S&ettings", [a.preferences, a.demo_pace]),
            ("&Help", [a.about]),
        )
        for title, entries in menus:
            menu = self.menuBar().addMenu(title)
            _fill(menu, entries)
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolBar")
        toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        _fill(
            toolbar,
            [
                a.add_servers,
                a.remove,
                None,
                a.start,
                a.start_all,
                a.cancel,
                a.retry_failed,
                None,
                a.save_poem,
            ],
        )
        toolbar.insertWidget(a.cancel, self._make_mode_combo())
        self.row_menu = QMenu(self)
        _fill(self.row_menu, a.for_rows)
        # Shortcuts work even where the menu bar is hidden (some desktops).
        self.addActions(
            [
                a.add_servers,
                a.remove,
                a.start,
                a.start_all,
                a.cancel,
                a.retry_failed,
                a.save_poem,
                a.show_error,
                a.preferences,
                a.quit,
            ]
        )

    def _make_mode_combo(self) -> QComboBox:
        """The toolbar's face of the two mode actions, beside Start All, always in view."""
        a = self.commands
        combo = QComboBox()
        combo.setObjectName("startModeCombo")
        combo.setToolTip("How Start and Start All run the downloads")
        modes = [a.mode_reactor, a.mode_one_at_a_time]
        for action in modes:
            combo.addItem(action.icon(), action.text().replace("&", ""), action.data())
        combo.currentIndexChanged.connect(lambda index: modes[index].setChecked(True))
        a.mode_group.triggered.connect(lambda action: combo.setCurrentIndex(modes.index(action)))
        self.mode_combo = combo
        return combo

    def _dock_action(self, dock: QDockWidget, name: str, text: str, key: str, tip: str) -> QAction:
        """The View menu's toggle for ``dock``, named for automation, with its own shortcut."""
        action = dock.toggleViewAction()
        action.setObjectName(name)
        action.setText(text)
        action.setShortcut(QKeySequence(key))
        action.setStatusTip(tip)
        self.addAction(action)
        return action

    def _connect(self) -> None:
        a = self.commands
        a.add_servers.triggered.connect(self.open_add_dialog)
        a.remove.triggered.connect(lambda: self.remove_rows(self.selected_rows()))
        a.start.triggered.connect(lambda: self.downloads.start(self.selected_rows(), a.mode))
        a.start_all.triggered.connect(lambda: self.downloads.start(self.model.rows, a.mode))
        a.cancel.triggered.connect(lambda: self.downloads.cancel(self.selected_rows()))
        a.retry_failed.triggered.connect(self.retry_failed)
        a.save_poem.triggered.connect(self.open_save_dialog)
        a.show_error.triggered.connect(self.show_error)
        a.preferences.triggered.connect(self.open_preferences)
        a.demo_pace.triggered.connect(self.open_demo_pace)
        a.about.triggered.connect(self.show_about)
        a.quit.triggered.connect(self.close)
        # Statuses reach the actions on the next refresh tick; a command's own
        # effect is shown at once, so a quick Esc then Enter does what it says.
        for action in (a.remove, a.start, a.start_all, a.cancel, a.retry_failed):
            action.triggered.connect(lambda *_: self._update_actions())
        self.downloads.timeline.on_batch_end = self._batch_ended
        self.model.statusesChanged.connect(self._statuses_changed)
        self.model.refreshed.connect(self._update_summary)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.table.customContextMenuRequested.connect(self._open_row_menu)

    # Rows

    def add_servers(
        self, addresses: Iterable[Address], encoding: str = "utf-8", *, start: bool = False
    ) -> list[ServerRow]:
        """Add rows for addresses not yet listed; start them (and listed ones) if asked."""
        known = {row.address: row for row in self.model.rows}
        rows: list[ServerRow] = []
        new: list[ServerRow] = []
        for address in addresses:
            row = known.get(address)
            if row is None:
                row = known[address] = ServerRow(address, encoding)
                new.append(row)
            rows.append(row)
        self.model.add_rows(new)
        if new:
            self.save_settings()
        if start:
            self.downloads.start(rows, self.commands.mode)
        return rows

    def start_demo(self) -> list[ServerRow]:
        """Start the embedded demo servers, list them and download from them at once."""
        known = {row.address for row in self.model.rows}
        rows = [
            ServerRow(
                server.address,
                expected_size=server.poem_size,
                demo=True,
                note=f"Embedded demo server: {server.poem_name}"
                + (" (breaks off on purpose)" if server.fails else ""),
            )
            for server in self.demo.start()
            if server.address not in known
        ]
        self.model.add_rows(rows)
        self.downloads.start(rows)
        return rows

    def remove_rows(self, rows: list[ServerRow]) -> None:
        """Cancel the rows' downloads (closing their sockets now), then drop the rows."""
        if not rows:
            return
        self.downloads.forget(rows)
        self.model.remove_rows(rows)
        self.save_settings()

    def retry_failed(self) -> None:
        self.downloads.start([row for row in self.model.rows if row.status is Status.FAILED])

    def selected_rows(self) -> list[ServerRow]:
        """The selected rows, top to bottom as the user sees them."""
        indexes = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [self.model.row_at(self.proxy.mapToSource(i).row()) for i in indexes]

    def current_row(self) -> ServerRow | None:
        index = self.table.selectionModel().currentIndex()
        if not index.isValid():
            return None
        return self.model.row_at(self.proxy.mapToSource(index).row())

    # Download results

    def _download_failed(self, row: ServerRow) -> None:
        assert row.failure is not None
        self.failure_dialog.add(str(row.address), row.failure)

    def _internal_error(self, row: ServerRow, failure: Failure) -> None:
        """Our own code failed on a row's result: the log has the details; say so."""
        self.failure_dialog.add(str(row.address), failure)
        self.statusBar().showMessage(
            f"Internal error while handling {row.address}; details in View → Log", 15_000
        )

    def _batch_ended(self, summary: BatchSummary) -> None:
        self.statusBar().showMessage(batch_summary(summary))

    def _download_done(self, row: ServerRow) -> None:
        if not row.demo:
            self._save_timer.start()

    # Dialogs (all non-modal: the reactor keeps running while they are open)

    def open_add_dialog(self) -> AddServersDialog:
        dialog = AddServersDialog(lambda: {row.address for row in self.model.rows}, self)
        dialog.serversChosen.connect(
            lambda addresses, encoding, start: self.add_servers(addresses, encoding, start=start)
        )
        self._open(dialog)
        return dialog

    def open_preferences(self) -> PreferencesDialog:
        dialog = PreferencesDialog(self.downloads.limit, self)
        dialog.limitChosen.connect(self._set_connection_limit)
        self._open(dialog)
        return dialog

    def open_demo_pace(self) -> DemoPaceDialog:
        """Pace controls for the embedded demo servers; changes apply to downloads under way."""
        dialog = DemoPaceDialog(self.demo, self)
        self._open(dialog)
        return dialog

    def open_save_dialog(self) -> QFileDialog | None:
        row = self.current_row()
        if row is None or row.poem is None:
            return None
        poem = row.poem
        name = f"{row.address.host}-{row.address.port}.txt".replace(":", "_")
        dialog = QFileDialog(self, "Save Poem As", str(Path.home() / name), "Text files (*.txt)")
        dialog.setObjectName("savePoemDialog")
        dialog.setAcceptMode(QFileDialog.AcceptSave)
        dialog.setOption(QFileDialog.DontUseNativeDialog)
        dialog.setDefaultSuffix("txt")
        dialog.fileSelected.connect(lambda path: self._write_poem(Path(path), poem.text))
        self._open(dialog)
        return dialog

    def show_error(self) -> None:
        row = self.current_row()
        if row is not None and row.failure is not None:
            self.failure_dialog.show_failure(str(row.address), row.failure)

    def _open(self, dialog: QWidget) -> None:
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda *_: self._dialogs.remove(dialog))
        self._dialogs.append(dialog)
        dialog.open()

    def show_about(self) -> QMessageBox:
        """A non-modal About box: what the program is, its version, what it runs on."""
        from PyQt5.QtCore import PYQT_VERSION_STR, QT_VERSION_STR
        from twisted import __version__ as twisted_version

        from app import __version__

        box = self._tell(
            "About Poetry Downloader",
            f"Poetry Downloader {__version__}\n\n"
            "Downloads poems from many poetry servers at once, on one event loop: "
            "Qt's, driving Twisted's reactor. It grew out of the slow poetry server "
            "and the get-poetry clients of the Twisted Introduction.\n\n"
            f"Qt {QT_VERSION_STR} · PyQt {PYQT_VERSION_STR} · Twisted {twisted_version}",
            QMessageBox.Information,
            status=False,
        )
        box.setIconPixmap(self.windowIcon().pixmap(64, 64))
        return box

    def _tell(
        self, title: str, text: str, icon: QMessageBox.Icon, *, status: bool = True
    ) -> QMessageBox:
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

    def _write_poem(self, path: Path, text: str) -> None:
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as e:
            self._tell(
                "Poem Not Saved", f"Could not save {path}: {e.strerror or e}", QMessageBox.Warning
            )
        else:
            self.statusBar().showMessage(f"Saved {path}", 5000)

    def _set_connection_limit(self, limit: int) -> None:
        self.downloads.set_limit(limit)
        self.save_settings()

    # Keeping the actions, the pane and the status bar true

    def _statuses_changed(self) -> None:
        self._update_actions()
        self._update_summary()
        self._show_current()

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_actions()

    def _show_current(self) -> None:
        self.poem_pane.show_row(self.current_row())

    def _update_actions(self) -> None:
        a = self.commands
        selected = self.selected_rows()
        rows = self.model.rows
        current = self.current_row()
        a.remove.setEnabled(bool(selected))
        a.start.setEnabled(any(not row.status.active for row in selected))
        a.cancel.setEnabled(any(row.status.active for row in selected))
        a.start_all.setEnabled(any(not row.status.active for row in rows))
        a.retry_failed.setEnabled(any(row.status is Status.FAILED for row in rows))
        a.save_poem.setEnabled(current is not None and current.poem is not None)
        a.show_error.setEnabled(current is not None and current.failure is not None)

    def _update_summary(self) -> None:
        counts = dict.fromkeys(Status, 0)
        received = 0
        for row in self.model.rows:
            counts[row.status] += 1
            received += row.received
        parts = [f"{counts[Status.CONNECTING] + counts[Status.DOWNLOADING]} downloading"]
        if counts[Status.QUEUED]:
            parts.append(f"{counts[Status.QUEUED]} queued")
        parts += [f"{counts[Status.DONE]} done", f"{counts[Status.FAILED]} failed"]
        parts.append(f"{format_size(received)} received")
        self.summary.setText(" · ".join(parts))

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


def _fill(container: QWidget, entries: Iterable[object]) -> None:
    for entry in entries:
        if entry is None:
            container.addSeparator()
        else:
            container.addAction(entry)
