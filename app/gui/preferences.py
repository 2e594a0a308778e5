"""The Preferences dialog: how many downloads may hold a connection at once."""

from __future__ import annotations

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.downloads import MAX_CONNECTION_LIMIT


class PreferencesDialog(QDialog):
    """Opened with ``open()``; emits ``limitChosen(limit)`` when accepted."""

    limitChosen = pyqtSignal(int)

    def __init__(self, limit: int, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self.limit_spin = QSpinBox()
        self.limit_spin.setObjectName("connectionLimitSpin")
        self.limit_spin.setRange(1, MAX_CONNECTION_LIMIT)
        self.limit_spin.setValue(limit)
        note = QLabel("Servers beyond the limit wait as Queued and start as others finish.")
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Simultaneous &connections:", self.limit_spin)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.limitChosen.emit(self.limit_spin.value())
        super().accept()
