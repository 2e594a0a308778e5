"""The toolbar's mode box, wide enough for the longest mode name in the language spoken.

A ``QComboBox`` sizes itself for its names once, when first shown; after a
change of language it kept the old width, and the style's text field is a
few pixels narrower than the width a combo box asks for anyway, so
"全部同时下载（reactor模式）" lost its middle. This box sizes itself again
whenever its names change, and asks for the pixels the style's own field
lacks, so no mode name is ever cut.
"""

from __future__ import annotations

from functools import partial

from PyQt5.QtCore import QPoint, QRect, QSize
from PyQt5.QtWidgets import QAction, QComboBox, QStyle, QStyleOptionComboBox, QWidget

#: What the style's label puts between the icon and the name, and keeps at each end of the name.
ICON_GAP = 4
TEXT_PADDING = 2


class ModeBox(QComboBox):
    """A combo box whose size hint holds its longest name whole, beside its icon."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.AdjustToContents)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width() + self._shortfall(hint), hint.height())

    def minimumSizeHint(self) -> QSize:
        # A toolbar short of room shrinks a widget to this: it may hide the box, never cut it.
        return self.sizeHint()

    def _shortfall(self, size: QSize) -> int:
        """The pixels the style's text field, in a box of ``size``, lacks for the longest name."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        option.rect = QRect(QPoint(0, 0), size)
        field = self.style().subControlRect(
            QStyle.CC_ComboBox, option, QStyle.SC_ComboBoxEditField, self
        )
        metrics = self.fontMetrics()
        longest = max(
            (metrics.horizontalAdvance(self.itemText(i)) for i in range(self.count())), default=0
        )
        needed = longest + self.iconSize().width() + ICON_GAP + TEXT_PADDING
        return max(0, needed - field.width())


def mode_box(modes: list[QAction]) -> ModeBox:
    """The toolbar's face of the mode actions, beside Start All, always in view.

    Choosing an item checks its action, and checking an action (from the
    Servers menu, or the settings) shows its item. The items' words are set
    where the actions' are (``WindowActions.retranslate``).
    """
    box = ModeBox()
    box.setObjectName("startModeCombo")
    for action in modes:
        box.addItem(action.icon(), "", action.data())
    box.currentIndexChanged.connect(lambda index: modes[index].setChecked(True))

    def follow(action: QAction, checked: bool) -> None:
        if checked:
            box.setCurrentIndex(modes.index(action))

    for action in modes:
        action.toggled.connect(partial(follow, action))
    return box
