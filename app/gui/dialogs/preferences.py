"""The Preferences dialog: how many downloads may hold a connection at once, how long one
may take (the whole-download deadline, off by default), and the language.

The language list names each language in itself (English, 简体中文), so a
person who cannot read the current one still finds their own. Choosing one
switches the window at once (:func:`app.gui.i18n.install_language`); this
dialog re-reads its own words on the ``LanguageChange`` that follows, in case
it is still open.
"""

from __future__ import annotations

from PyQt5.QtCore import QEvent, pyqtSignal
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.downloads.controller import MAX_CONNECTION_LIMIT
from app.i18n import LANGUAGE_NAMES, LANGUAGES, _
from app.net.deadline import LONGEST_MAX_TIME

#: The language list's first entry: no choice of one's own, the locale decides.
FOLLOW_LOCALE = ""
#: The deadline offered when the box is first ticked, in seconds.
SUGGESTED_MAX_TIME = 60.0


class PreferencesDialog(QDialog):
    """Opened with ``open()``; when accepted emits ``limitChosen(limit)``,
    ``maxTimeChosen(seconds)`` (a float, or ``None``: no deadline), then
    ``languageChosen(language)`` (``"zh_CN"``, ``"en"``, or ``""``: follow the locale)."""

    limitChosen = pyqtSignal(int)
    maxTimeChosen = pyqtSignal(object)
    languageChosen = pyqtSignal(str)

    def __init__(
        self,
        limit: int,
        parent: QWidget | None,
        language: str | None = None,
        *,
        max_time: float | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.limit_spin = QSpinBox()
        self.limit_spin.setObjectName("connectionLimitSpin")
        self.limit_spin.setRange(1, MAX_CONNECTION_LIMIT)
        self.limit_spin.setValue(limit)
        self.note = QLabel()
        self.note.setObjectName("connectionLimitNote")
        self.note.setWordWrap(True)
        self.max_time_check = QCheckBox()
        self.max_time_check.setObjectName("maxTimeCheck")
        self.max_time_check.setChecked(max_time is not None)
        self.max_time_spin = QDoubleSpinBox()
        self.max_time_spin.setObjectName("maxTimeSpin")
        self.max_time_spin.setDecimals(1)
        self.max_time_spin.setRange(0.1, LONGEST_MAX_TIME)
        self.max_time_spin.setValue(SUGGESTED_MAX_TIME if max_time is None else max_time)
        self.max_time_spin.setEnabled(max_time is not None)
        self.max_time_check.toggled.connect(self.max_time_spin.setEnabled)
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
        form.addRow(self.max_time_check, self.max_time_spin)
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

    @property
    def chosen_max_time(self) -> float | None:
        """The deadline chosen, in seconds; ``None`` when the box is not ticked."""
        return self.max_time_spin.value() if self.max_time_check.isChecked() else None

    def accept(self) -> None:
        self.limitChosen.emit(self.limit_spin.value())
        self.maxTimeChosen.emit(self.chosen_max_time)
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
        self.max_time_check.setText(_("&Give up on a download not complete after:"))
        # TRANSLATORS: after a number of seconds in a spin box, "60.0 s".
        self.max_time_spin.setSuffix(_(" s"))
        self.language_label.setText(_("&Language:"))
        self.language_combo.setItemText(0, _("System default (follow the locale)"))
        self.language_note.setText(_("The window speaks the new language as soon as you press OK."))
