"""The timeline's time axis: how seconds become pixels, and which seconds are on show.

The timeline widget draws lanes against a horizontal clock that starts with
the batch. The arithmetic of that clock lives here, with nothing Qt in it,
so it can be tested without a screen and read without knowing the widget:

- :class:`TimeAxis` turns seconds into x and back;
- :func:`tick_step` and :func:`tick_label` choose the labelled seconds;
- :class:`AxisNavigator` remembers what the person did (Fit, zoom, pan)
  and answers with the axis to draw;
- :func:`mark_columns` merges a lane's marks that fall in one pixel
  column, so a repaint and a tooltip treat them as one whatever the zoom.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from app.i18n.units import seconds_text
from app.views.timeline.record import Lane, Timeline

#: Seconds a fitted axis shows at least, so the first moments of a batch are not a blur.
MIN_SPAN = 0.5
#: Zooming in stops when the view spans this many seconds.
MIN_VISIBLE_SPAN = 0.002
#: How far out zooming goes, in multiples of the whole batch.
MAX_ZOOM_OUT = 8.0
ZOOM_STEP = 2.0
MARGIN_LEFT = 10
MARGIN_RIGHT = 18
#: Labelled axis ticks are at least this many pixels apart.
TICK_SPACING = 64
#: Round spans a fitted axis grows through, so its labels do not jitter as it grows.
_NICE_SPANS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def _nice_ceil(value: float) -> float:
    power = 10.0 ** math.floor(math.log10(value))
    return next(f * power for f in _NICE_SPANS if f * power >= value * (1 - 1e-9))


def tick_step(pixels_per_second: float) -> float:
    """The smallest step of 1, 2 or 5 × 10^k seconds whose ticks are TICK_SPACING px apart."""
    wanted = TICK_SPACING / pixels_per_second
    power = 10.0 ** math.floor(math.log10(wanted))
    return next(f * power for f in (1, 2, 5, 10) if f * power >= wanted * (1 - 1e-9))


def tick_label(seconds: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return seconds_text(f"{seconds:.{decimals}f}")


@dataclass(frozen=True)
class TimeAxis:
    """How seconds become x: the second at the plot's left edge, and pixels per second."""

    t0: float
    scale: float

    def x(self, seconds: float) -> float:
        return MARGIN_LEFT + (seconds - self.t0) * self.scale

    def time(self, x: float) -> float:
        return self.t0 + (x - MARGIN_LEFT) / self.scale


class AxisNavigator:
    """Which seconds the plot shows: the whole batch while *fitted*, else where the person put it.

    While fitted the axis starts at the batch's zero and grows with the
    batch, through round spans. Zooming or panning fixes it until
    :meth:`fit`. The plot's width in pixels is given to each call, since
    only the widget knows it.
    """

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self._fitted = True
        self._t0 = 0.0
        self._scale = 100.0  # pixels per second, while not fitted

    @property
    def fitted(self) -> bool:
        return self._fitted

    def batch_end(self) -> float:
        """Seconds from the batch's start to its last event, or to now while it runs."""
        timeline = self.timeline
        if timeline.running:
            return timeline.now()
        return max(
            (
                lane.ended
                for lane in timeline.lanes.values()
                if lane.batch == timeline.batch and lane.ended is not None
            ),
            default=0.0,
        )

    def fitted_span(self) -> float:
        """The seconds a fitted axis spans: the whole batch, a little more, rounded up."""
        return _nice_ceil(max(self.batch_end() * 1.02, MIN_SPAN))

    def axis(self, plot_width: int) -> TimeAxis:
        """The time axis as shown now."""
        if self._fitted:
            return TimeAxis(0.0, plot_width / self.fitted_span())
        return TimeAxis(self._t0, self._scale)

    def visible_span(self, plot_width: int) -> tuple[float, float]:
        """The first and last second the plot shows."""
        axis = self.axis(plot_width)
        return axis.t0, axis.time(MARGIN_LEFT + plot_width)

    def fit(self) -> None:
        """Show the whole batch, and keep showing all of it as it grows."""
        self._fitted = True

    def show_span(self, start: float, end: float, plot_width: int) -> None:
        """Show the seconds from ``start`` to ``end`` across the plot."""
        self.place(start, plot_width / max(end - start, MIN_VISIBLE_SPAN), plot_width)

    def zoom(self, factor: float, anchor_x: float | None, plot_width: int) -> None:
        """Scale the axis by ``factor`` (> 1 zooms in), keeping the time under ``anchor_x``.

        Without an anchor, the plot's middle stays put.
        """
        if anchor_x is None:
            anchor_x = MARGIN_LEFT + plot_width / 2
        axis = self.axis(plot_width)
        anchor = axis.time(anchor_x)
        most = plot_width / MIN_VISIBLE_SPAN
        least = plot_width / (self.fitted_span() * MAX_ZOOM_OUT)
        new_scale = min(max(axis.scale * factor, least), most)
        self.place(anchor - (anchor_x - MARGIN_LEFT) / new_scale, new_scale, plot_width)

    def pan(self, pixels: float, plot_width: int) -> None:
        """Move the axis ``pixels`` to the right (later times come into view from the right)."""
        axis = self.axis(plot_width)
        self.place(axis.t0 + pixels / axis.scale, axis.scale, plot_width)

    def place(self, t0: float, scale: float, plot_width: int) -> None:
        """Start the plot at second ``t0``, ``scale`` pixels per second apart (no longer fitted).

        The left edge stays between half a plot before the batch's zero and
        half a plot before its end (or before the plot's own span, for a
        shorter batch), so panning cannot lose the batch far off.
        """
        span = plot_width / scale
        self._t0 = min(max(t0, -span / 2), max(self.batch_end(), span) - span / 2)
        self._scale = scale
        self._fitted = False


@dataclass
class MarkColumns:
    """A lane's marks merged per pixel column: column ``j`` is at ``xs[j]``.

    It holds marks ``firsts[j]`` up to (not including) ``firsts[j + 1]``, or
    ``end`` for the last column, and ``sizes[j]`` bytes.
    """

    xs: list[int]
    firsts: list[int]
    sizes: list[int]
    end: int

    def marks_of(self, j: int) -> range:
        stop = self.firsts[j + 1] if j + 1 < len(self.firsts) else self.end
        return range(self.firsts[j], stop)


def mark_columns(axis: TimeAxis, lane: Lane, t_lo: float, t_hi: float) -> MarkColumns:
    """The lane's marks from ``t_lo`` to ``t_hi``, merged per pixel column."""
    scale = axis.scale
    offset = axis.x(0.0)
    times, sizes = lane.times, lane.sizes
    lo = bisect_left(times, t_lo - lane.bucket)
    hi = bisect_right(times, t_hi)
    xs: list[int] = []
    firsts: list[int] = []
    totals: list[int] = []
    floor = math.floor  # a local name: this loop runs for every mark on screen
    for i in range(lo, hi):
        x = floor(offset + times[i] * scale)
        if xs and xs[-1] == x:
            totals[-1] += sizes[i]
        else:
            xs.append(x)
            firsts.append(i)
            totals.append(sizes[i])
    return MarkColumns(xs, firsts, totals, hi)
