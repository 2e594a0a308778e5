"""Painting the timeline with QPainter: row backgrounds, the grid, lanes, ticks and the axis.

A lane shows one download's life: a thin line while it connects, then a
bar until it ends, a tick per chunk (taller for more bytes), and its
ending: a cap in the text colour when done, red when it failed, grey when
cancelled. The widget decides which rows are in the damaged rectangle and
where they are; this module only draws them, so a repaint costs what is on
screen: at most one tick per lane per pixel column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PyQt5.QtCore import QLine, QRect, QSize, Qt
from PyQt5.QtGui import QColor, QFontMetrics, QPainter, QPalette, QPen

from app.gui.colours import CANCELLED_COLOUR, FAILED_COLOUR
from app.views.timeline.axis import TimeAxis, mark_columns, tick_label, tick_step
from app.views.timeline.record import Ending, Lane, TurnMark


@dataclass(frozen=True)
class PaintedRow:
    """A table row as the timeline paints it: where, its lane if it has one, and its look."""

    rect: QRect
    lane: Lane | None
    selected: bool
    #: Painted in the alternate base colour, as the table paints this row.
    striped: bool
    #: The lane is from an earlier batch: painted faint, on that batch's clock.
    earlier: bool = False


#: How strongly a lane of an earlier batch is painted.
EARLIER_OPACITY = 0.35


class TimelinePainter:
    """Paints one repaint of a timeline widget of ``size``, its lanes on ``axis``."""

    def __init__(
        self,
        painter: QPainter,
        palette: QPalette,
        metrics: QFontMetrics,
        size: QSize,
        axis: TimeAxis,
    ) -> None:
        self._painter = painter
        self._palette = palette
        self._metrics = metrics
        self._size = size
        self._axis = axis

    def paint(
        self,
        damaged: QRect,
        area: QRect,
        rows: list[PaintedRow],
        now: float,
        running: bool,
        turn: TurnMark | None = None,
    ) -> None:
        """Paint inside ``damaged``: ``rows`` in the lanes ``area``, then the axis below it.

        ``now`` is the batch's clock, where lanes that have not ended stop;
        while the batch is ``running`` a dashed line marks it. A reactor
        ``turn`` picked in the reactor dock is a band across the lanes it read.
        """
        painter, palette, axis = self._painter, self._palette, self._axis
        painter.fillRect(damaged, palette.base())
        step = tick_step(axis.scale)
        painter.setClipRect(damaged.intersected(area))
        for row in rows:
            if row.selected:
                painter.fillRect(row.rect, palette.highlight())
            elif row.striped:
                painter.fillRect(row.rect, palette.alternateBase())
        self._paint_grid(damaged, area, step)
        self._paint_lanes(damaged, rows, now)
        if turn is not None:
            self._paint_turn(rows, turn)
        if running:
            x = self._clamp(axis.x(now))
            painter.setPen(QPen(palette.color(QPalette.Highlight), 1, Qt.DashLine))
            painter.drawLine(x, area.top(), x, area.bottom())

        width, height = self._size.width(), self._size.height()
        band = QRect(0, area.bottom() + 1, width, height - area.bottom() - 1)
        if damaged.intersects(band):
            painter.setClipRect(damaged)
            self._paint_axis(band, step)

    def _paint_grid(self, damaged: QRect, area: QRect, step: float) -> None:
        grid = QColor(self._palette.color(QPalette.Text))
        grid.setAlpha(28)
        self._painter.setPen(grid)
        first_tick = math.ceil(self._axis.time(damaged.left()) / step)
        last_tick = math.floor(self._axis.time(damaged.right() + 1) / step)
        for n in range(max(first_tick, 0), last_tick + 1):
            x = round(self._axis.x(n * step))
            self._painter.drawLine(x, area.top(), x, area.bottom())

    def _paint_lanes(self, damaged: QRect, rows: list[PaintedRow], now: float) -> None:
        """Each lane's bar and ending, then the chunk ticks of all of them, one pen per colour."""
        axis = self._axis
        t_lo, t_hi = axis.time(damaged.left() - 1), axis.time(damaged.right() + 2)
        lanes = [(row, row.lane) for row in rows if row.lane is not None]
        columns = [mark_columns(axis, lane, t_lo, t_hi) for _, lane in lanes]
        largest = max((max(c.sizes) for c in columns if c.sizes), default=1)
        ticks: dict[int, tuple[QColor, list[QLine]]] = {}
        for (row, lane), lane_columns in zip(lanes, columns, strict=True):
            self._painter.setOpacity(EARLIER_OPACITY if row.earlier else 1.0)
            self._paint_lane(row.rect, lane, row.selected, now)
            self._painter.setOpacity(1.0)
            accent = QColor(self._accent(lane, row.selected))
            if row.earlier:
                accent.setAlpha(round(255 * EARLIER_OPACITY))
            lines = ticks.setdefault(accent.rgba(), (accent, []))[1]
            top, bottom = _bar(row.rect)
            height = bottom - top
            for x, size in zip(lane_columns.xs, lane_columns.sizes, strict=True):
                length = max(2, round(math.sqrt(size / largest) * height))
                lines.append(QLine(x, bottom, x, bottom - length))
        for colour, lines in ticks.values():
            self._painter.setPen(colour)
            self._painter.drawLines(lines)

    def _paint_turn(self, rows: list[PaintedRow], turn: TurnMark) -> None:
        """One band at the turn's moment on each lane it read: one turn, several lanes."""
        x = self._clamp(self._axis.x(turn.at))
        colour = QColor(self._palette.color(QPalette.Link))
        colour.setAlpha(200)
        for row in rows:
            if row.lane is not None and not row.earlier and row.lane.label in turn.addresses:
                self._painter.fillRect(QRect(x - 1, row.rect.top(), 3, row.rect.height()), colour)

    def _paint_lane(self, lane_rect: QRect, lane: Lane, selected: bool, now: float) -> None:
        painter, axis = self._painter, self._axis
        top, bottom = _bar(lane_rect)
        middle = (top + bottom) // 2
        ink = self._palette.color(QPalette.HighlightedText if selected else QPalette.Text)
        end = lane.ended if lane.ended is not None else now
        if lane.connect_started is not None:
            start = self._clamp(axis.x(lane.connect_started))
            stop = self._clamp(axis.x(lane.connected if lane.connected is not None else end))
            faint = QColor(ink)
            faint.setAlpha(150)
            painter.setPen(faint)
            painter.drawLine(start, middle, stop, middle)
            painter.drawLine(start, middle - 2, start, middle + 2)
        if lane.connected is not None:
            start = self._clamp(axis.x(lane.connected))
            stop = self._clamp(axis.x(end))
            tint = QColor(self._accent(lane, selected))
            tint.setAlpha(60)
            painter.fillRect(QRect(start, top, max(stop - start, 1), bottom - top + 1), tint)
        if lane.ending is not None:
            x = self._clamp(axis.x(end))
            cap = ink if lane.ending is Ending.DONE else self._accent(lane, selected)
            painter.fillRect(QRect(x - 1, top - 2, 2, bottom - top + 5), cap)

    def _paint_axis(self, band: QRect, step: float) -> None:
        """Seconds under the lanes: a tick and a label every ``step``, labels never overlapping."""
        painter, palette, axis, metrics = self._painter, self._palette, self._axis, self._metrics
        width = self._size.width()
        painter.fillRect(band, palette.button())
        painter.setPen(palette.color(QPalette.Mid))
        painter.drawLine(band.left(), band.top(), band.right(), band.top())
        painter.setPen(palette.color(QPalette.ButtonText))
        baseline = band.top() + 4 + metrics.ascent()
        free_from = 0
        first = max(math.ceil(axis.time(0) / step), 0)
        last = math.floor(axis.time(width) / step)
        for n in range(first, last + 1):
            x = round(axis.x(n * step))
            painter.drawLine(x, band.top(), x, band.top() + 3)
            label = tick_label(n * step, step)
            label_width = metrics.horizontalAdvance(label)
            left = min(max(x - label_width // 2, 2), width - label_width - 2)
            if left >= free_from:
                painter.drawText(left, baseline, label)
                free_from = left + label_width + metrics.horizontalAdvance("  ")

    def _accent(self, lane: Lane, selected: bool) -> QColor:
        if lane.ending is Ending.FAILED:
            return FAILED_COLOUR
        if lane.ending is Ending.CANCELLED:
            return CANCELLED_COLOUR
        return self._palette.color(QPalette.HighlightedText if selected else QPalette.Highlight)

    def _clamp(self, x: float) -> int:
        """Pixels within reach of the widget: far-off times must not overflow Qt's ints."""
        return round(min(max(x, -16.0), self._size.width() + 16.0))


def _bar(lane_rect: QRect) -> tuple[int, int]:
    """The top and bottom y of a lane's bar."""
    pad = max(2, lane_rect.height() // 5)
    return lane_rect.top() + pad, lane_rect.bottom() - pad
