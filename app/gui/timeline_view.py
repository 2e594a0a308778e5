"""The timeline's lanes: every connection of the batch on one clock, a lane beside each table row.

A lane shows one download's life in seconds since its batch started: a thin
line while it connects, then a bar until it ends, a tick per chunk (taller
for more bytes), and its ending: a cap in the text colour when done, red
when it failed, grey when cancelled. Lanes follow the table: same order
(sorting included), same row height, same vertical scroll, same selection.

What it costs stays bounded whatever the downloads do: a repaint draws only
the lanes inside the damaged rectangle, and at most one tick per lane per
pixel column (marks that fall in the same column are drawn, and described,
as one). It repaints on the table model's refresh tick, never per chunk.
"""

from __future__ import annotations

import math

from PyQt5.QtCore import QEvent, QItemSelectionModel, QLine, QModelIndex, QPoint, QRect, QSize, Qt
from PyQt5.QtGui import (
    QColor,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QWheelEvent,
)
from PyQt5.QtWidgets import QApplication, QTableView, QToolTip, QWidget

from app.gui.model import ServerListModel, literal_tooltip
from app.timeline import Ending, Lane, Timeline
from app.timeline_axis import (
    MARGIN_LEFT,
    MARGIN_RIGHT,
    ZOOM_STEP,
    AxisNavigator,
    TimeAxis,
    mark_columns,
    tick_label,
    tick_step,
)
from app.timeline_words import lane_tooltip

#: A red and a grey that read on light and dark bases alike (no palette role has them).
FAILED_COLOUR = QColor(222, 56, 43)
CANCELLED_COLOUR = QColor(136, 136, 136)


class TimelineView(QWidget):
    """Draws ``timeline``'s current batch, one lane per row of ``table`` (a view of ``model``).

    Time runs left to right from the batch's start. While *fitted* the axis
    shows the whole batch and grows with it; zooming or panning fixes it
    where the person put it until Fit.
    """

    def __init__(
        self,
        table: QTableView,
        model: ServerListModel,
        timeline: Timeline,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("timelineView")
        self.setAttribute(Qt.WA_OpaquePaintEvent)
        self.setMinimumSize(160, 80)
        self.timeline = timeline
        self._table = table
        self._proxy = table.model()
        self._model = model
        self._navigator = AxisNavigator(timeline)
        #: Where a left-button press was, and the axis then: a drag pans from there.
        self._press: tuple[QPoint, TimeAxis] | None = None
        self._dragging = False
        #: How many lanes the last paint drew (the ones inside its rectangle).
        self.painted_lanes = 0

        for signal in (
            self._proxy.layoutChanged,
            self._proxy.rowsInserted,
            self._proxy.rowsRemoved,
            self._proxy.modelReset,
            table.verticalScrollBar().valueChanged,
            table.verticalHeader().sectionResized,
            table.selectionModel().selectionChanged,
        ):
            signal.connect(self.update)

    def sizeHint(self) -> QSize:
        return QSize(420, 300)

    # The time axis

    @property
    def fitted(self) -> bool:
        return self._navigator.fitted

    def plot_width(self) -> int:
        return max(self.width() - MARGIN_LEFT - MARGIN_RIGHT, 1)

    def axis(self) -> TimeAxis:
        """The time axis as shown now."""
        return self._navigator.axis(self.plot_width())

    def visible_span(self) -> tuple[float, float]:
        """The first and last second the plot shows."""
        return self._navigator.visible_span(self.plot_width())

    def x_at(self, seconds: float) -> float:
        return self.axis().x(seconds)

    def time_at(self, x: float) -> float:
        return self.axis().time(x)

    def fit(self) -> None:
        """Show the whole batch, and keep showing all of it as it grows."""
        self._navigator.fit()
        self.update()

    def show_span(self, start: float, end: float) -> None:
        """Show the seconds from ``start`` to ``end`` across the plot (no longer fitted)."""
        self._navigator.show_span(start, end, self.plot_width())
        self.update()

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        """Scale the axis by ``factor`` (> 1 zooms in), keeping the time under ``anchor_x``."""
        self._navigator.zoom(factor, anchor_x, self.plot_width())
        self.update()

    def pan(self, pixels: float) -> None:
        """Move the axis ``pixels`` to the right (later times come into view from the right)."""
        self._navigator.pan(pixels, self.plot_width())
        self.update()

    # Lanes

    def axis_height(self) -> int:
        return self.fontMetrics().height() + 8

    def lanes_area(self) -> QRect:
        """Where lanes are drawn: above the axis, from the table's first row down.

        Beside the table, the first lane starts level with the table's
        first row, so every lane is level with its row; floating or below
        the table, lanes start at the top.
        """
        bottom = self.height() - self.axis_height()
        top = 0
        if self.window() is self._table.window():
            viewport = self._table.viewport()
            level = self.mapFromGlobal(viewport.mapToGlobal(QPoint(0, 0))).y()
            if 0 <= level <= bottom // 2:
                top = level
        return QRect(0, top, self.width(), max(bottom - top, 0))

    def lane_of(self, view_row: int) -> Lane | None:
        """The lane of the table's ``view_row`` (as sorted), if it ran in the current batch."""
        source = self._proxy.mapToSource(self._proxy.index(view_row, 0))
        if not source.isValid():
            return None
        lane = self.timeline.lanes.get(self._model.row_at(source.row()))
        if lane is None or lane.batch != self.timeline.batch:
            return None
        return lane

    def lane_rect(self, view_row: int, area: QRect | None = None) -> QRect:
        """Where the lane of ``view_row`` is: level with the row in the table, scroll included."""
        area = area if area is not None else self.lanes_area()
        header = self._table.verticalHeader()
        top = area.top() + header.sectionViewportPosition(view_row)
        return QRect(0, top, self.width(), header.sectionSize(view_row))

    def row_at(self, y: int) -> int:
        """The table row whose lane is at ``y``, or -1."""
        area = self.lanes_area()
        if not area.top() <= y <= area.bottom():
            return -1
        return self._table.verticalHeader().logicalIndexAt(y - area.top())

    def _rows_between(self, area: QRect, top: int, bottom: int) -> range:
        top, bottom = max(top, area.top()), min(bottom, area.bottom())
        count = self._proxy.rowCount()
        if not count or bottom < top:
            return range(0)
        header = self._table.verticalHeader()
        first = header.logicalIndexAt(top - area.top())
        if first < 0:
            return range(0)
        last = header.logicalIndexAt(bottom - area.top())
        return range(first, (last if last >= 0 else count - 1) + 1)

    # Painting

    def paintEvent(self, event: QPaintEvent) -> None:
        rect = event.rect()
        palette = self.palette()
        painter = QPainter(self)
        painter.fillRect(rect, palette.base())
        area = self.lanes_area()
        time_axis = self.axis()
        step = tick_step(time_axis.scale)
        painter.setClipRect(rect.intersected(area))

        selection = self._table.selectionModel()
        alternate = self._table.alternatingRowColors()
        lanes: list[tuple[QRect, Lane, bool]] = []
        for row in self._rows_between(area, rect.top(), rect.bottom()):
            lane_rect = self.lane_rect(row, area)
            selected = selection.isRowSelected(row, QModelIndex())
            if selected:
                painter.fillRect(lane_rect, palette.highlight())
            elif row % 2 and alternate:
                painter.fillRect(lane_rect, palette.alternateBase())
            lane = self.lane_of(row)
            if lane is not None:
                lanes.append((lane_rect, lane, selected))
        self.painted_lanes = len(lanes)

        grid = QColor(palette.color(QPalette.Text))
        grid.setAlpha(28)
        painter.setPen(grid)
        first_tick = math.ceil(time_axis.time(rect.left()) / step)
        last_tick = math.floor(time_axis.time(rect.right() + 1) / step)
        for n in range(max(first_tick, 0), last_tick + 1):
            x = round(time_axis.x(n * step))
            painter.drawLine(x, area.top(), x, area.bottom())

        t_lo, t_hi = time_axis.time(rect.left() - 1), time_axis.time(rect.right() + 2)
        columns = [mark_columns(time_axis, lane, t_lo, t_hi) for _, lane, _ in lanes]
        largest = max((max(c.sizes) for c in columns if c.sizes), default=1)
        now = self.timeline.now()
        ticks: dict[int, tuple[QColor, list[QLine]]] = {}
        for (lane_rect, lane, selected), lane_columns in zip(lanes, columns, strict=True):
            self._paint_lane(painter, palette, time_axis, lane_rect, lane, selected, now)
            accent = self._accent(palette, lane, selected)
            lines = ticks.setdefault(accent.rgba(), (accent, []))[1]
            top, bottom = self._bar(lane_rect)
            height = bottom - top
            for x, size in zip(lane_columns.xs, lane_columns.sizes, strict=True):
                length = max(2, round(math.sqrt(size / largest) * height))
                lines.append(QLine(x, bottom, x, bottom - length))
        for colour, lines in ticks.values():
            painter.setPen(colour)
            painter.drawLines(lines)

        if self.timeline.running:
            x = self._clamp(time_axis.x(now))
            painter.setPen(QPen(palette.color(QPalette.Highlight), 1, Qt.DashLine))
            painter.drawLine(x, area.top(), x, area.bottom())

        band = QRect(0, area.bottom() + 1, self.width(), self.height() - area.bottom() - 1)
        if rect.intersects(band):
            painter.setClipRect(rect)
            self._paint_axis(painter, palette, time_axis, band, step)
        painter.end()

    def _bar(self, lane_rect: QRect) -> tuple[int, int]:
        """The top and bottom y of a lane's bar."""
        pad = max(2, lane_rect.height() // 5)
        return lane_rect.top() + pad, lane_rect.bottom() - pad

    @staticmethod
    def _accent(palette: QPalette, lane: Lane, selected: bool) -> QColor:
        if lane.ending is Ending.FAILED:
            return FAILED_COLOUR
        if lane.ending is Ending.CANCELLED:
            return CANCELLED_COLOUR
        return palette.color(QPalette.HighlightedText if selected else QPalette.Highlight)

    def _clamp(self, x: float) -> int:
        """Pixels within reach of the widget: far-off times must not overflow Qt's ints."""
        return round(min(max(x, -16.0), self.width() + 16.0))

    def _paint_lane(
        self,
        painter: QPainter,
        palette: QPalette,
        time_axis: TimeAxis,
        lane_rect: QRect,
        lane: Lane,
        selected: bool,
        now: float,
    ) -> None:
        top, bottom = self._bar(lane_rect)
        middle = (top + bottom) // 2
        ink = palette.color(QPalette.HighlightedText if selected else QPalette.Text)
        end = lane.ended if lane.ended is not None else now
        if lane.connect_started is not None:
            start = self._clamp(time_axis.x(lane.connect_started))
            stop = self._clamp(time_axis.x(lane.connected if lane.connected is not None else end))
            faint = QColor(ink)
            faint.setAlpha(150)
            painter.setPen(faint)
            painter.drawLine(start, middle, stop, middle)
            painter.drawLine(start, middle - 2, start, middle + 2)
        if lane.connected is not None:
            start = self._clamp(time_axis.x(lane.connected))
            stop = self._clamp(time_axis.x(end))
            tint = QColor(self._accent(palette, lane, selected))
            tint.setAlpha(60)
            painter.fillRect(QRect(start, top, max(stop - start, 1), bottom - top + 1), tint)
        if lane.ending is not None:
            x = self._clamp(time_axis.x(end))
            cap = ink if lane.ending is Ending.DONE else self._accent(palette, lane, selected)
            painter.fillRect(QRect(x - 1, top - 2, 2, bottom - top + 5), cap)

    def _paint_axis(
        self, painter: QPainter, palette: QPalette, time_axis: TimeAxis, band: QRect, step: float
    ) -> None:
        """Seconds under the lanes: a tick and a label every ``step``, labels never overlapping."""
        painter.fillRect(band, palette.button())
        painter.setPen(palette.color(QPalette.Mid))
        painter.drawLine(band.left(), band.top(), band.right(), band.top())
        painter.setPen(palette.color(QPalette.ButtonText))
        metrics = self.fontMetrics()
        baseline = band.top() + 4 + metrics.ascent()
        free_from = 0
        first = max(math.ceil(time_axis.time(0) / step), 0)
        last = math.floor(time_axis.time(self.width()) / step)
        for n in range(first, last + 1):
            x = round(time_axis.x(n * step))
            painter.drawLine(x, band.top(), x, band.top() + 3)
            label = tick_label(n * step, step)
            width = metrics.horizontalAdvance(label)
            left = min(max(x - width // 2, 2), self.width() - width - 2)
            if left >= free_from:
                painter.drawText(left, baseline, label)
                free_from = left + width + metrics.horizontalAdvance("  ")

    # What is under the pointer

    def toolTipAt(self, pos: QPoint) -> str | None:
        """The words a tooltip at ``pos`` shows: the server, then what happened there, then."""
        row = self.row_at(pos.y())
        lane = self.lane_of(row) if row >= 0 else None
        if lane is None:
            return None
        return lane_tooltip(lane, self.axis(), pos.x(), self.timeline.now())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.ToolTip:
            assert isinstance(event, QHelpEvent)
            text = self.toolTipAt(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), literal_tooltip(text), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    # Mouse: click selects the row, drag pans, Ctrl+wheel zooms, wheel scrolls the rows

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.LeftButton:
            super().mousePressEvent(event)
            return
        self._press = (event.pos(), self.axis())
        self._dragging = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return
        start, axis = self._press
        dx = event.pos().x() - start.x()
        if not self._dragging and abs(dx) < QApplication.startDragDistance():
            return
        self._dragging = True
        self.setCursor(Qt.ClosedHandCursor)
        self._navigator.place(axis.t0 - dx / axis.scale, axis.scale, self.plot_width())
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is None or event.button() != Qt.LeftButton:
            return
        self._press = None
        if self._dragging:
            self._dragging = False
            self.unsetCursor()
            return
        row = self.row_at(event.pos().y())
        if row >= 0:
            self._select(row, event.modifiers())

    def _select(self, row: int, modifiers: Qt.KeyboardModifiers) -> None:
        index = self._proxy.index(row, 0)
        rows = QItemSelectionModel.Rows
        if modifiers & Qt.ControlModifier:
            flags = QItemSelectionModel.Toggle | rows
        else:
            flags = QItemSelectionModel.ClearAndSelect | rows
        self._table.selectionModel().setCurrentIndex(index, flags)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        if event.modifiers() & Qt.ControlModifier and delta.y():
            self.zoom(ZOOM_STEP ** (delta.y() / 120), event.position().x())
        elif delta.x() or event.modifiers() & Qt.ShiftModifier:
            steps = (delta.x() or delta.y()) / 120
            self.pan(-steps * self.plot_width() / 8)
        else:
            bar = self._table.verticalScrollBar()
            lines = QApplication.wheelScrollLines() * bar.singleStep()
            bar.setValue(bar.value() - round(delta.y() / 120 * lines))
        event.accept()
