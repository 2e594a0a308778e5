"""Paints the Progress column with the style's own progress bar.

The bar is drawn (``CE_ProgressBar``), not a widget per row, so a thousand
rows cost a thousand paints of visible cells only. It is determinate when
the model knows the fraction, a busy bar when it does not; either way it
carries the model's text ("73 %", "1.2 KiB · 14 B/s"). A failed download's
bar is red (full when its size was never known) and a cancelled one's grey,
as on the timeline, so a failure does not pass for a healthy download.
"""

from __future__ import annotations

from PyQt5.QtCore import QModelIndex, Qt
from PyQt5.QtGui import QPainter, QPalette
from PyQt5.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionFocusRect,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
)

from app.downloads.rows import Status
from app.gui.colours import CANCELLED_COLOUR, FAILED_COLOUR
from app.gui.table.model import BUSY_ROLE, STATUS_ROLE

STEPS = 1000  # resolution of a determinate bar


class ProgressDelegate(QStyledItemDelegate):
    """Draws ``index.data(Qt.UserRole)`` (a fraction or ``None``) as a progress bar."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        # The cell's background first, so a selected row stays visibly selected.
        # Only the panel: the model gives this column no colours, icon or check,
        # and a whole CE_ItemViewItem (with initStyleOption asking the model for
        # a dozen roles) was half of what a repaint of the table cost.
        style.drawPrimitive(QStyle.PE_PanelItemViewItem, option, painter, widget)

        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 2, -2, -2)
        bar.state = option.state | QStyle.State_Horizontal
        bar.direction = option.direction
        bar.fontMetrics = option.fontMetrics
        bar.palette = option.palette
        # One line, elided: a long failure reason must not wrap over the bar.
        bar.text = option.fontMetrics.elidedText(
            index.data(Qt.DisplayRole) or "", Qt.ElideRight, bar.rect.width() - 8
        )
        bar.textVisible = True
        bar.textAlignment = Qt.AlignCenter
        fraction = index.data(Qt.UserRole)
        status = index.data(STATUS_ROLE)
        if index.data(BUSY_ROLE):
            bar.minimum = bar.maximum = bar.progress = 0
        else:
            bar.minimum, bar.maximum = 0, STEPS
            if status is Status.FAILED and fraction is None:
                fraction = 1.0
            bar.progress = round((fraction or 0.0) * STEPS)
        ending = {Status.FAILED: FAILED_COLOUR, Status.CANCELLED: CANCELLED_COLOUR}.get(status)
        if ending is not None:
            bar.palette = QPalette(option.palette)
            bar.palette.setColor(QPalette.Highlight, ending)
        style.drawControl(QStyle.CE_ProgressBar, bar, painter, widget)
        if option.state & QStyle.State_HasFocus:
            _paint_focus(style, painter, option)


def _paint_focus(style: QStyle, painter: QPainter, option: QStyleOptionViewItem) -> None:
    """The current cell's focus frame, as the style draws it around any item."""
    focus = QStyleOptionFocusRect()
    focus.rect = style.subElementRect(QStyle.SE_ItemViewItemFocusRect, option, option.widget)
    focus.state = option.state | QStyle.State_KeyboardFocusChange | QStyle.State_Item
    focus.direction = option.direction
    focus.palette = option.palette
    focus.fontMetrics = option.fontMetrics
    group = QPalette.Normal if option.state & QStyle.State_Enabled else QPalette.Disabled
    selected = option.state & QStyle.State_Selected
    focus.backgroundColor = option.palette.color(
        group, QPalette.Highlight if selected else QPalette.Window
    )
    style.drawPrimitive(QStyle.PE_FrameFocusRect, focus, painter, option.widget)
