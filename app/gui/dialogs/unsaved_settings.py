"""Two questions about settings the disk would not take: on quitting, and on the next start.

:class:`UnsavedSettingsQuestion` is asked when a person quits while the
server list is not saved: try again, save the list in another file (as
settings JSON, which the program and any reader of settings can read), or
quit and lose it; Cancel goes back to the window. :class:`RecoveredSettingsQuestion`
is asked on the start after a quit that could not ask (a signal), when the
list was kept as a recovery file: restore those servers, discard the file,
or decide later (the file stays). Neither is modal to the application:
each answers through signals, and the window acts.
"""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import Qt, pyqtBoundSignal, pyqtSignal
from PyQt5.QtWidgets import QFileDialog, QMessageBox, QPushButton, QWidget

from app import APP_NAME
from app.i18n import _, ngettext


class _Question(QMessageBox):
    """A warning box whose buttons each emit a signal of their own."""

    def __init__(self, title: str, text: str, parent: QWidget | None) -> None:
        super().__init__(QMessageBox.Warning, title, text, QMessageBox.NoButton, parent)
        self.setTextFormat(Qt.PlainText)
        self._answers: dict[str, pyqtBoundSignal] = {}  # by button name
        # Answered once the box is closed, so an answer may ask again.
        self.finished.connect(self._answered)

    def _answer(
        self, name: str, text: str, role: QMessageBox.ButtonRole, signal: pyqtBoundSignal | None
    ) -> QPushButton:
        button = self.addButton(text, role)
        button.setObjectName(name)
        if signal is not None:
            self._answers[name] = signal
        return button

    def _answered(self) -> None:
        button = self.clickedButton()
        signal = self._answers.get(button.objectName()) if button is not None else None
        if signal is not None:
            signal.emit()


class UnsavedSettingsQuestion(_Question):
    """Quitting with the server list unsaved: ``retry``, ``saveElsewhere`` or ``quitWithout``."""

    retry = pyqtSignal()
    saveElsewhere = pyqtSignal()
    quitWithout = pyqtSignal()

    def __init__(self, folder: Path, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(
            _("Servers Not Saved"),
            _(
                "The server list could not be saved in {folder}: {reason}. If you quit now, "
                "the servers added or changed since the last save are lost."
            ).format(folder=folder, reason=reason),
            parent,
        )
        self.setObjectName("unsavedSettingsDialog")
        self.setInformativeText(
            _(
                "Retry once there is room again, save the list in another place (it can "
                "be copied back as settings.json later), or quit without it."
            )
        )
        retry = self._answer("retrySaveButton", _("&Retry"), QMessageBox.AcceptRole, self.retry)
        self._answer(
            "saveElsewhereButton",
            _("&Save the List Elsewhere…"),
            QMessageBox.ActionRole,
            self.saveElsewhere,
        )
        self._answer(
            "quitWithoutSavingButton",
            _("&Quit and Lose Them"),
            QMessageBox.DestructiveRole,
            self.quitWithout,
        )
        cancel = self._answer("keepWindowButton", _("&Cancel"), QMessageBox.RejectRole, None)
        self.setDefaultButton(retry)
        self.setEscapeButton(cancel)


class RecoveredSettingsQuestion(_Question):
    """Servers kept when a quit could not save them: ``restore`` or ``discard`` (or neither)."""

    restore = pyqtSignal()
    discard = pyqtSignal()

    def __init__(
        self, count: int, files: list[Path], folder: Path, parent: QWidget | None = None
    ) -> None:
        place = files[0] if len(files) == 1 else files[0].parent
        super().__init__(
            _("Recover Servers"),
            ngettext(
                "When the program last quit, {n} server could not be saved in {folder}; "
                "it was kept in {place}. Add it to the list again?",
                "When the program last quit, {n} servers could not be saved in {folder}; "
                "they were kept in {place}. Add them to the list again?",
                count,
            ).format(n=count, folder=folder, place=place),
            parent,
        )
        self.setObjectName("recoverSettingsDialog")
        self.setWindowModality(Qt.NonModal)
        restore = self._answer(
            "restoreSettingsButton", _("&Restore"), QMessageBox.AcceptRole, self.restore
        )
        self._answer(
            "discardSettingsButton", _("&Discard"), QMessageBox.DestructiveRole, self.discard
        )
        later = self._answer("decideLaterButton", _("Ask &Later"), QMessageBox.RejectRole, None)
        self.setDefaultButton(restore)
        self.setEscapeButton(later)


def save_elsewhere_dialog(parent: QWidget | None) -> QFileDialog:
    """Where to save the server list instead: a settings JSON file the person names."""
    suggested = Path.home() / f"{APP_NAME}-settings.json"  # untranslated: a file name
    dialog = QFileDialog(
        parent, _("Save the Server List As"), str(suggested), _("Settings files (*.json)")
    )
    dialog.setObjectName("saveSettingsElsewhereDialog")
    dialog.setAcceptMode(QFileDialog.AcceptSave)
    dialog.setOption(QFileDialog.DontUseNativeDialog)
    dialog.setDefaultSuffix("json")
    return dialog
