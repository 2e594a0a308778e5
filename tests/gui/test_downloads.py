"""Downloading as a person sees it: rows, statuses, bars, the poem pane, failures."""

from __future__ import annotations

import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QDialog, QLabel, QPlainTextEdit

from app.downloads.events import Connected, DeferredStep, Done, Failed
from app.gui.window_tick import REFRESH_INTERVAL_MS
from app.i18n.units import format_size
from app.net.address import Address
from tests import hostile
from tests.conftest import cell, failure_dialog, local, row_of, status, statuses, view_model

# Every test ends with no reactor timer of its own still waiting.
pytestmark = pytest.mark.usefixtures("no_leftover_timers")

POEM = "\n".join(f"Line {n} of a poem that takes a moment to arrive." for n in range(30)).encode()


def test_start_all_fills_bars_then_shows_the_poem(qtbot, window, servers):
    port, _ = servers.poetry(POEM, delay=0.02, num_bytes=40)
    first = local(port)
    port, _ = servers.poetry(b"A short poem.\n", delay=0.0)
    second = local(port)
    window.add_servers([first, second])
    assert statuses(window) == ["Idle", "Idle"]
    # The first download teaches the window the poem's size...
    window.commands.start_all.trigger()
    qtbot.waitUntil(lambda: statuses(window) == ["Done", "Done"], timeout=5000)

    # ...so the second shows a determinate bar that only ever grows.
    fractions: list[float] = []

    def sample() -> None:
        fractions.append(cell(window, row_of(window, first), 2, Qt.UserRole))

    window.model.refreshed.connect(sample)
    window.commands.start_all.trigger()
    qtbot.waitUntil(lambda: status(window, first) == "Done", timeout=5000)
    window.model.refreshed.disconnect(sample)
    assert len(fractions) > 3
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert fractions == sorted(fractions)
    assert cell(window, row_of(window, first), 2, Qt.UserRole) == 1.0
    assert cell(window, row_of(window, first), 2) == "100 %"

    window.table.selectRow(row_of(window, first))
    poem_view = window.findChild(QPlainTextEdit, "poemView")
    assert poem_view.toPlainText() == POEM.decode()
    assert poem_view.isReadOnly()
    assert str(first) in window.poem_pane.label.text()


def test_unknown_size_is_a_busy_bar_with_the_bytes_received(qtbot, window, servers):
    port, _ = servers.poetry(POEM, delay=0.02, num_bytes=50)
    address = local(port)
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Downloading", timeout=5000)
    qtbot.waitUntil(lambda: "bytes" in cell(window, 0, 2), timeout=5000)
    assert cell(window, 0, 2, Qt.UserRole) is None
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    assert cell(window, 0, 2, Qt.UserRole) == 1.0


def test_reset_mid_poem_is_a_failure_not_a_poem(qtbot, window, servers):
    address = local(servers.hostile(hostile.ResetMidPoem))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Failed", timeout=5000)
    reason = cell(window, 0, 0, Qt.ToolTipRole)
    assert reason.startswith("connection lost after 14 bytes")
    dialog = failure_dialog(window)
    assert dialog.isVisible() and not dialog.isModal()
    traceback = dialog.findChild(QPlainTextEdit, "tracebackView").toPlainText()
    assert "ConnectionLostError" in traceback
    assert "connection lost after 14 bytes" in traceback
    # ...followed by what the network did: the reset, as Twisted reported it.
    assert "Caused by:" in traceback and "twisted.internet.error.ConnectionLost" in traceback
    window.table.selectRow(0)
    assert window.findChild(QPlainTextEdit, "poemView").toPlainText() == ""


def test_twenty_failures_make_one_dialog_with_twenty_entries(qtbot, window, servers):
    from twisted.internet import reactor

    # Ports that were just free and are closed again: every connection is refused.
    refused = []
    for _ in range(20):
        port = reactor.listenTCP(0, hostile._Factory(hostile.CloseAtOnce), interface="127.0.0.1")
        refused.append(Address("127.0.0.1", port.getHost().port))
        port.stopListening()
    window.add_servers(refused, start=True)
    qtbot.waitUntil(lambda: statuses(window) == ["Failed"] * 20, timeout=5000)
    dialogs = [d for d in window.findChildren(QDialog, "failureDialog") if d.isVisible()]
    assert len(dialogs) == 1
    listed = dialogs[0].failure_list.model()
    qtbot.waitUntil(lambda: listed.rowCount() >= 20, timeout=2000)
    assert listed.rowCount() == 20
    assert "connection refused" in listed.index(0, 0).data()
    assert cell(window, 0, 1, Qt.ToolTipRole) == "connection refused"


def test_cancel_is_not_a_failure(qtbot, window, servers):
    address = local(servers.hostile(hostile.Stall))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Downloading", timeout=5000)
    window.table.selectRow(0)
    window.commands.cancel.trigger()
    qtbot.waitUntil(lambda: status(window, address) == "Cancelled", timeout=5000)
    assert not failure_dialog(window).isVisible()


def test_remove_during_download_closes_the_connection(qtbot, window, servers):
    port, factory = servers.poetry(POEM, delay=0.5, num_bytes=1)
    address = local(port)
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: factory.clients == 1, timeout=5000)
    window.table.selectRow(0)
    assert window.commands.remove.isEnabled()
    window.commands.remove.trigger()
    assert view_model(window).rowCount() == 0
    qtbot.waitUntil(lambda: factory.clients == 0, timeout=2000)


def test_connection_limit_queues_the_rest(qtbot, window, servers):
    port, factory = servers.poetry(POEM, delay=0.5, num_bytes=1)
    address = local(port)
    others = [local(servers.poetry(b"quick\n")[0]) for _ in range(2)]
    window.downloads.set_limit(1)
    window.add_servers([address, *others], start=True)
    qtbot.waitUntil(lambda: factory.clients == 1, timeout=5000)
    assert statuses(window)[1:] == ["Queued", "Queued"]
    window.table.selectRow(0)
    window.commands.cancel.trigger()
    qtbot.waitUntil(lambda: statuses(window) == ["Cancelled", "Done", "Done"], timeout=5000)


def test_markup_poem_is_shown_literally(qtbot, window, servers):
    address = local(servers.bytes(hostile.MARKUP_POEM.encode()))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    window.table.selectRow(0)
    view = window.findChild(QPlainTextEdit, "poemView")
    assert view.toPlainText() == hostile.MARKUP_POEM
    # Not a link either: no character of the poem is an anchor one could follow.
    block = view.document().begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            assert not fragments.fragment().charFormat().isAnchor()
            fragments += 1
        block = block.next()


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        (b"ring\x07 \x1b[31mred\r\nnext\tline\x00", "ring\u2407 \u241b[31mred\nnext\tline\u2400"),
        # Bidi controls stay: right-to-left poems are written with them.
        (
            hostile.CONTROL_POEM.encode(),
            "nul\u2400 bell\u2407 \u241b[31mred\u241b[0m \u241b[2J "
            "\u202etxt.exe\u202c \u2066iso\u2069\n",
        ),
    ],
)
def test_control_characters_are_made_visible(qtbot, window, servers, sent, shown):
    address = local(servers.bytes(sent))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    window.table.selectRow(0)
    assert window.findChild(QPlainTextEdit, "poemView").toPlainText() == shown


def test_start_all_opens_connections_a_batch_per_turn(qtbot, window, servers):
    from app.downloads.controller import START_BATCH

    addresses = [local(servers.poetry(b"quick\n", delay=0.05, num_bytes=2)[0]) for _ in range(120)]
    window.downloads.set_limit(500)
    window.add_servers(addresses)
    window.commands.start_all.trigger()
    # The first batch is connecting; the rest wait their turn, visibly.
    assert window.downloads.running == START_BATCH
    assert statuses(window).count("Queued") == 120 - START_BATCH
    qtbot.waitUntil(lambda: statuses(window) == ["Done"] * 120, timeout=10_000)


def test_a_failure_shows_its_dialog_without_taking_the_keyboard(qtbot, window, servers):
    from PyQt5.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    stalled = local(servers.hostile(hostile.Stall))
    refused = local(servers.refused())
    window.add_servers([stalled, refused], start=True)
    qtbot.waitUntil(lambda: failure_dialog(window).isVisible(), timeout=5000)
    assert QApplication.activeWindow() is window
    # Esc still reaches the window: it cancels the selected, stalled download.
    window.table.selectRow(row_of(window, stalled))
    qtbot.keyClick(window.table, Qt.Key_Escape)
    qtbot.waitUntil(lambda: status(window, stalled) == "Cancelled", timeout=2000)


def test_a_poem_and_a_failure_reach_the_window_along_the_same_path_at_once(qtbot, window, servers):
    """The poem pane and the failure dialog both hear the download's events, synchronously.

    A listener added after the window's own runs after every part of the
    window heard the event: by then the selected row's poem is in the pane,
    and the failure dialog is open and counts the failure, with no timer
    tick in between. The entry joins the dialog's list when the event loop
    next turns, with every other failure of the same reactor turn.
    """
    good = local(servers.poetry(POEM)[0])
    refused = local(servers.refused())
    window.add_servers([good, refused])
    window.table.selectRow(row_of(window, good))
    poem_view = window.findChild(QPlainTextEdit, "poemView")
    dialog = failure_dialog(window)
    summary = dialog.findChild(QLabel, "failureSummary")
    seen: dict[str, object] = {}
    window.events.on(Done, lambda event: seen.setdefault("done", poem_view.toPlainText()))
    window.events.on(
        Failed, lambda event: seen.setdefault("failed", (dialog.isVisible(), summary.text()))
    )

    window.commands.start_all.trigger()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)

    assert seen == {"done": POEM.decode(), "failed": (True, "1 download failed.")}
    listed = dialog.failure_list.model()
    qtbot.waitUntil(lambda: listed.rowCount() == 1, timeout=2000)
    assert listed.index(0, 0).data() == f"{refused} — connection refused"


def test_a_listener_that_raises_is_reported_and_the_others_still_hear(qtbot, window, servers):
    """A bug in a listener stops neither the other listeners nor the download.

    An event listener's bug is reported on its row, as an internal error the
    failure window shows; a bug in what the tick hands bytes to is reported as
    one escaping a Qt slot would be.
    """
    address = local(servers.poetry(POEM, delay=0.01, num_bytes=200)[0])
    window.add_servers([address])
    heard: list[str] = []

    def buggy(what: object) -> None:
        name = "bytes" if isinstance(what, list) else type(what).__name__
        raise RuntimeError(f"simulated bug on {name}")

    window.tick.count_bytes_with(buggy)
    window.events.on(Done, buggy)
    window.tick.count_bytes_with(lambda rows: heard.append("bytes"))
    window.events.subscribe(lambda event: heard.append(type(event).__name__))

    with qtbot.capture_exceptions() as exceptions:
        window.commands.start_all.trigger()
        # Bytes are told on the window's tick, which may come after the batch ended:
        # the last chunks' tick is heard here too, not after the capture.
        qtbot.waitUntil(lambda: "BatchEnded" in heard and "bytes" in heard, timeout=5000)
        qtbot.wait(REFRESH_INTERVAL_MS * 4)

    assert status(window, address) == "Done"
    assert heard[:3] == ["BatchStarted", "Queued", "Connecting"]
    assert "bytes" in heard and "Done" in heard
    assert cell(window, row_of(window, address), 3) == format_size(len(POEM))
    raised = {str(value) for _kind, value, _tb in exceptions}
    assert "simulated bug on bytes" in raised
    # The bug on Done came back as the row's internal error, after Done.
    assert heard.index("InternalError") > heard.index("Done")
    listed = failure_dialog(window).failure_list.model()
    qtbot.waitUntil(lambda: listed.rowCount() >= 1, timeout=2000)
    internal = listed.index(0, 0).data()
    assert internal.startswith(f"{address} — ") and "simulated bug on Done" in internal


def test_a_listener_hears_only_the_kinds_it_asked_for_in_order(qtbot, window, servers):
    address = local(servers.poetry(POEM, delay=0.01, num_bytes=200)[0])
    window.add_servers([address])
    heard: list[str] = []
    window.events.subscribe(
        lambda event: heard.append(f"some {type(event).__name__}"), (Connected, Done)
    )
    window.events.subscribe(lambda event: heard.append(f"all {type(event).__name__}"))

    window.commands.start_all.trigger()
    qtbot.waitUntil(lambda: "all BatchEnded" in heard, timeout=5000)

    assert [line for line in heard if line.startswith("some ")] == ["some Connected", "some Done"]
    assert [line for line in heard if line.startswith("all ")] == [
        "all BatchStarted",
        "all Queued",
        "all Connecting",
        "all Connected",
        "all DeferredStep",
        "all Done",
        "all BatchEnded",
    ]
    # Each event reached both in the order they asked: the narrow listener first.
    assert heard.index("some Connected") < heard.index("all Connected")


def test_a_listener_added_or_removed_mid_download_is_heard_or_not(qtbot, window, servers):
    address = local(servers.poetry(POEM, delay=0.01, num_bytes=100)[0])
    window.add_servers([address])
    heard: list[str] = []

    def listener(event: DeferredStep) -> None:
        heard.append(event.handler)

    window.commands.start_all.trigger()
    qtbot.waitUntil(lambda: status(window, address) == "Downloading", timeout=5000)
    window.events.on(DeferredStep, listener)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    assert heard == ["_succeeded"]

    window.events.off(DeferredStep, listener)
    window.commands.start_all.trigger()
    qtbot.waitUntil(lambda: status(window, address) == "Downloading", timeout=5000)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    assert heard == ["_succeeded"]
