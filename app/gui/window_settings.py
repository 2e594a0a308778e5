"""The window's settings: applied when it opens, saved whenever they change.

:class:`WindowSettings` is a part of :class:`app.gui.window.MainWindow` (a
mixin, as :class:`~app.gui.commands.rows.RowCommands` is). The settings are
saved on a worker thread (:mod:`app.settings.writer`) the moment the list
changes; once the window is closing, the last save is made before it goes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PyQt5.QtCore import QByteArray, QTimer
from PyQt5.QtWidgets import QHeaderView, QSplitter, QStatusBar, QTableView

from app.downloads.controller import DownloadController
from app.downloads.rows import ServerRow
from app.gui.actions import WindowActions
from app.gui.table.model import ServerListModel
from app.gui.window_sizing import WindowSizing
from app.i18n import _
from app.settings.store import SavedServer, Settings
from app.settings.writer import SettingsTaken, SettingsWriter


class WindowSettings:
    """Reads the settings into the window and writes them back; the attributes are the window's."""

    config_dir: Path
    model: ServerListModel
    downloads: DownloadController
    commands: WindowActions
    table: QTableView
    splitter: QSplitter
    language: str | None
    _sizing: WindowSizing | None
    _shut_down: bool
    _settings_writer: SettingsWriter
    _save_timer: QTimer

    if TYPE_CHECKING:  # the window's own methods; at run time the window has them

        def statusBar(self) -> QStatusBar: ...
        def resize(self, width: int, height: int) -> None: ...
        def restoreGeometry(self, geometry: QByteArray) -> bool: ...
        def restoreState(self, state: QByteArray) -> bool: ...
        def saveGeometry(self) -> QByteArray: ...
        def saveState(self) -> QByteArray: ...

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
