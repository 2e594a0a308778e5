"""The timeline widget: a lane beside each table row, on the batch's clock.

Lanes follow the table: same order (sorting included), same row height,
same vertical scroll, same selection. This module is the Qt side of that:
where each lane is, and what the mouse does. The axis arithmetic is in
:mod:`app.views.timeline.axis`, the words in :mod:`app.views.timeline.words`, the
drawing in :mod:`app.gui.timeline.paint`.

What a repaint costs stays bounded whatever the downloads do: it draws only
the lanes inside the damaged rectangle. It repaints on the table model's
refresh tick (see :mod:`app.gui.timeline.dock`), never per chunk.
"""

from __future__ import annotations

from PyQt5.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PyQt5.QtGui import QHelpEvent, QMouseEvent, QPainter, QPaintEvent, QWheelEvent
from PyQt5.QtWidgets import QApplication, QTableView, QToolTip, QWidget

from app.gui.table.model import ServerListModel, literal_tooltip
from app.gui.timeline.paint import PaintedRow, TimelinePainter
from app.views.timeline.axis import MARGIN_LEFT, MARGIN_RIGHT, ZOOM_STEP, AxisNavigator, TimeAxis
from app.views.timeline.record import Lane, Timeline
from app.views.timeline.words import lane_tooltip


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
        proxy = table.model()
        # The table shows the server model through its sort proxy: lanes follow its order.
        assert isinstance(proxy, QSortFilterProxyModel)
        self._proxy = proxy
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
        """The last lane of the table's ``view_row`` (as sorted), of this batch or an earlier one.

        A row not started again keeps its lane, drawn faint on its own batch's
        clock, so starting one row does not wipe the others' story.
        """
        source = self._proxy.mapToSource(self._proxy.index(view_row, 0))
        if not source.isValid():
            return None
        return self.timeline.lanes.get(self._model.row_at(source.row()))

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
        damaged = event.rect()
        area = self.lanes_area()
        selection = self._table.selectionModel()
        alternate = self._table.alternatingRowColors()
        rows = [
            PaintedRow(
                rect=self.lane_rect(row, area),
                lane=lane,
                selected=selection.isRowSelected(row, QModelIndex()),
                striped=bool(row % 2) and alternate,
                earlier=lane is not None and lane.batch != self.timeline.batch,
            )
            for row in self._rows_between(area, damaged.top(), damaged.bottom())
            for lane in [self.lane_of(row)]
        ]
        self.painted_lanes = sum(row.lane is not None for row in rows)
        painter = QPainter(self)
        timeline_painter = TimelinePainter(
            painter, self.palette(), self.fontMetrics(), self.size(), self.axis()
        )
        timeline = self.timeline
        timeline_painter.paint(
            damaged, area, rows, timeline.now(), timeline.running, timeline.marked_turn
        )
        painter.end()

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
            text = literal_tooltip(self.toolTipAt(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
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
