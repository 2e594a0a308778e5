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
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
)

from app.gui.colours import CANCELLED_COLOUR, FAILED_COLOUR
from app.gui.model import BUSY_ROLE, STATUS_ROLE
from app.rows import Status

STEPS = 1000  # resolution of a determinate bar


class ProgressDelegate(QStyledItemDelegate):
    """Draws ``index.data(Qt.UserRole)`` (a fraction or ``None``) as a progress bar."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        # The item background first, so a selected row stays visibly selected.
        view_option = QStyleOptionViewItem(option)
        self.initStyleOption(view_option, index)
        view_option.text = ""
        style = option.widget.style() if option.widget is not None else QApplication.style()
        style.drawControl(QStyle.CE_ItemViewItem, view_option, painter, option.widget)

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
        style.drawControl(QStyle.CE_ProgressBar, bar, painter, option.widget)
