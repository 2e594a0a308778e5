"""The window's status bar: a message never runs into the counts on its right.

Qt clips a long temporary message at the first permanent widget, mid-word,
so "… — 2.0× faster" reads as "… — 2." glued to "0 downloading". Here a
message that does not fit is shortened with "…" to the room there is, and
the whole of it is the status bar's tooltip.

What must not scroll away with a message is a :class:`StatusNotice`
instead: a flat button that stays until what it says is over.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QIcon
from PyQt5.QtWidgets import QStatusBar, QStyle, QToolButton, QWidget

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


class StatusNotice(QToolButton):
    """A flat button with a warning sign, for the status bar; hidden until there is news.

    Subclasses say what it reads (``retranslate``) and when it shows; a click
    is ``clicked``, as on any button.
    """

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.setIcon(
            QIcon.fromTheme(
                "dialog-warning", self.style().standardIcon(QStyle.SP_MessageBoxWarning)
            )
        )
        self.setVisible(False)
