"""The reactor dock, as a learner uses it: watch the turns, pause, step, slow motion, quit.

Real servers on 127.0.0.1 and the program's own reactor; the dock is read
through its item view, as automation and a person read it. Every test
leaves the reactor running at full speed and unrecorded, whatever it did.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PyQt5.QtCore import QItemSelectionModel, QModelIndex, QTimer
from PyQt5.QtGui import QPalette
from PyQt5.QtWidgets import (
    QAction,
    QComboBox,
    QDialog,
    QDockWidget,
    QListView,
    QMainWindow,
)

from app.downloads.events import EventStream
from app.gui.actions import WindowActions
from app.gui.i18n import install_language
from app.gui.reactor.dock import ReactorDock
from app.gui.reactor.qt_reactor import PoetryQtReactor
from app.gui.table.model import RECEIVED
from app.gui.timeline.view import TimelineView
from app.net import turns
from tests.conftest import cell, local, row_of, status

POEM = b"".join(b"Line %02d of a poem that comes slowly.\n" % n for n in range(20))


@pytest.fixture(autouse=True)
def reactor_runs_again() -> Iterator[None]:
    """Whatever a test did, the next one gets the reactor running, at full speed, unrecorded."""
    yield
    from twisted.internet import reactor

    reactor.resume()
    reactor.slow_motion = 0
    turns.stop_listening()


def action(window, name: str) -> QAction:
    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


def rows_shown(window) -> list[str]:
    view = window.findChild(QListView, "reactorTurns")
    model = view.model()
    return [model.data(model.index(row, 0)) for row in range(model.rowCount(QModelIndex()))]


def open_dock(qtbot, window) -> QDockWidget:
    dock = window.findChild(QDockWidget, "reactorDock")
    assert dock is not None and not dock.isVisible()  # hidden at first start
    action(window, "actionShowReactor").trigger()
    qtbot.waitUntil(dock.isVisible, timeout=2000)
    return dock


def test_a_download_shows_turns_naming_the_server_and_what_ran(qtbot, window, servers):
    port, _ = servers.poetry(POEM, delay=0.01, num_bytes=100)
    address = local(port)
    open_dock(qtbot, window)
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    qtbot.waitUntil(
        lambda: any("callback _succeeded" in row for row in rows_shown(window)), timeout=2000
    )
    rows = rows_shown(window)
    read = [row for row in rows if f"ready: {address}" in row and "dataReceived(" in row]
    assert read, rows
    assert any("connectionMade" in row for row in rows)
    assert any("connectionLost(ConnectionDone)" in row for row in rows)
    # The demo server lives in this process: its socket and its paced writes are turns too.
    assert any(f"server {address}" in row for row in rows)
    assert any(row.endswith("server write") for row in rows)
    assert any(f"listening {address}" in row for row in rows)
    numbers = [int(row.split(" ", 1)[0][1:]) for row in rows]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_selecting_a_turn_marks_its_moment_on_the_lanes_it_read(qtbot, window, servers):
    addresses = [local(servers.poetry(POEM, delay=0.02, num_bytes=50)[0]) for _ in range(3)]
    open_dock(qtbot, window)
    window.add_servers(addresses[:2])
    window.add_servers(addresses[2:])
    window.commands.start_all.trigger()
    qtbot.waitUntil(lambda: all(status(window, a) == "Done" for a in addresses), timeout=5000)
    qtbot.wait(400)  # the dock's refresh
    view = window.findChild(QListView, "reactorTurns")
    rows = rows_shown(window)
    read = f"ready: {addresses[1]}"
    picked = max(
        (n for n, row in enumerate(rows) if read in row and "dataReceived(" in row),
        key=lambda n: rows[n].count("dataReceived"),
    )
    view.selectionModel().setCurrentIndex(
        view.model().index(picked, 0), QItemSelectionModel.ClearAndSelect
    )
    mark = window.timeline.marked_turn
    assert mark is not None and str(addresses[1]) in mark.addresses

    timeline = window.findChild(TimelineView, "timelineView")
    qtbot.waitUntil(timeline.isVisible, timeout=2000)
    # Room for every lane above the axis, as a person would make it, with both docks open.
    window.resize(1280, 1000)
    qtbot.waitUntil(
        lambda: timeline.lanes_area().contains(timeline.lane_rect(row_of(window, addresses[2]))),
        timeout=2000,
    )
    image = timeline.grab().toImage()
    x = round(timeline.axis().x(mark.at))
    band = timeline.palette().color(QPalette.Link)
    marked = []
    for address in addresses:
        lane = timeline.lane_rect(row_of(window, address))
        pixel = image.pixelColor(x, lane.center().y())
        marked.append(abs(pixel.blue() - band.blue()) + abs(pixel.red() - band.red()) < 60)
    assert marked == [str(a) in mark.addresses for a in addresses]

    view.selectionModel().clearCurrentIndex()
    assert window.timeline.marked_turn is None


def test_a_refused_connection_shows_client_connection_failed(qtbot, window, refused_port):
    address = local(refused_port)
    open_dock(qtbot, window)
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Failed", timeout=5000)
    qtbot.waitUntil(
        lambda: any(
            "clientConnectionFailed(ConnectionRefusedError)" in row for row in rows_shown(window)
        ),
        timeout=2000,
    )
    assert any("errback _failed" in row for row in rows_shown(window))


def test_nothing_is_recorded_while_the_dock_is_closed(qtbot, window, servers):
    port, _ = servers.poetry(POEM, delay=0.0)
    dock = open_dock(qtbot, window)
    assert turns.recording is not None
    action(window, "actionShowReactor").trigger()
    qtbot.waitUntil(lambda: not dock.isVisible(), timeout=2000)
    assert turns.recording is None
    shown = len(rows_shown(window))
    window.add_servers([local(port)], start=True)
    qtbot.waitUntil(lambda: status(window, local(port)) == "Done", timeout=5000)
    assert len(rows_shown(window)) == shown


def test_paused_no_byte_arrives_but_the_window_stays_usable_and_step_takes_one_turn(
    qtbot, window, servers
):
    port, _ = servers.poetry(POEM, delay=0.05, num_bytes=20)
    address = local(port)
    open_dock(qtbot, window)
    pause, step = action(window, "actionReactorPause"), action(window, "actionReactorStep")
    assert not step.isEnabled()
    window.add_servers([address], start=True)
    row = row_of(window, address)
    qtbot.waitUntil(lambda: cell(window, row, RECEIVED) not in ("", "0 bytes"), timeout=5000)
    pause.trigger()
    assert pause.isChecked() and step.isEnabled()
    qtbot.wait(400)  # the tick shows what came before the pause
    received = cell(window, row, RECEIVED)
    shown = len(rows_shown(window))

    # Qt runs on: a dialog opened from a Qt timer while paused opens and answers.
    dialogs: list[QDialog] = []
    QTimer.singleShot(100, lambda: dialogs.append(window.open_preferences()))
    qtbot.wait(1000)
    assert dialogs and dialogs[0].isVisible()
    dialogs[0].reject()
    assert cell(window, row, RECEIVED) == received
    assert len(rows_shown(window)) == shown
    assert status(window, address) == "Downloading"

    for _ in range(3):
        before = len(rows_shown(window))
        step.trigger()
        qtbot.waitUntil(lambda: len(rows_shown(window)) > before, timeout=2000)  # noqa: B023
        qtbot.wait(400)  # and no second turn follows
        assert len(rows_shown(window)) == before + 1, rows_shown(window)[-4:]

    pause.trigger()
    assert not step.isEnabled()
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    assert window.model.rows[row].poem.text == POEM.decode()


def test_a_short_idle_timeout_does_not_fire_during_a_long_pause(qtbot, window, servers):
    """A paused minute is not an idle minute: the reactor's clock stands still while paused."""
    port, _ = servers.poetry(POEM, delay=0.05, num_bytes=20)
    address = local(port)
    window.downloads.idle_timeout = 0.5
    open_dock(qtbot, window)
    window.add_servers([address], start=True)
    row = row_of(window, address)
    qtbot.waitUntil(lambda: cell(window, row, RECEIVED) not in ("", "0 bytes"), timeout=5000)
    from twisted.internet import reactor

    action(window, "actionReactorPause").trigger()
    paused_at, wall = reactor.seconds(), time.monotonic()
    qtbot.waitUntil(lambda: time.monotonic() - wall >= 1.5, timeout=3000)
    assert reactor.seconds() == paused_at
    action(window, "actionReactorPause").trigger()
    qtbot.waitUntil(lambda: status(window, address) in ("Done", "Failed"), timeout=5000)
    assert status(window, address) == "Done"


def test_slow_motion_spaces_the_turns(qtbot, window, servers):
    port, _ = servers.poetry(POEM[:120], delay=0.01, num_bytes=30)
    address = local(port)
    dock = open_dock(qtbot, window)
    combo = dock.findChild(QComboBox, "reactorSlowMotion")
    combo.setCurrentIndex(combo.findData(0.25))
    record = turns.recording
    assert record is not None
    first = record.count
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=15000)
    spaced = [turn for turn in record.turns if turn.number > first + 1]
    assert len(spaced) >= 5
    # Each turn began at least the slow-motion time after the one before ended.
    assert min(turn.waited for turn in spaced) >= 0.24


def test_start_while_paused_connects_on_the_next_turn(qtbot, window, servers):
    port, _ = servers.poetry(POEM, delay=0.0)
    address = local(port)
    open_dock(qtbot, window)
    action(window, "actionReactorPause").trigger()
    window.add_servers([address], start=True)
    qtbot.wait(500)
    assert status(window, address) == "Connecting"
    action(window, "actionReactorPause").trigger()
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)


def test_the_dock_speaks_chinese_and_switches_live(qtbot, window, servers):
    port, _ = servers.poetry(POEM, delay=0.0)
    address = local(port)
    dock = open_dock(qtbot, window)
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    qtbot.waitUntil(lambda: any("dataReceived(" in row for row in rows_shown(window)))
    try:
        install_language("zh_CN")
        qtbot.waitUntil(lambda: dock.windowTitle() == "reactor循环", timeout=2000)
        assert action(window, "actionReactorStep").text() == "单步执行一轮(&S)"
        rows = rows_shown(window)
        assert all("等待" in row for row in rows)
        assert any(f"就绪：{address}" in row and "字节)" in row for row in rows)
    finally:
        install_language("en")
    qtbot.waitUntil(lambda: dock.windowTitle() == "Reactor", timeout=2000)
    assert all("waited" in row for row in rows_shown(window))


@pytest.mark.parametrize("how", ["close", "quit action", "signal"])
def test_quitting_while_paused_quits_at_once(qtbot, window, servers, how):
    from twisted.internet import reactor

    port, _ = servers.poetry(POEM, delay=0.05, num_bytes=20)
    address = local(port)
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Downloading", timeout=5000)
    open_dock(qtbot, window)
    action(window, "actionReactorPause").trigger()
    assert reactor.paused
    # What app.__main__ does on the window's closed signal.
    stopped: list[float] = []
    window.closed.connect(lambda: reactor.callLater(0, stopped.append, time.monotonic()))
    asked = time.monotonic()
    if how == "close":
        window.close()
    elif how == "quit action":
        action(window, "actionQuit").trigger()
    else:
        window.close_for_signal(15)
    qtbot.waitUntil(lambda: bool(stopped), timeout=1000)
    assert stopped[0] - asked < 0.5
    assert not reactor.paused and not reactor.held


def test_without_epoll_pause_is_disabled_and_says_why(qtbot):
    reactor = PoetryQtReactor(epoll=False)
    window = QMainWindow()
    qtbot.addWidget(window)
    actions = WindowActions(window)
    pause, step = actions.reactor_pause, actions.reactor_step
    dock = ReactorDock(window, EventStream(), actions, reactor=reactor)
    assert not reactor.can_pause
    assert not pause.isEnabled() and not step.isEnabled()
    assert "epoll" in pause.toolTip()
    reactor.pause()
    assert not reactor.paused and not reactor.held
    dock.stop()
    # As tests/test_internals.py leaves its spare reactor: nothing of it watched.
    reactor.removeReader(reactor.waker)
    reactor.waker.connectionLost(None)


def test_opened_on_a_small_screen_the_dock_leaves_the_table_and_poem_their_room(qtbot, window):
    # A 1024×600 screen less a panel: Qt alone gives a bottom dock half the window.
    window.resize(1024, 560)
    dock = open_dock(qtbot, window)
    qtbot.waitUntil(lambda: dock.height() <= window.height() * 2 // 5, timeout=2000)
    view = window.findChild(QListView, "reactorTurns")
    assert view.height() >= 5 * view.fontMetrics().lineSpacing()  # still a readable list
