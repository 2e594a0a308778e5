"""The Preferences dialog: how many downloads may hold a connection at once, and the language.

The language list names each language in itself (English, 简体中文), so a
person who cannot read the current one still finds their own. Choosing one
switches the window at once (:func:`app.gui.i18n.install_language`); this
dialog re-reads its own words on the ``LanguageChange`` that follows, in case
it is still open.
"""

from __future__ import annotations

from PyQt5.QtCore import QEvent, pyqtSignal
from PyQt5.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.downloads.controller import MAX_CONNECTION_LIMIT
from app.i18n import LANGUAGE_NAMES, LANGUAGES, _

#: The language list's first entry: no choice of one's own, the locale decides.
FOLLOW_LOCALE = ""


class PreferencesDialog(QDialog):
    """Opened with ``open()``; when accepted emits ``limitChosen(limit)``, then
    ``languageChosen(language)`` (``"zh_CN"``, ``"en"``, or ``""``: follow the locale)."""

    limitChosen = pyqtSignal(int)
    languageChosen = pyqtSignal(str)

    def __init__(self, limit: int, parent: QWidget | None, language: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.limit_spin = QSpinBox()
        self.limit_spin.setObjectName("connectionLimitSpin")
        self.limit_spin.setRange(1, MAX_CONNECTION_LIMIT)
        self.limit_spin.setValue(limit)
        self.note = QLabel()
        self.note.setObjectName("connectionLimitNote")
        self.note.setWordWrap(True)
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("languageCombo")
        self.language_combo.addItem("", FOLLOW_LOCALE)
        for code in LANGUAGES:
            self.language_combo.addItem(LANGUAGE_NAMES[code], code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(language or "")))
        self.language_note = QLabel()
        self.language_note.setObjectName("languageNote")
        self.language_note.setWordWrap(True)
        self.limit_label = QLabel()
        self.limit_label.setBuddy(self.limit_spin)
        self.language_label = QLabel()
        self.language_label.setBuddy(self.language_combo)
        form = QFormLayout()
        form.addRow(self.limit_label, self.limit_spin)
        form.addRow(self.note)
        form.addRow(self.language_label, self.language_combo)
        form.addRow(self.language_note)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._retranslate()

    @property
    def chosen_language(self) -> str:
        """The language chosen in the list; ``""`` to follow the locale."""
        return str(self.language_combo.currentData())

    def accept(self) -> None:
        self.limitChosen.emit(self.limit_spin.value())
        # Last: it may switch the language while this dialog is still on screen.
        self.languageChosen.emit(self.chosen_language)
        super().accept()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(_("Preferences"))
        self.limit_label.setText(_("Simultaneous &connections:"))
        self.note.setText(_("Servers beyond the limit wait as Queued and start as others finish."))
        self.language_label.setText(_("&Language:"))
        self.language_combo.setItemText(0, _("System default (follow the locale)"))
        self.language_note.setText(_("The window speaks the new language as soon as you press OK."))
