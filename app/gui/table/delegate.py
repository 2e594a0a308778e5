"""Paints the Progress column with the style's own progress bar, its words drawn whole once.

The bar is drawn (``CE_ProgressBar``), not a widget per row, so a thousand
rows cost a thousand paints of visible cells only. It is determinate when
the model knows the fraction; when it does not, the bar stays empty under
a faint hatch, the busy state that cannot pass for a full bar (the style's
busy bar is an animation, and a still frame of it is a bar full of colour).
A failed download's bar is red (full when its size was never known) and a
cancelled one's grey, as on the timeline, so a failure does not pass for a
healthy download.

The words ("73 %", "1.2 KiB · 14 B/s", "66 % · connection lost after 537
bytes") are not left to the bar: a style draws them in two colours split
at the fill's edge, so a number over the edge reads as two pieces. They
are drawn once, in the palette's text colour, which reads on the fill and
on the empty groove alike. When they do not fit, the row's short form
(:func:`app.views.progress_words.progress_short_text`: "66 % · 537 bytes")
is drawn instead of the words cut off mid-number.
"""

from __future__ import annotations

from PyQt5.QtCore import QModelIndex, Qt
from PyQt5.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPalette
from PyQt5.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionFocusRect,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QWidget,
)

from app.downloads.rows import Status
from app.gui.colours import CANCELLED_COLOUR, FAILED_COLOUR
from app.gui.table.model import BUSY_ROLE, SHORT_TEXT_ROLE, STATUS_ROLE

STEPS = 1000  # resolution of a determinate bar
#: Room between the cell's edge and the bar's.
BAR_INSET = 2
#: Room kept free at each end of the bar's words.
TEXT_MARGIN = 4
#: How strongly the busy hatch shows the highlight colour (of 255).
HATCH_ALPHA = 110


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
        bar.rect = option.rect.adjusted(BAR_INSET, BAR_INSET, -BAR_INSET, -BAR_INSET)
        bar.state = option.state | QStyle.State_Horizontal
        bar.direction = option.direction
        bar.fontMetrics = option.fontMetrics
        bar.palette = option.palette
        bar.textVisible = False
        bar.minimum, bar.maximum = 0, STEPS
        fraction = index.data(Qt.UserRole)
        status = index.data(STATUS_ROLE)
        busy = bool(index.data(BUSY_ROLE))
        if busy:
            bar.progress = 0
        else:
            if status is Status.FAILED and fraction is None:
                fraction = 1.0
            bar.progress = round((fraction or 0.0) * STEPS)
        ending = {Status.FAILED: FAILED_COLOUR, Status.CANCELLED: CANCELLED_COLOUR}.get(status)
        if ending is not None:
            bar.palette = QPalette(option.palette)
            bar.palette.setColor(QPalette.Highlight, ending)
        style.drawControl(QStyle.CE_ProgressBar, bar, painter, widget)
        if busy:
            _paint_hatch(style, painter, bar, widget)
        words = bar_words(index, option.fontMetrics, option.rect.width())
        # One line, once, in the text colour: never wrapped, never split in two colours.
        style.drawItemText(
            painter,
            bar.rect.adjusted(TEXT_MARGIN, 0, -TEXT_MARGIN, 0),
            int(Qt.AlignCenter | Qt.TextSingleLine),
            bar.palette,
            bool(option.state & QStyle.State_Enabled),
            words,
            QPalette.Text,
        )
        if option.state & QStyle.State_HasFocus:
            _paint_focus(style, painter, option)


def bar_words(index: QModelIndex, metrics: QFontMetrics, cell_width: int) -> str:
    """The words the bar shows in a cell ``cell_width`` wide: all of them, else the short form.

    Only when even the short form is too wide is it cut, with "…" at its end.
    """
    room = cell_width - 2 * (BAR_INSET + TEXT_MARGIN)
    whole = index.data(Qt.DisplayRole) or ""
    if metrics.horizontalAdvance(whole) <= room:
        return str(whole)
    short = index.data(SHORT_TEXT_ROLE) or ""
    return metrics.elidedText(short, Qt.ElideRight, room)


def _paint_hatch(
    style: QStyle, painter: QPainter, bar: QStyleOptionProgressBar, widget: QWidget | None
) -> None:
    """Faint diagonal lines over the empty groove: busy, size unknown, and plainly not full."""
    contents = style.subElementRect(QStyle.SE_ProgressBarContents, bar, widget)
    colour = QColor(bar.palette.color(QPalette.Highlight))
    colour.setAlpha(HATCH_ALPHA)
    painter.fillRect(contents, QBrush(colour, Qt.BDiagPattern))


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
