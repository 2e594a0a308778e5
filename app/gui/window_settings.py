"""The window's settings: applied when it opens, saved whenever they change, never lost.

:class:`WindowSettings` is a part of :class:`app.gui.window.MainWindow` (a
mixin, as :class:`~app.gui.commands.rows.RowCommands` is). The settings are
saved on a worker thread (:mod:`app.settings.writer`) the moment the list
changes; once the window is closing, the last save is made before it goes.

A save that fails is not forgotten. The window keeps what it shows, says
so in the status bar until a save succeeds (:class:`~app.gui.settings_notice.SettingsNotice`,
and a warning in the log), and tries again on each change and every
:data:`RETRY_MS`, so the list is saved once there is room, without anyone
doing anything. Closing the window while the list is not saved asks
(:class:`~app.gui.dialogs.unsaved_settings.UnsavedSettingsQuestion`); the
close is refused until the person chooses. A signal cannot be asked: it
gets one more try, and then the settings go to a recovery file in the
state directory (:mod:`app.settings.recovery`), which the next start offers
to restore (:mod:`app.gui.recovered_settings`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PyQt5 import sip
from PyQt5.QtCore import QByteArray, QTimer
from PyQt5.QtWidgets import (
    QDialog,
    QHeaderView,
    QMessageBox,
    QSplitter,
    QStatusBar,
    QTableView,
    QWidget,
)
from twisted.internet.defer import Deferred
from twisted.logger import Logger

from app.atomic_file import write_atomically
from app.downloads.controller import DownloadController
from app.gui.actions import WindowActions
from app.gui.commands.paced_adds import PacedAdds
from app.gui.dialogs.unsaved_settings import UnsavedSettingsQuestion, save_elsewhere_dialog
from app.gui.recovered_settings import RecoveredSettings
from app.gui.screen_fit import ScreenFit
from app.gui.settings_notice import SettingsNotice
from app.gui.table.model import ServerListModel
from app.gui.window_sizing import WindowSizing
from app.i18n import _
from app.settings.recovery import write_recovery
from app.settings.store import SavedServer, Settings, settings_bytes
from app.settings.writer import SettingsTaken, SettingsWriter

log = Logger(namespace="poetry.settings")

SAVE_DELAY_MS = 1000  # sizes learnt from finished downloads are saved in batches
#: How often a save that failed is tried again, while nothing else changes.
RETRY_MS = 10_000


class WindowSettings:
    """Reads the settings into the window and writes them back; the attributes are the window's."""

    config_dir: Path
    model: ServerListModel
    downloads: DownloadController
    commands: WindowActions
    adds: PacedAdds
    table: QTableView
    splitter: QSplitter
    language: str | None
    _sizing: WindowSizing | None
    screen_fit: ScreenFit
    _shut_down: bool

    if TYPE_CHECKING:  # the window's own methods; at run time the window has them

        def statusBar(self) -> QStatusBar: ...
        def restoreGeometry(self, geometry: QByteArray) -> bool: ...
        def restoreState(self, state: QByteArray) -> bool: ...
        def saveGeometry(self) -> QByteArray: ...
        def saveState(self) -> QByteArray: ...
        def close(self) -> bool: ...
        def open_dialog(self, dialog: QDialog) -> None: ...
        def tell(
            self, title: str, text: str, icon: QMessageBox.Icon, *, status: bool = True
        ) -> QMessageBox: ...

    def _start_saving_settings(self) -> None:
        """The writer, its timers, and the notice in the status bar (which must exist)."""
        window = self._settings_window()
        self._settings_writer = SettingsWriter(
            self.config_dir, self._settings_not_saved, saved=self._settings_saved
        )
        self._save_timer = QTimer(window)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_settings)
        self._retry_timer = QTimer(window)
        self._retry_timer.setInterval(RETRY_MS)
        self._retry_timer.timeout.connect(self.save_settings)
        self.settings_notice = SettingsNotice(window)
        self.settings_notice.clicked.connect(self.save_settings)
        self.statusBar().insertPermanentWidget(0, self.settings_notice)
        self.recovered_settings = RecoveredSettings(self.config_dir, self.model, window)
        self.recovered_settings.restored.connect(self._restored)
        #: Why the newest save failed; None while the file holds what the window shows.
        self._settings_error: OSError | None = None
        #: The person chose to quit without the list (or saved it elsewhere).
        self._loss_accepted = False
        #: The signal that asked the window to close, if one did.
        self._quit_signal: int | None = None
        self._saved_for_close = False
        self._unsaved_question: UnsavedSettingsQuestion | None = None

    def _tell_settings_reset(self, message: str) -> None:
        """The settings file was damaged and set aside: a box says so, the status bar briefly."""
        if self._shut_down:
            return
        self.tell(_("Settings Reset"), message, QMessageBox.Warning, status=False)
        # The status bar gets a few words: the whole message would run into the counts.
        short = _("Settings reset to defaults; the damaged file was kept")
        self.statusBar().showMessage(short, 10_000)

    def _apply_settings(self, settings: Settings) -> None:
        self.model.add_rows(s.row() for s in settings.servers)
        self.downloads.set_limit(settings.connection_limit)
        self.downloads.max_time = settings.max_time
        self.commands.choose_mode(settings.mode)
        self.language = settings.language
        # Qt refuses a geometry saved on a screen of another size: then as a first start.
        if settings.geometry and self.restoreGeometry(QByteArray(settings.geometry)):
            self.screen_fit.restored()
        else:
            self.screen_fit.first_start()
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
            max_time=self.downloads.max_time,
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

    @property
    def settings_unsaved(self) -> bool:
        """True while the newest save failed: the file is older than what the window shows."""
        return self._settings_error is not None

    def settings_written(self) -> Deferred[bool]:
        """A Deferred for the settings as they are now: True once on disk, False once told not."""
        return self._settings_writer.written()

    def _save_settings_now(self) -> bool:
        """Save the settings before returning, after any save in flight; True if saved."""
        self._save_timer.stop()
        return self._settings_writer.save_now(self.current_settings())

    def _settings_not_saved(self, error: OSError) -> None:
        """A save failed: say so until one succeeds, log it, and keep trying."""
        before, self._settings_error = self._settings_error, error
        self.settings_notice.show_failure(self.config_dir, error)
        if not self._shut_down and not self._retry_timer.isActive():
            self._retry_timer.start()
        if before is None or (before.errno, before.strerror) != (error.errno, error.strerror):
            log.warn(
                "Could not save the settings in {folder}: {reason}; the window keeps them "
                "and tries again every {seconds} s",
                folder=self.config_dir,
                reason=error.strerror or error,
                seconds=RETRY_MS // 1000,
            )

    def _settings_saved(self) -> None:
        if self._settings_error is None:
            return
        self._settings_error = None
        self._retry_timer.stop()
        self.settings_notice.clear()
        log.info("The settings are saved in {folder} again", folder=self.config_dir)
        question = self._open_question()
        if question is not None:
            # The person was quitting, and nothing holds the window any more.
            question.close()
            QTimer.singleShot(0, self.close)

    # Closing

    def close_for_signal(self, signum: int) -> None:
        """Close because of SIGTERM or SIGINT: nobody is there to ask, so nothing asks."""
        self._quit_signal = signum
        self.close()

    def settings_let_close(self) -> bool:
        """Whether the window may close now, as far as its settings go; if not, it asks.

        A person closing the window waits for the list to be saved (here,
        at once) or for their choice; a signal never waits. The addresses
        still waiting to be listed are listed first (and then started by
        nobody, even if the person goes back to the window).
        """
        if self._quit_signal is not None or self._loss_accepted:
            return True
        self.adds.finish()
        if self._save_settings_now():
            self._saved_for_close = True
            return True
        self._ask_about_unsaved()
        return False

    def _last_save(self) -> None:
        """The save as the window goes; if it fails, a recovery file keeps the settings.

        Unless the person chose to lose them: then they are let go.
        """
        self._retry_timer.stop()
        if self._saved_for_close:
            return  # just now, by settings_let_close, and nothing has changed since
        if self._save_settings_now() or self._loss_accepted:
            return
        settings = self.current_settings()
        try:
            path = write_recovery(self.config_dir, settings)
        except OSError as e:
            log.error(
                "The settings could not be saved in {folder}, nor kept in the state "
                "directory ({reason}): {count} servers are lost",
                folder=self.config_dir,
                reason=e.strerror or e,
                count=len(settings.servers),
            )
            return
        log.warn(
            "The settings could not be saved in {folder}; {count} servers were kept in "
            "{path}, which the next start offers to restore",
            folder=self.config_dir,
            count=len(settings.servers),
            path=path,
        )

    def _ask_about_unsaved(self) -> None:
        """Ask what to do with the list the disk would not take (once at a time)."""
        open_question = self._open_question()
        if open_question is not None:
            open_question.raise_()
            return
        error = self._settings_error
        reason = (error.strerror or str(error)) if error is not None else ""
        question = UnsavedSettingsQuestion(self.config_dir, reason, self._settings_window())
        question.retry.connect(self.close)  # closing tries the save first
        question.saveElsewhere.connect(self._choose_where_to_save)
        question.quitWithout.connect(self._quit_without_settings)
        self._unsaved_question = question
        self.open_dialog(question)

    def _open_question(self) -> UnsavedSettingsQuestion | None:
        """The question about the unsaved list, while it is on screen."""
        question = self._unsaved_question
        if question is None or sip.isdeleted(question) or not question.isVisible():
            return None
        return question

    def _choose_where_to_save(self) -> None:
        dialog = save_elsewhere_dialog(self._settings_window())
        dialog.fileSelected.connect(lambda path: self._save_elsewhere(Path(path)))
        dialog.rejected.connect(self._ask_about_unsaved)
        self.open_dialog(dialog)

    def _save_elsewhere(self, path: Path) -> None:
        """Write the settings to ``path``, then quit; if that fails too, say so and ask again."""
        try:
            write_atomically(path, settings_bytes(self.current_settings()))
        except OSError as e:
            box = self.tell(
                _("Server List Not Saved"),
                _("Could not save {path}: {reason}").format(path=path, reason=e.strerror or e),
                QMessageBox.Warning,
            )
            box.finished.connect(lambda _result: self._ask_about_unsaved())
            return
        log.warn(
            "The settings could not be saved in {folder}; they were saved in {path} instead",
            folder=self.config_dir,
            path=path,
        )
        self._loss_accepted = True
        self.close()

    def _quit_without_settings(self) -> None:
        log.warn("Quit without saving the settings in {folder}, as chosen", folder=self.config_dir)
        self._loss_accepted = True
        self.close()

    # Restoring what a signal's quit kept (app/gui/recovered_settings.py)

    def _offer_recovered_settings(self) -> None:
        """Once the window is on screen: ask about servers a signal's quit kept, if any."""
        if not self._shut_down:
            self.recovered_settings.offer()

    def _restored(self, servers: list[SavedServer]) -> None:
        """List the recovered servers not listed yet, save, and let the files go once saved."""
        self.model.add_rows(s.row() for s in servers if self.model.row_for(s.address) is None)
        self.save_settings()
        self.settings_written().addCallback(self.recovered_settings.saved)

    def _settings_window(self) -> QWidget:
        """The window itself, the parent of what is made here (this class is one of its bases)."""
        assert isinstance(self, QWidget)
        return self
