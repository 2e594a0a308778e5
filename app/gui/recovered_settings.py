"""On the start after a signal's quit that could not save: offer the servers it kept.

When SIGTERM or SIGINT closed the window and the settings could not be
written, they went to a recovery file in the state directory
(:mod:`app.settings.recovery`). The next window on the same settings
directory finds the files once it is on screen and asks, without blocking
anything (:class:`~app.gui.dialogs.unsaved_settings.RecoveredSettingsQuestion`):
Restore lists the servers not listed yet, and the files go once that list
is saved; Discard removes the files; closing the question leaves them for
the next start. A file that cannot be read is left where it is, and logged.
"""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import QObject, Qt, pyqtSignal
from PyQt5.QtWidgets import QWidget
from twisted.logger import Logger

from app.gui.dialogs.unsaved_settings import RecoveredSettingsQuestion
from app.gui.table.model import ServerListModel
from app.net.address import Address
from app.settings.recovery import read_recovery, recovery_files
from app.settings.store import SavedServer

log = Logger(namespace="poetry.settings")


class RecoveredSettings(QObject):
    """Asks once whether to restore; ``restored(list[SavedServer])`` brings those not listed."""

    restored = pyqtSignal(object)

    def __init__(self, config_dir: Path, model: ServerListModel, parent: QWidget) -> None:
        super().__init__(parent)
        self._config_dir = config_dir
        self._model = model
        self._window = parent
        self._asked = False
        #: The readable recovery files the question is about.
        self._files: list[Path] = []

    def offer(self) -> RecoveredSettingsQuestion | None:
        """Ask about the recovery files of this settings directory, the first time only."""
        if self._asked:
            return None
        self._asked = True
        servers: list[SavedServer] = []
        for path in recovery_files(self._config_dir):
            try:
                servers.extend(read_recovery(path).servers)
            except (OSError, ValueError) as e:
                log.warn(
                    "The recovered settings {path} cannot be read ({reason}); left as they are",
                    path=path,
                    reason=(isinstance(e, OSError) and e.strerror) or e,
                )
                continue
            self._files.append(path)
        if not self._files:
            return None
        new = self._not_listed(servers)
        if not new:
            log.info("Every recovered server is listed already; removing {f}", f=self._files)
            self._remove_files()
            return None
        question = RecoveredSettingsQuestion(len(new), self._files, self._config_dir, self._window)
        question.restore.connect(lambda: self.restored.emit(new))
        question.discard.connect(self._discard)
        question.setAttribute(Qt.WA_DeleteOnClose)
        question.show()
        return question

    def saved(self, ok: bool) -> None:
        """The save after a restore ended: the files go once their servers are saved."""
        if ok:
            log.info("Recovered servers restored and saved; removing {files}", files=self._files)
            self._remove_files()

    def _not_listed(self, servers: list[SavedServer]) -> list[SavedServer]:
        """``servers`` not listed in the window, each once, in order."""
        seen: set[Address] = set()
        new = []
        for server in servers:
            if server.address not in seen and self._model.row_for(server.address) is None:
                seen.add(server.address)
                new.append(server)
        return new

    def _discard(self) -> None:
        log.warn("Recovered settings discarded, as chosen: {files}", files=self._files)
        self._remove_files()

    def _remove_files(self) -> None:
        for path in self._files:
            try:
                path.unlink(missing_ok=True)
            except OSError as e:
                log.warn("Could not remove {path}: {reason}", path=path, reason=e.strerror or e)
        self._files = []
