"""The timeline's clock on screen: labelled ticks, Fit, zoom and pan, with no widget in sight.

The widget gives the plot's width to every call; here it is 500 pixels.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.downloads.events import BatchStarted, Done, Mode, Queued
from app.downloads.rows import ServerRow
from app.net.address import Address
from app.net.poem import Poem
from app.views.timeline.axis import (
    MARGIN_LEFT,
    MAX_ZOOM_OUT,
    MIN_SPAN,
    MIN_VISIBLE_SPAN,
    TICK_SPACING,
    AxisNavigator,
    TimeAxis,
    mark_columns,
    tick_label,
    tick_step,
)
from app.views.timeline.record import Lane, Timeline
from tests.test_timeline import Clock

WIDTH = 500
ROW = ServerRow(Address("127.0.0.1", 1234))


def running_batch(seconds: float, clock: Clock | None = None) -> Timeline:
    """A batch of one row that has been running for ``seconds`` on ``clock``."""
    clock = clock if clock is not None else Clock()
    timeline = Timeline(clock)
    timeline.observe(BatchStarted(1, Mode.REACTOR))
    timeline.observe(Queued(ROW, 1))
    clock.now += seconds
    return timeline


@pytest.mark.parametrize(
    ("pixels_per_second", "step", "label"),
    [
        (5.0, 20.0, "20 s"),  # a long batch, zoomed out
        (30.0, 5.0, "5 s"),
        (100.0, 1.0, "1 s"),
        (640.0, 0.1, "0.1 s"),
        (1000.0, 0.1, "0.1 s"),
        (50_000.0, 0.002, "0.002 s"),
        (250_000.0, 0.0005, "0.0005 s"),  # 2 ms across 500 pixels: zoomed in as far as it goes
    ],
)
def test_ticks_are_round_seconds_far_enough_apart_to_label(
    pixels_per_second: float, step: float, label: str
) -> None:
    assert tick_step(pixels_per_second) == pytest.approx(step)
    assert tick_step(pixels_per_second) * pixels_per_second >= TICK_SPACING * (1 - 1e-9)
    assert tick_label(step, tick_step(pixels_per_second)) == label


def test_labels_carry_as_many_decimals_as_the_step_needs() -> None:
    assert tick_label(1.5, 0.5) == "1.5 s"
    assert tick_label(3.0, 0.5) == "3.0 s"
    assert tick_label(0.25, 0.05) == "0.25 s"
    assert tick_label(40.0, 20.0) == "40 s"


def test_seconds_and_pixels_convert_both_ways() -> None:
    axis = TimeAxis(t0=2.0, scale=50.0)
    assert axis.x(2.0) == MARGIN_LEFT
    assert axis.x(4.0) == MARGIN_LEFT + 100
    assert axis.time(axis.x(3.3)) == pytest.approx(3.3)


def test_a_fitted_axis_shows_the_whole_batch_and_grows_through_round_spans() -> None:
    timeline = Timeline(Clock())
    navigator = AxisNavigator(timeline)
    assert navigator.fitted
    assert navigator.visible_span(WIDTH) == (0.0, MIN_SPAN)  # before any batch

    clock = Clock()
    timeline = running_batch(3.3, clock)
    navigator = AxisNavigator(timeline)
    assert navigator.visible_span(WIDTH) == (0.0, pytest.approx(4.0))
    clock.now += 0.7  # 4.0 s and a little room do not fit in 4
    assert navigator.visible_span(WIDTH) == (0.0, pytest.approx(5.0))

    timeline.observe(Done(ROW, Poem(b"x")))
    clock.now += 60.0  # an ended batch stops growing
    assert navigator.batch_end() == pytest.approx(4.0)
    assert navigator.visible_span(WIDTH) == (0.0, pytest.approx(5.0))


def test_zooming_keeps_the_time_under_the_pointer_and_fit_undoes_it() -> None:
    navigator = AxisNavigator(running_batch(10.0))
    fitted = navigator.visible_span(WIDTH)
    pointer = 137.0
    under = navigator.axis(WIDTH).time(pointer)

    navigator.zoom(2.0, pointer, WIDTH)
    assert not navigator.fitted
    assert navigator.axis(WIDTH).time(pointer) == pytest.approx(under)
    start, end = navigator.visible_span(WIDTH)
    assert end - start == pytest.approx((fitted[1] - fitted[0]) / 2)

    navigator.zoom(1 / 4, pointer, WIDTH)
    assert navigator.axis(WIDTH).time(pointer) == pytest.approx(under)

    navigator.fit()
    assert navigator.fitted and navigator.visible_span(WIDTH) == fitted


def test_zoom_without_a_pointer_keeps_the_middle() -> None:
    navigator = AxisNavigator(running_batch(10.0))
    middle = navigator.axis(WIDTH).time(MARGIN_LEFT + WIDTH / 2)
    navigator.zoom(4.0, None, WIDTH)
    assert navigator.axis(WIDTH).time(MARGIN_LEFT + WIDTH / 2) == pytest.approx(middle)


def test_zoom_stops_at_two_milliseconds_and_at_eight_batches() -> None:
    navigator = AxisNavigator(running_batch(10.0))
    navigator.zoom(1e9, None, WIDTH)
    start, end = navigator.visible_span(WIDTH)
    assert end - start == pytest.approx(MIN_VISIBLE_SPAN)

    navigator.zoom(1e-9, None, WIDTH)
    start, end = navigator.visible_span(WIDTH)
    assert end - start == pytest.approx(navigator.fitted_span() * MAX_ZOOM_OUT)


def test_panning_stops_half_a_plot_beyond_the_batch() -> None:
    navigator = AxisNavigator(running_batch(10.0))
    navigator.show_span(4.0, 6.0, WIDTH)
    navigator.pan(-10.0 * WIDTH, WIDTH)  # ten plots back in time
    assert navigator.visible_span(WIDTH) == pytest.approx((-1.0, 1.0))

    navigator.pan(100.0 * WIDTH, WIDTH)
    assert navigator.visible_span(WIDTH) == pytest.approx((9.0, 11.0))

    navigator.pan(-WIDTH / 4, WIDTH)  # a quarter plot back: half a second
    assert navigator.visible_span(WIDTH) == pytest.approx((8.5, 10.5))


def test_marks_in_one_pixel_column_are_counted_once() -> None:
    lane = Lane("127.0.0.1:1234")
    for at, size in [(1.0, 10), (1.004, 20), (1.008, 30), (2.0, 5)]:
        lane.add_chunk(at, size)
    axis = TimeAxis(t0=0.0, scale=100.0)  # a pixel is 10 ms: the first three share one

    columns = mark_columns(axis, lane, 0.0, 3.0)
    assert columns.xs == [MARGIN_LEFT + 100, MARGIN_LEFT + 200]
    assert columns.sizes == [60, 5]
    assert list(columns.marks_of(0)) == [0, 1, 2]
    assert list(columns.marks_of(1)) == [3]

    later = mark_columns(axis, lane, 1.5, 3.0)  # only what the repaint reaches
    assert later.xs == [MARGIN_LEFT + 200] and list(later.marks_of(0)) == [3]


def test_the_axis_and_the_words_load_without_qt() -> None:
    """The core's promise: these modules stay usable where no Qt is installed."""
    code = (
        "import sys, app.views.timeline.axis, app.views.timeline.words\n"
        "assert 'PyQt5' not in sys.modules, sorted(m for m in sys.modules if 'Qt' in m)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
