"""The timeline dock: a lane beside each table row, showing each connection as it happened.

The servers are real (127.0.0.1); the lanes are found where a person finds
them, level with the table's rows, and read through their tooltips and
their pixels. The 1,000-lane paint test feeds a fake clock to the window's
own timeline, so its data are the same every run.
"""

from __future__ import annotations

import itertools
import re
import statistics
import time

import pytest
from PyQt5.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PyQt5.QtGui import QHelpEvent, QMouseEvent, QPalette, QWheelEvent
from PyQt5.QtWidgets import QAction, QApplication, QDockWidget, QLabel, QToolButton, QToolTip
from twisted.internet.error import ConnectionRefusedError
from twisted.python.failure import Failure

from app.downloads.events import (
    BatchStarted,
    Connected,
    Connecting,
    Done,
    EventStream,
    Failed,
    Mode,
    Queued,
)
from app.downloads.rows import ServerRow
from app.gui import MainWindow
from app.gui.colours import CANCELLED_COLOUR, FAILED_COLOUR
from app.gui.table.model import ELAPSED
from app.gui.timeline.view import TimelineView
from app.net.address import Address
from app.net.poem import Poem
from app.views.timeline.record import MAX_MARKS, Timeline
from app.views.timeline.words import batch_summary
from tests import hostile
from tests.conftest import cell, local, row_of, status, statuses, view_model

pytestmark = pytest.mark.usefixtures("no_leftover_timers")

CHUNKS = [b"one ", b"two ", b"three ", b"four\n"]
#: Repaint budget for 1,000 lanes of MAX_MARKS marks each, 33 of them on screen: measured
#: 13-14 ms median on the development machine (24 ms with its two cores busy); the test prints it.
PAINT_BUDGET_S = 0.08


def chunk(timeline: Timeline, row: ServerRow, received: int) -> None:
    """One chunk, ``received`` bytes in all, told to the lanes as the window's tick tells them."""
    stream = EventStream()
    stream.bytes_arrived(row, received)
    timeline.bytes_came(stream.take_arrivals())


def the_view(window: MainWindow) -> TimelineView:
    view = window.findChild(TimelineView, "timelineView")
    assert view is not None and view.isVisible()
    return view


def row_y(window: MainWindow, row: int) -> int:
    """The y, in the timeline view, level with the middle of the table's ``row``."""
    table = window.table
    y = table.rowViewportPosition(row) + table.rowHeight(row) // 2
    return the_view(window).mapFromGlobal(table.viewport().mapToGlobal(QPoint(0, y))).y()


def tooltips_along(window: MainWindow, row: int) -> list[str]:
    """Every tooltip a person meets moving the pointer along the row's lane."""
    view = the_view(window)
    y = row_y(window, row)
    texts = [view.toolTipAt(QPoint(x, y)) for x in range(view.width())]
    return [text for text in texts if text]


def lane_of_address(window: MainWindow, address: Address):
    return window.timeline.lanes[window.model.rows[row_of(window, address)]]


def fake_clock(window: MainWindow) -> list[float]:
    """Drive the window's timeline from a clock the test sets: ``clock[0] = seconds``."""
    clock = [0.0]
    window.timeline.clock = lambda: clock[0]
    return clock


def begin_batch(timeline: Timeline, rows: list[ServerRow]) -> None:
    """Start a batch of ``rows`` on the timeline, as the download controller would tell it."""
    timeline.observe(BatchStarted(timeline.batch + 1, Mode.REACTOR))
    for row in rows:
        timeline.observe(Queued(row, timeline.batch))


def wheel(view: TimelineView, point: QPoint, delta: QPoint, modifiers=Qt.NoModifier) -> QWheelEvent:
    return QWheelEvent(
        QPointF(point),
        QPointF(view.mapToGlobal(point)),
        QPoint(0, 0),
        delta,
        Qt.NoButton,
        modifiers,
        Qt.NoScrollPhase,
        False,
    )


def test_the_dock_is_beside_the_table_toggles_with_ctrl_t_and_is_remembered(
    qtbot, window, config_dir
):
    dock = window.findChild(QDockWidget, "timelineDock")
    assert dock.windowTitle() == "Timeline"
    assert dock.isVisible()
    assert window.dockWidgetArea(dock) == Qt.RightDockWidgetArea
    assert the_view(window).width() > 200
    assert window.findChild(QLabel, "timelineSummary").textFormat() == Qt.PlainText
    for name in ("timelineZoomIn", "timelineZoomOut", "timelineFit"):
        assert dock.findChild(QToolButton, name).isVisible()
    action = window.findChild(QAction, "actionShowTimeline")
    assert action.shortcut().toString() == "Ctrl+T"
    assert action in window.menuBar().actions()[2].menu().actions()  # View

    qtbot.keyClick(window.table, Qt.Key_T, Qt.ControlModifier)
    assert not dock.isVisible() and not action.isChecked()
    window.close()

    again = MainWindow(config_dir=config_dir)
    qtbot.addWidget(again)
    again.show()
    try:
        dock = again.findChild(QDockWidget, "timelineDock")
        assert not dock.isVisible()
        again.findChild(QAction, "actionShowTimeline").trigger()
        assert dock.isVisible()
    finally:
        again.close()


def test_a_lane_per_row_in_the_tables_order_also_after_sorting(qtbot, window, servers):
    poem = b"x" * 30
    # Added slowest first, so sorting by Elapsed reverses the order.
    paces = [(0.15, 10), (0.05, 10), (0.1, 10)]
    addresses = [local(servers.poetry(poem, delay, size)[0]) for delay, size in paces]
    window.add_servers(addresses)
    window.commands.start_all.trigger()
    qtbot.waitUntil(lambda: statuses(window) == ["Done"] * 3, timeout=5000)
    dock = window.findChild(QDockWidget, "timelineDock")
    qtbot.waitUntil(lambda: not dock.repainting, timeout=1000)

    def lanes_match_rows() -> list[float]:
        """Each row's lane names that row's server; returns where each lane ends."""
        ends = []
        for row in range(3):
            texts = tooltips_along(window, row)
            assert texts, f"no lane beside row {row}"
            assert {text.split("\n")[0] for text in texts} == {cell(window, row, 0)}
            done = [t for t in texts if t.split("\n")[1].startswith("done at ")]
            assert done, texts
            ends.append(float(re.search(r"done at ([\d.]+) s", done[0])[1]))
        return ends

    ends = lanes_match_rows()
    assert [cell(window, row, 0) for row in range(3)] == [str(a) for a in addresses]
    assert ends[0] > ends[2] > ends[1]
    # Below the last row there is no lane.
    view = the_view(window)
    below = row_y(window, 2) + window.table.rowHeight(2)
    assert not any(view.toolTipAt(QPoint(x, below + 2)) for x in range(view.width()))

    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(ELAPSED) + header.sectionSize(ELAPSED) // 2
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, header.height() // 2))
    assert [cell(window, row, 0) for row in range(3)] == [str(addresses[i]) for i in (1, 2, 0)]
    assert lanes_match_rows() == sorted(ends)


def test_lanes_follow_the_tables_scrolling_and_only_visible_lanes_are_painted(qtbot, window):
    clock = fake_clock(window)
    rows = window.add_servers(Address("127.0.0.1", 20_000 + n) for n in range(200))
    timeline = window.timeline
    begin_batch(timeline, rows)
    for row in rows:
        timeline.observe(Connecting(row))
        clock[0] += 0.01
        timeline.observe(Connected(row))
        chunk(timeline, row, 10)
        timeline.observe(Done(row, Poem(b"x" * 10)))
    view = the_view(window)
    visible = view.lanes_area().height() // window.table.rowHeight(0) + 2

    # The wheel over the lanes scrolls the table, and the lanes with it.
    bar = window.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=1000)  # the table has laid out its rows
    QApplication.sendEvent(view, wheel(view, QPoint(50, row_y(window, 2)), QPoint(0, -120)))
    assert bar.value() > 0
    top = window.table.rowAt(0) + 1
    assert view.row_at(row_y(window, top)) == top

    for target in (0, 120, 199):
        window.table.scrollTo(view_model(window).index(target, 0))
        view.repaint()
        assert 0 < view.painted_lanes <= visible
        top = window.table.rowAt(0) + 1  # the first whole row
        for row in (top, top + 3):
            y = row_y(window, row)
            assert view.row_at(y) == row
            (text,) = set(t.split("\n")[0] for t in tooltips_along(window, row))
            assert text == cell(window, row, 0)


def test_a_chunk_marks_tooltip_says_which_chunk_how_big_and_when(qtbot, window, servers):
    address = local(servers.hostile(hostile.Chunks, chunks=CHUNKS, gap=0.15))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: statuses(window) == ["Done"], timeout=5000)
    lane = lane_of_address(window, address)
    at, count, size = list(lane.marks())[2]
    assert (count, size) == (1, 6)
    view = the_view(window)
    point = QPoint(round(view.x_at(at)), row_y(window, 0))
    expected = f"{address}\nchunk 3: 6 bytes at {at:.2f} s"
    assert view.toolTipAt(point) == expected

    # And a real tooltip event, as the pointer resting there sends.
    QApplication.sendEvent(view, QHelpEvent(QEvent.ToolTip, point, view.mapToGlobal(point)))
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    assert QToolTip.text() == expected
    QToolTip.hideText()


def test_ticks_are_drawn_where_the_chunks_arrived(qtbot, window, servers):
    gap = 0.15
    address = local(servers.hostile(hostile.Chunks, chunks=CHUNKS, gap=gap))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: statuses(window) == ["Done"], timeout=5000)
    view = the_view(window)
    assert not window.table.selectionModel().hasSelection()
    image = view.grab().toImage()
    tick = view.palette().color(QPalette.Highlight).rgb()
    y = row_y(window, 0)
    height = window.table.rowHeight(0)
    columns = [
        x
        for x in range(view.width())
        if any(image.pixel(x, y + dy) == tick for dy in range(-height // 2, height // 2))
    ]

    times = [at for at, _, _ in lane_of_address(window, address).marks()]
    assert len(columns) == len(times) == len(CHUNKS)
    seconds_per_pixel = view.time_at(1) - view.time_at(0)
    for x, at in zip(columns, times, strict=True):
        assert abs(view.time_at(x + 0.5) - at) <= seconds_per_pixel
    # The server wrote a chunk every `gap` seconds: the ticks are that far apart.
    for left, right in itertools.pairwise(columns):
        assert view.time_at(right) - view.time_at(left) == pytest.approx(gap, abs=0.05)


def test_endings_done_failed_and_cancelled_read_and_look_different(qtbot, window, servers):
    reset = local(servers.hostile(hostile.ResetMidPoem, prefix=b"Half a poem is"))
    refused = local(servers.refused())
    stalled = local(servers.hostile(hostile.Stall))
    window.add_servers([reset, refused, stalled])
    window.commands.start_all.trigger()
    qtbot.waitUntil(
        lambda: (
            [status(window, a) for a in (reset, refused, stalled)]
            == ["Failed", "Failed", "Downloading"]
        ),
        timeout=5000,
    )
    window.table.selectRow(row_of(window, stalled))
    window.commands.cancel.trigger()  # the toolbar's Cancel: the failure dialog has the focus
    qtbot.waitUntil(lambda: not window.timeline.running, timeout=2000)
    window.table.clearSelection()
    view = the_view(window)
    view.fit()

    expected = {
        reset: ("failed at {} s: connection lost after 14 bytes", FAILED_COLOUR),
        refused: ("failed at {} s: connection refused", FAILED_COLOUR),
        stalled: ("cancelled at {} s", CANCELLED_COLOUR),
    }
    image = view.grab().toImage()
    for address, (words, colour) in expected.items():
        lane = lane_of_address(window, address)
        x, y = round(view.x_at(lane.ended)), row_y(window, row_of(window, address))
        assert view.toolTipAt(QPoint(x, y)) == f"{address}\n{words.format(f'{lane.ended:.2f}')}"
        assert image.pixelColor(x, y) == colour, address

    lane = lane_of_address(window, reset)
    x = round(view.x_at(lane.connect_started))
    text = view.toolTipAt(QPoint(x, row_y(window, row_of(window, reset))))
    assert text == (
        f"{reset}\nconnecting from {lane.connect_started:.2f} s to {lane.connected:.2f} s"
    )


def test_merged_marks_say_how_many_chunks_and_bytes_and_when(qtbot, window):
    clock = fake_clock(window)
    (row,) = window.add_servers([Address("127.0.0.1", 20_000)])
    timeline = window.timeline
    begin_batch(timeline, [row])
    timeline.observe(Connecting(row))
    clock[0] = 0.5
    timeline.observe(Connected(row))
    view = the_view(window)
    view.show_span(0.0, 3.0)
    column = round(view.x_at(1.0))
    # Three chunks inside one pixel column, then one on its own.
    start = view.time_at(column + 0.1)
    per_pixel = view.time_at(1) - view.time_at(0)
    times = [start + k * 0.3 * per_pixel for k in range(3)]
    for n, at in enumerate([*times, 2.0], start=1):
        clock[0] = at
        chunk(timeline, row, 7 * n)
    clock[0] = 2.5
    timeline.observe(Done(row, Poem(b"x" * 28)))

    y = row_y(window, 0)
    text = view.toolTipAt(QPoint(column, y))
    match = re.fullmatch(rf"{row.address}\nchunks 1–3: 21 bytes at ([\d.]+)–([\d.]+) s", text)
    assert match, text
    assert float(match[1]) == pytest.approx(times[0], abs=0.005)
    assert float(match[2]) == pytest.approx(times[2], abs=0.005)
    assert view.toolTipAt(QPoint(round(view.x_at(2.0)), y)) == (
        f"{row.address}\nchunk 4: 7 bytes at 2.00 s"
    )


def test_zoom_pan_and_fit_change_the_time_shown_and_fit_follows_a_live_batch(
    qtbot, window, servers
):
    port, _ = servers.poetry(b"y" * 90, 0.1, 10)  # about a second
    window.add_servers([local(port)], start=True)
    view = the_view(window)
    dock = window.findChild(QDockWidget, "timelineDock")
    qtbot.waitUntil(lambda: window.timeline.now() > 0.1, timeout=2000)
    early = view.visible_span()
    qtbot.waitUntil(lambda: view.visible_span()[1] > early[1], timeout=3000)
    assert view.fitted and view.visible_span()[0] == 0.0
    qtbot.waitUntil(lambda: statuses(window) == ["Done"], timeout=5000)
    summary = window.timeline.last_summary
    qtbot.waitUntil(
        lambda: (
            dock.summary.text().replace("\u00a0", " ") == f"All at once: {batch_summary(summary)}"
        ),
        timeout=1000,
    )

    start, end = view.visible_span()
    assert start == 0.0 and summary.elapsed <= end <= summary.elapsed * 1.3
    qtbot.mouseClick(dock.findChild(QToolButton, "timelineZoomIn"), Qt.LeftButton)
    zoomed = view.visible_span()
    assert zoomed[1] - zoomed[0] == pytest.approx((end - start) / 2)
    assert not view.fitted
    qtbot.mouseClick(dock.findChild(QToolButton, "timelineZoomOut"), Qt.LeftButton)
    qtbot.mouseClick(dock.findChild(QToolButton, "timelineZoomOut"), Qt.LeftButton)
    wide = view.visible_span()
    assert wide[1] - wide[0] == pytest.approx((end - start) * 2)

    # Ctrl+wheel zooms in around the pointer: the time under it stays put.
    point = QPoint(view.width() // 3, row_y(window, 0))
    under = view.time_at(point.x())
    QApplication.sendEvent(view, wheel(view, point, QPoint(0, 120), Qt.ControlModifier))
    assert view.visible_span()[1] - view.visible_span()[0] == pytest.approx(end - start)
    assert view.time_at(point.x()) == pytest.approx(under)

    # Dragging to the left brings later times into view.
    before = view.visible_span()
    qtbot.mousePress(view, Qt.LeftButton, pos=point)
    # QTest's mouseMove carries no button; a dragging hand's move does.
    drag = QMouseEvent(
        QEvent.MouseMove, QPointF(point - QPoint(60, 0)), Qt.NoButton, Qt.LeftButton, Qt.NoModifier
    )
    QApplication.sendEvent(view, drag)
    qtbot.mouseRelease(view, Qt.LeftButton, pos=point - QPoint(60, 0))
    after = view.visible_span()
    assert after[0] > before[0]
    assert after[1] - after[0] == pytest.approx(before[1] - before[0])
    assert not window.table.selectionModel().hasSelection(), "a drag is not a click"
    # So does a horizontal wheel (a touchpad's sideways swipe).
    QApplication.sendEvent(view, wheel(view, point, QPoint(-120, 0)))
    assert view.visible_span()[0] > after[0]

    qtbot.mouseClick(dock.findChild(QToolButton, "timelineFit"), Qt.LeftButton)
    assert view.fitted and view.visible_span() == (start, end)


def test_clicking_a_lane_selects_its_row_and_selected_lanes_are_highlighted(qtbot, window):
    window.add_servers(Address("127.0.0.1", 20_000 + n) for n in range(4))
    view = the_view(window)
    x = view.width() - 20
    qtbot.mouseClick(view, Qt.LeftButton, pos=QPoint(x, row_y(window, 2)))
    assert [i.row() for i in window.table.selectionModel().selectedRows()] == [2]
    qtbot.mouseClick(view, Qt.LeftButton, Qt.ControlModifier, QPoint(x, row_y(window, 0)))
    assert sorted(i.row() for i in window.table.selectionModel().selectedRows()) == [0, 2]

    highlight = view.palette().color(QPalette.Highlight)
    image = view.grab().toImage()
    assert [image.pixelColor(x, row_y(window, row)) == highlight for row in range(4)] == [
        True,
        False,
        True,
        False,
    ]


def test_live_lanes_repaint_on_the_tables_tick_not_per_chunk(qtbot, window, servers):
    payload = b"drip" * 40
    address = local(servers.hostile(hostile.Drip, payload=payload, gap=0.004))
    view = the_view(window)
    paints: list[float] = []

    class Counter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Paint:
                paints.append(time.monotonic())
            return False

    counter = Counter()
    view.installEventFilter(counter)
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: statuses(window) == ["Done"], timeout=10_000)
    view.removeEventFilter(counter)

    lane = lane_of_address(window, address)
    assert lane.bytes == len(payload)
    assert lane.chunks >= 50
    assert 3 <= len(paints) <= lane.chunks / 3, (len(paints), lane.chunks)


def test_a_thousand_lanes_of_full_marks_repaint_within_budget(qtbot, window):
    clock = fake_clock(window)
    rows = window.add_servers(Address("127.0.0.1", 20_000 + n) for n in range(1000))
    timeline = window.timeline
    begin_batch(timeline, rows)
    refused = Failure(ConnectionRefusedError())
    for n, row in enumerate(rows):
        clock[0] = n * 0.002
        timeline.observe(Connecting(row))
        clock[0] += 0.01
        timeline.observe(Connected(row))
        received = 0
        for k in range(MAX_MARKS):
            clock[0] += 0.004 + (k % 7) * 0.001
            received += 10 + (n * k) % 90
            chunk(timeline, row, received)
        clock[0] += 0.05
        if n % 10 == 9:
            timeline.observe(Failed(row, refused, "connection refused"))
        else:
            timeline.observe(Done(row, Poem(b"x" * received)))
    assert all(len(lane.times) == MAX_MARKS for lane in timeline.lanes.values())
    window.table.selectRow(3)
    # A big screen, the timeline given half of it: many lanes, many columns.
    window.resize(1920, 1200)
    dock = window.findChild(QDockWidget, "timelineDock")
    window.resizeDocks([dock], [960], Qt.Horizontal)
    view = the_view(window)
    qtbot.waitUntil(lambda: view.width() > 900 and view.height() > 1000, timeout=2000)

    def median_repaint() -> float:
        times = []
        for _ in range(7):
            started = time.perf_counter()
            view.repaint()
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    fitted = median_repaint()
    lanes_fitted = view.painted_lanes
    window.table.scrollTo(view_model(window).index(600, 0))
    view.zoom(4.0)
    zoomed = median_repaint()
    print(
        f"\n1,000 lanes × {MAX_MARKS} marks, view {view.width()}×{view.height()} px: "
        f"full repaint {fitted * 1000:.1f} ms fitted ({lanes_fitted} lanes), "
        f"{zoomed * 1000:.1f} ms zoomed ×4 ({view.painted_lanes} lanes)"
    )
    rows_shown = view.lanes_area().height() // window.table.rowHeight(0) + 2
    assert 0 < lanes_fitted <= rows_shown
    assert fitted <= PAINT_BUDGET_S
    assert zoomed <= PAINT_BUDGET_S
