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
    QListView,
    QPlainTextEdit,
    QToolButton,
)
from twisted.internet import error
from twisted.python.failure import Failure

from app.downloads.events import Failed, InternalError
from app.downloads.rows import ServerRow
from app.gui import MainWindow
from app.net.failures import PoetryError, describe_failure
from app.views.failure_report import NETWORK
from tests import hostile
from tests.conftest import failure_dialog, local, row_of, status, statuses

pytestmark = pytest.mark.usefixtures("no_leftover_timers")


def failure_list(window: MainWindow) -> QListView:
    return failure_dialog(window).findChild(QListView, "failureList")


def entries(window: MainWindow) -> list[str]:
    """The entries as the list shows them, read through its view's model."""
    model = failure_list(window).model()
    return [model.index(n, 0).data() for n in range(model.rowCount())]


def listed(qtbot, window: MainWindow, count: int) -> None:
    """Wait until the list shows ``count`` entries: a reactor turn's failures join it together."""
    qtbot.waitUntil(lambda: len(entries(window)) == count, timeout=5000)


def current_entry(window: MainWindow) -> str:
    return str(failure_list(window).currentIndex().data())


def current_row(window: MainWindow) -> int:
    return failure_list(window).currentIndex().row()


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
    listed(qtbot, window, 1)
    assert current_entry(window) == f"{refused} — connection refused"
    assert hint_text(window) == (
        f"Nothing is listening on {refused}. Is the server running, and is the port right?"
    )
    assert details(window).startswith(NETWORK)
    assert "Traceback (most recent call last):" not in details(window)

    qtbot.waitUntil(lambda: status(window, stalled) == "Failed", timeout=5000)

    listed(qtbot, window, 2)
    assert entries(window) == [
        f"{refused} — connection refused",
        f"{stalled} — no data for 0.3 s",
    ]
    assert current_row(window) == 1
    assert hint_text(window).startswith(f"{stalled} sent 8 bytes, then nothing for 0.3 s")


def test_esc_in_the_main_window_cancels_and_in_the_failure_window_closes_it(qtbot, window, servers):
    fit(qtbot, window, 420, 320)
    stalled = local(servers.hostile(hostile.Stall))
    refused = local(servers.refused())
    window.add_servers([stalled, refused], start=True)
    qtbot.waitUntil(failure_dialog(window).isVisible, timeout=5000)
    qtbot.waitUntil(lambda: status(window, stalled) == "Downloading", timeout=5000)
    listed(qtbot, window, 1)
    window.table.selectRow(row_of(window, stalled))

    # The person clicks into the failure window: now it has the keyboard...
    dialog = failure_dialog(window)
    shown = failure_list(window)
    dialog.activateWindow()
    qtbot.mouseClick(
        shown.viewport(), Qt.LeftButton, pos=shown.visualRect(shown.model().index(0, 0)).center()
    )
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    qtbot.keyClick(shown, Qt.Key_Escape)

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
    assert notice(window).text() == "2 new failures — Show"
    qtbot.mouseClick(notice(window), Qt.LeftButton)
    assert failure_dialog(window).isVisible()
    assert not notice(window).isVisible()
    assert sorted(entries(window)) == sorted(f"{a} — no data for 0.8 s" for a in stalls)
    assert current_row(window) == 1
    qtbot.waitUntil(lambda: QApplication.activeWindow() is failure_dialog(window), timeout=2000)

    # A new batch: its first failure opens the window again, beside the work.
    close_by_button(qtbot, window)
    window.activateWindow()
    window.downloads.idle_timeout = 30
    window.commands.start_all.trigger()
    qtbot.waitUntil(failure_dialog(window).isVisible, timeout=5000)
    listed(qtbot, window, 1)
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
    listed(qtbot, window, 2)

    window.table.selectRow(row_of(window, first))
    window.commands.start.trigger()
    window.table.selectRow(row_of(window, second))
    window.commands.remove.trigger()

    listed(qtbot, window, 3)
    assert entries(window) == [
        f"{first} — connection refused (retried)",
        f"{second} — connection refused (removed)",
        f"{first} — connection refused",
    ]
    shown = failure_list(window)
    model = shown.model()
    assert current_row(window) == 2
    grey = shown.palette().color(QPalette.Disabled, QPalette.Text)
    foregrounds = [model.index(n, 0).data(Qt.ForegroundRole) for n in range(3)]
    assert [b is not None and b.color() == grey for b in foregrounds] == [True, True, False]
    tooltips = [model.index(n, 0).data(Qt.ToolTipRole) for n in range(3)]
    assert tooltips == [
        "Since then, this server was started again.",
        "Since then, this server was removed from the list.",
        None,
    ]
    summary = failure_dialog(window).findChild(QLabel, "failureSummary").text()
    assert summary == "3 downloads failed; 1 retried since, 1 removed."
    shown.setCurrentIndex(model.index(0, 0))
    assert hint_text(window).endswith("Since then, this server was started again.")


def test_a_long_message_wraps_to_the_window_and_markup_stays_text(qtbot, window):
    fit(qtbot, window, 420, 320)
    (row,) = window.add_servers([local(9)])
    message = "<b>" + " ".join(["a reason far longer than any window is wide"] * 12) + "</b>"
    failure = Failure(PoetryError(message))
    window.events.publish(Failed(row, failure, describe_failure(failure)))
    qtbot.waitUntil(failure_dialog(window).isVisible, timeout=2000)
    listed(qtbot, window, 1)

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
    listed(qtbot, window, 1)

    assert hint_text(window).startswith(
        f"A bug in Poetry Downloader while it showed the download from {row.address}"
    )
    assert details(window).startswith("Traceback (most recent call last):")
    assert "RuntimeError: simulated bug" in details(window)


def refuse(window: MainWindow, row: ServerRow) -> None:
    """What the controller publishes when ``row``'s server refuses the connection."""
    failure = Failure(error.ConnectionRefusedError())
    window.events.publish(Failed(row, failure, describe_failure(failure)))


@pytest.mark.parametrize("closed_first", [False, True], ids=["shown", "hidden"])
def test_a_turn_s_failures_are_listed_together_and_the_newest_made_current_once(
    qtbot, window, closed_first
):
    """A storm of failures costs each the same, shown or hidden.

    The failures of one reactor turn join the list with one insertion, and
    the newest becomes current once: making each current as it came cost
    the whole list each time.
    """
    rows = window.add_servers([local(port) for port in range(10_001, 10_501)])
    if closed_first:  # the batch's later failures wait in the notice, the window closed
        refuse(window, rows[0])
        listed(qtbot, window, 1)
        close_by_button(qtbot, window)
        rows = rows[1:]
    view = failure_list(window)
    inserted: list[tuple[int, int]] = []
    made_current: list[int] = []
    view.model().rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    view.selectionModel().currentChanged.connect(
        lambda current, _previous: made_current.append(current.row())
    )

    for row in rows:  # one turn: nothing else runs in between
        refuse(window, row)
    listed(qtbot, window, len(rows))

    newest = len(rows) - 1
    assert inserted == [(0, newest)]
    assert made_current == [newest]
    assert current_entry(window) == f"{rows[-1].address} — connection refused"
    assert failure_dialog(window).isVisible() is not closed_first
    if closed_first:
        assert notice(window).text() == f"{len(rows)} new failures — Show"
