"""The Tutorial menu's experiments, run as a learner runs them: from the menu, read in their window.

Each runs on the real reactor against a server of its own on 127.0.0.1; the
test reads what a person reads in ``experimentWindow`` and checks that the
run left no server, timer or connection behind.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from PyQt5.QtWidgets import QAction, QApplication, QPlainTextEdit, QWidget

from app.downloads.rows import Status
from app.gui import MainWindow
from app.gui.i18n import install_language
from tests.conftest import listening_sockets, local

pytestmark = pytest.mark.usefixtures("no_leftover_timers")

SLOW_POEM = b"A slow poem for the window to download while a learner experiments.\n" * 4


def run(window: MainWindow, name: str) -> QWidget:
    """Choose the experiment from the Tutorial menu, as a person does; its window comes up."""
    action = window.findChild(QAction, f"actionExperiment{name}")
    assert action in window.commands.menus["menuTutorial"].actions()
    action.trigger()
    shown = window.findChild(QWidget, "experimentWindow")
    assert shown.isVisible() and not shown.isModal()
    return shown


def text(window: MainWindow, name: str = "experimentText") -> str:
    view = window.findChild(QPlainTextEdit, name)
    return view.toPlainText() if view.isVisible() else ""


def wait_finished(qtbot, window: MainWindow, timeout: int = 10_000) -> str:
    qtbot.waitUntil(lambda: "Finished: " in text(window), timeout=timeout)
    return text(window)


@pytest.fixture
def nothing_left(window: MainWindow) -> Iterator[None]:
    """After the test: no experiment running, no socket listening, no new socket kept open."""
    listening = listening_sockets(os.getpid())
    sockets = open_sockets()
    yield
    assert not window.tutorial.experiments.running
    assert listening_sockets(os.getpid()) == listening
    assert open_sockets() <= sockets


def open_sockets() -> set[str]:
    """The sockets this process holds open (their inodes)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # the listing's own descriptor, closed by now
        if target.startswith("socket:"):
            found.add(target)
    return found


def test_a_raising_callback_shows_the_failure_its_errback_caught_and_the_reactor_going_on(
    qtbot, window, nothing_left
):
    run(window, "RaisingCallback")
    shown = wait_finished(qtbot, window)
    assert "The callback a_callback_that_raises raised ValueError" in shown
    assert "The errback an_errback_that_catches caught it" in shown
    # The Failure's own traceback, down to the raising callback's frame.
    assert "Traceback (most recent call last):" in shown
    assert "in a_callback_that_raises" in shown
    # Who called it: the reactor's read of the socket, down through our client.
    stack = shown.split("the reactor first):")[1]
    assert "(app/gui/reactor/qt_reactor.py:" in stack.strip().splitlines()[0]
    assert "readConnectionLost" in stack and "_fire" in stack and "_runCallbacks" in stack
    assert "pytest" not in stack
    ticks = shown.split("The reactor kept running: its timer ticked ")[1]
    after = int(ticks.split(" times in the ")[0].split(" and ")[1])
    assert after >= 5  # ticks every 50 ms for the 0.5 s after the exception
    assert "downloaded again: 158 bytes" in shown
    explanation = window.findChild(QWidget, "experimentExplanation").text()
    assert "raises an exception" in explanation and "errback" in explanation


def test_firing_a_deferred_twice_shows_already_called_error_and_why(qtbot, window, nothing_left):
    run(window, "FiredTwice")
    shown = wait_finished(qtbot, window)
    assert "twisted.internet.defer.AlreadyCalledError" in shown
    assert "in clientConnectionLost" in shown  # where the second firing came from
    assert "a Deferred fires once" in shown
    assert "d, self.deferred = self.deferred, None" in shown
    assert "its Deferred fired once, with the poem (158 bytes)" in shown


def test_cancelling_shows_d_cancel_the_cancelled_error_and_the_connection_closed(
    qtbot, window, nothing_left
):
    run(window, "Cancelling")
    shown = wait_finished(qtbot, window)
    assert "d.cancel() was called" in shown
    assert "received a Failure of CancelledError" in shown
    assert "twisted.internet.defer.CancelledError" in shown
    assert "The connection is closed" in shown
    received = int(shown.split("Received ")[1].split(" bytes of the poem's")[0])
    assert 24 <= received < 158  # cancelled mid-poem


def test_the_forgetful_factory_keeps_waiting_while_ours_is_refused_at_once(
    qtbot, window, nothing_left
):
    run(window, "NaiveFactory")
    # Side by side: ours refused at once, the forgetful one still waiting, told live.
    qtbot.waitUntil(lambda: "ConnectionRefusedError after" in text(window, "experimentOtherText"))
    qtbot.waitUntil(lambda: "still waiting after 1" in text(window), timeout=3000)
    qtbot.waitUntil(lambda: "still waiting after 2" in text(window), timeout=3000)
    assert "Its Deferred fired" not in text(window)
    shown = wait_finished(qtbot, window)
    assert re.search(r"Stopped after 5(\.\d)? s: .* wait for ever", shown)
    ours = text(window, "experimentOtherText")
    assert "clientConnectionFailed errbacked the Deferred at once" in ours
    assert "twisted.internet.error.ConnectionRefusedError" in ours


def test_blocking_the_reactor_freezes_everything_and_says_for_how_long(qtbot, window, nothing_left):
    run(window, "BlockedReactor")
    shown = wait_finished(qtbot, window)
    gap = shown.split("the longest gap between two ticks was ")[1].split(" s.")[0]
    assert 2.9 <= float(gap) <= 4.0


def test_experiments_run_again_and_again_while_downloads_run(qtbot, window, nothing_left, servers):
    port, _factory = servers.poetry(SLOW_POEM, delay=0.1, num_bytes=8)
    window.add_servers([local(port)], start=True)
    row = window.model.rows[0]
    qtbot.waitUntil(lambda: row.status is Status.DOWNLOADING)
    # A second run replaces the first in the same window: the first is stopped, cleanly.
    run(window, "Cancelling")
    first = window.tutorial.experiments.experiment
    run(window, "Cancelling")
    assert window.tutorial.experiments.experiment is not first
    qtbot.waitUntil(lambda: not first.running)
    assert "Stopped before the end" in first.report()[0]
    wait_finished(qtbot, window)
    run(window, "RaisingCallback")
    wait_finished(qtbot, window)
    assert row.status is Status.DOWNLOADING  # the window's own download kept going alongside
    qtbot.waitUntil(lambda: row.status is Status.DONE, timeout=10_000)
    assert len(window.findChildren(QWidget, "experimentWindow")) == 1


def test_closing_the_experiment_window_stops_a_running_experiment(qtbot, window, nothing_left):
    shown = run(window, "NaiveFactory")
    qtbot.waitUntil(lambda: "still waiting after" in text(window))
    shown.close()
    qtbot.waitUntil(lambda: not window.tutorial.experiments.running)
    assert "Stopped before the end" in window.tutorial.experiments.experiment.report()[0]


def test_the_report_is_copyable_and_follows_the_language(qtbot, window, nothing_left):
    shown = run(window, "FiredTwice")
    wait_finished(qtbot, window)
    shown.findChild(QWidget, "copyExperimentButton").click()
    copied = QApplication.clipboard().text()
    assert copied.startswith("Firing a Deferred Twice\n") and "AlreadyCalledError" in copied
    try:
        install_language("zh_CN")
        qtbot.waitUntil(lambda: "激活" in shown.findChild(QWidget, "experimentExplanation").text())
        assert "两次激活" in shown.findChild(QWidget, "experimentTitle").text()
        assert "AlreadyCalledError" in text(window)  # the traceback stays as Python wrote it
        assert "Finished" not in text(window)
    finally:
        install_language("en")
    qtbot.waitUntil(lambda: "Finished: " in text(window))
