"""The Download Failures window as a person meets it: beside the work, newest first, in words.

Real servers on 127.0.0.1 fail for real (a refused port, a stall past the
idle limit); the window is driven with actions, clicks and keys, and read
as a person reads it: where it is, what is current, what the words say.
The offscreen screen is 800 x 600, so the main window is made to fit it.
"""

from __future__ import annotations

import pytest
from PyQt5.QtCore import QPoint, QRect, Qt
from PyQt5.QtGui import QPalette
from PyQt5.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QToolButton,
)
from twisted.python.failure import Failure

from app.downloads.events import Failed, InternalError
from app.gui import MainWindow
from app.net.failures import PoetryError, describe_failure
from app.views.failure_report import NETWORK
from tests import hostile
from tests.conftest import failure_dialog, local, row_of, status, statuses

pytestmark = pytest.mark.usefixtures("no_leftover_timers")


def failure_list(window: MainWindow) -> QListWidget:
    return failure_dialog(window).findChild(QListWidget, "failureList")


def entries(window: MainWindow) -> list[str]:
    shown = failure_list(window)
    return [shown.item(n).text() for n in range(shown.count())]


def current_entry(window: MainWindow) -> str:
    return failure_list(window).currentItem().text()


def hint_text(window: MainWindow) -> str:
    return failure_dialog(window).findChild(QLabel, "failureHint").text()


def details(window: MainWindow) -> str:
    return failure_dialog(window).findChild(QPlainTextEdit, "tracebackView").toPlainText()


def notice(window: MainWindow) -> QToolButton:
    button = window.findChild(QToolButton, "failureNotice")
    assert button is not None
    return button


def on_screen(widget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def close_by_button(qtbot, window: MainWindow) -> None:
    buttons = failure_dialog(window).findChild(QDialogButtonBox)
    qtbot.mouseClick(buttons.button(QDialogButtonBox.Close), Qt.LeftButton)


def fit(qtbot, window: MainWindow, width: int, height: int) -> None:
    """The window at the screen's top left, ``width`` x ``height``, and the person in it."""
    window.move(0, 0)
    window.resize(width, height)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)


# The offscreen screen is 800 x 600 and the window keeps its table usable at
# about 740 wide, so there is never room beside the whole window here; the
# placement's own tests (test_placement.py) cover that case.
@pytest.mark.parametrize(("width", "height"), [(800, 500)])
def test_the_first_failure_opens_the_window_beside_the_table_not_over_it(
    qtbot, window, servers, width, height
):
    screen = QApplication.primaryScreen().availableGeometry()
    assert (screen.width(), screen.height()) == (800, 600)  # what the test is measured against
    fit(qtbot, window, width, height)
    refused = local(servers.refused())
    window.add_servers([refused])
    # Where everything is the moment the failure window opens (a listener after the window's own).
    seen: dict[str, QRect] = {}
    window.events.on(
        Failed,
        lambda event: seen.update(
            dialog=failure_dialog(window).frameGeometry(),
            window=window.frameGeometry(),
            table=on_screen(window.table.viewport()),
        ),
    )

    window.commands.start_all.trigger()

    qtbot.waitUntil(failure_dialog(window).isVisible, timeout=5000)
    dialog = failure_dialog(window).frameGeometry()
    assert dialog == seen["dialog"]
    assert not dialog.intersects(seen["table"])
    assert not dialog.intersects(on_screen(window.table.viewport()))
    assert screen.contains(dialog)
    assert QApplication.activeWindow() is window


def test_the_newest_failure_is_current_and_said_in_plain_words(qtbot, window, servers):
    fit(qtbot, window, 420, 320)
    window.downloads.idle_timeout = 0.3
    refused = local(servers.refused())
    stalled = local(servers.hostile(hostile.Stall, prefix=b"And then"))
    window.add_servers([refused, stalled])
    window.commands.start_all.trigger()
    qtbot.waitUntil(lambda: failure_dialog(window).isVisible(), timeout=5000)
    assert current_entry(window) == f"{refused} — connection refused"
    assert hint_text(window) == (
        f"Nothing is listening on {refused}. Is the server running, and is the port right?"
    )
    assert details(window).startswith(NETWORK)
    assert "Traceback (most recent call last):" not in details(window)

    qtbot.waitUntil(lambda: status(window, stalled) == "Failed", timeout=5000)

    assert entries(window) == [
        f"{refused} — connection refused",
        f"{stalled} — no data for 0.3 s",
    ]
    assert failure_list(window).currentRow() == 1
    assert hint_text(window).startswith(f"{stalled} sent 8 bytes, then nothing for 0.3 s")


def test_esc_in_the_main_window_cancels_and_in_the_failure_window_closes_it(qtbot, window, servers):
    fit(qtbot, window, 420, 320)
    stalled = local(servers.hostile(hostile.Stall))
    refused = local(servers.refused())
    window.add_servers([stalled, refused], start=True)
    qtbot.waitUntil(failure_dialog(window).isVisible, timeout=5000)
    qtbot.waitUntil(lambda: status(window, stalled) == "Downloading", timeout=5000)
    window.table.selectRow(row_of(window, stalled))

    # The person clicks into the failure window: now it has the keyboard...
    dialog = failure_dialog(window)
    listed = failure_list(window)
    dialog.activateWindow()
    qtbot.mouseClick(
        listed.viewport(), Qt.LeftButton, pos=listed.visualRect(listed.model().index(0, 0)).center()
    )
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    qtbot.keyClick(listed, Qt.Key_Escape)

    # ...and Esc closes it, leaving the selected download alone.
    assert not dialog.isVisible()
    assert status(window, stalled) == "Downloading"
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(window.table, Qt.Key_Escape)
    assert status(window, stalled) == "Cancelled"


def test_once_closed_the_batch_s_failures_wait_in_the_status_bar_until_shown(
    qtbot, window, servers
):
    fit(qtbot, window, 420, 320)
    window.downloads.idle_timeout = 0.8
    refused = local(servers.refused())
    stalls = [local(servers.hostile(hostile.Stall)) for _ in range(2)]
    window.add_servers([refused, *stalls])
    window.commands.start_all.trigger()
    qtbot.waitUntil(failure_dialog(window).isVisible, timeout=5000)
    assert not notice(window).isVisible()

    close_by_button(qtbot, window)
    qtbot.waitUntil(lambda: statuses(window) == ["Failed"] * 3, timeout=5000)

    # The window stays closed: the two later failures are a notice, not a pop-up.
    assert not failure_dialog(window).isVisible()
    assert notice(window).isVisible()
    assert notice(window).text() == "2 failures — Show"
    qtbot.mouseClick(notice(window), Qt.LeftButton)
    assert failure_dialog(window).isVisible()
    assert not notice(window).isVisible()
    assert sorted(entries(window)) == sorted(f"{a} — no data for 0.8 s" for a in stalls)
    assert failure_list(window).currentRow() == 1
    qtbot.waitUntil(lambda: QApplication.activeWindow() is failure_dialog(window), timeout=2000)

    # A new batch: its first failure opens the window again, beside the work.
    close_by_button(qtbot, window)
    window.activateWindow()
    window.downloads.idle_timeout = 30
    window.commands.start_all.trigger()
    qtbot.waitUntil(failure_dialog(window).isVisible, timeout=5000)
    assert entries(window) == [f"{refused} — connection refused"]
    table = on_screen(window.table.viewport())
    assert not failure_dialog(window).frameGeometry().intersects(table)
    window.table.selectAll()
    window.commands.cancel.trigger()  # the stalls, running again: nothing left behind


def test_retried_and_removed_rows_keep_their_entry_greyed_and_say_so(qtbot, window, servers):
    fit(qtbot, window, 420, 320)
    first, second = local(servers.refused()), local(servers.refused())
    window.add_servers([first, second])
    window.commands.start_all.trigger()
    qtbot.waitUntil(lambda: statuses(window) == ["Failed", "Failed"], timeout=5000)
    listed = failure_list(window)
    assert listed.count() == 2

    window.table.selectRow(row_of(window, first))
    window.commands.start.trigger()
    window.table.selectRow(row_of(window, second))
    window.commands.remove.trigger()

    qtbot.waitUntil(lambda: listed.count() == 3, timeout=5000)
    assert entries(window) == [
        f"{first} — connection refused (retried)",
        f"{second} — connection refused (removed)",
        f"{first} — connection refused",
    ]
    assert listed.currentRow() == 2
    grey = listed.palette().color(QPalette.Disabled, QPalette.Text)
    assert [listed.item(n).foreground().color() == grey for n in range(3)] == [True, True, False]
    summary = failure_dialog(window).findChild(QLabel, "failureSummary").text()
    assert summary == "3 downloads failed; 1 retried since, 1 removed."
    listed.setCurrentRow(0)
    assert hint_text(window).endswith("Since then, this server was started again.")


def test_a_long_message_wraps_to_the_window_and_markup_stays_text(qtbot, window):
    fit(qtbot, window, 420, 320)
    (row,) = window.add_servers([local(9)])
    message = "<b>" + " ".join(["a reason far longer than any window is wide"] * 12) + "</b>"
    failure = Failure(PoetryError(message))
    window.events.publish(Failed(row, failure, describe_failure(failure)))
    qtbot.waitUntil(failure_dialog(window).isVisible, timeout=2000)

    view = failure_dialog(window).findChild(QPlainTextEdit, "tracebackView")
    assert view.lineWrapMode() == QPlainTextEdit.WidgetWidth
    assert view.horizontalScrollBar().maximum() == 0  # nothing hidden past the right edge
    block = view.document().findBlock(view.toPlainText().index(message))
    qtbot.waitUntil(lambda: block.layout().lineCount() > 1, timeout=2000)
    hint = failure_dialog(window).findChild(QLabel, "failureHint")
    assert hint.textFormat() == Qt.PlainText and hint.wordWrap()
    assert hint.text() == f"The download from {row.address} failed: {message}."


def test_a_bug_of_ours_says_so_above_its_traceback(qtbot, window):
    fit(qtbot, window, 420, 320)
    (row,) = window.add_servers([local(9)])
    try:
        raise RuntimeError("simulated bug")
    except RuntimeError:
        failure = Failure()
    window.events.publish(InternalError(row, failure))
    qtbot.waitUntil(failure_dialog(window).isVisible, timeout=2000)

    assert hint_text(window).startswith(
        f"A bug in Poetry Downloader while it showed the download from {row.address}"
    )
    assert details(window).startswith("Traceback (most recent call last):")
    assert "RuntimeError: simulated bug" in details(window)
