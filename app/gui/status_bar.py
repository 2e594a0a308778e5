"""The window's status bar: a message never runs into the counts on its right.

Qt clips a long temporary message at the first permanent widget, mid-word,
so "… — 2.0× faster" reads as "… — 2." glued to "0 downloading". Here a
message that does not fit is shortened with "…" to the room there is, and
the whole of it is the status bar's tooltip.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QStatusBar, QWidget

#: Room kept between the message and the counts, and at the left edge.
GAP = 24


class WindowStatusBar(QStatusBar):
    """A ``QStatusBar`` whose ``showMessage`` shortens what would not fit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")

    def showMessage(self, text: str, msecs: int = 0) -> None:
        beside = sum(
            child.width()
            for child in self.findChildren(QWidget, options=Qt.FindDirectChildrenOnly)
            if child.isVisible()
        )
        room = self.width() - GAP - beside
        shown = self.fontMetrics().elidedText(text, Qt.ElideRight, max(room, 0))
        self.setToolTip(text if shown != text else "")
        super().showMessage(shown, msecs)
