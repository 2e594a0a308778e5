"""The rest of the window: demo servers, actions, the context menu, saving, big poems."""

from __future__ import annotations

import time

import pytest
from PyQt5.QtCore import Qt, QTimer
from PyQt5.QtWidgets import (
    QAction,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QMenu,
    QPlainTextEdit,
    QSpinBox,
)

from app.net.address import Address
from tests import hostile
from tests.conftest import cell, local, settings_on_disk, status, statuses, view_model

# Every test ends with no reactor timer of its own still waiting.
pytestmark = pytest.mark.usefixtures("no_leftover_timers")


def test_demo_bars_move_within_a_second_and_one_demo_fails(qtbot, window):
    rows = window.start_demo()
    assert len(rows) >= 3
    assert view_model(window).rowCount() == len(rows)
    assert all(cell(window, r, 2, Qt.UserRole) is not None for r in range(len(rows)))
    started = time.monotonic()
    qtbot.waitUntil(
        lambda: any((cell(window, r, 2, Qt.UserRole) or 0) > 0 for r in range(len(rows))),
        timeout=1000,
    )
    assert time.monotonic() - started < 1.0
    qtbot.waitUntil(lambda: "Failed" in statuses(window), timeout=10_000)
    window.close()
    assert window.demo.servers == []


def test_actions_follow_selection_and_row_states(qtbot, window, servers):
    a = window.commands
    stalled = local(servers.hostile(hostile.Stall))
    window.add_servers([stalled, Address("127.0.0.1", 9)])
    assert not a.remove.isEnabled() and not a.start.isEnabled() and not a.cancel.isEnabled()
    assert a.start_all.isEnabled() and not a.retry_failed.isEnabled()
    window.table.selectRow(0)
    assert a.remove.isEnabled() and a.start.isEnabled() and not a.cancel.isEnabled()
    a.start.trigger()
    qtbot.waitUntil(lambda: status(window, stalled) == "Downloading", timeout=5000)
    qtbot.waitUntil(lambda: a.cancel.isEnabled() and not a.start.isEnabled(), timeout=1000)
    assert not a.save_poem.isEnabled() and not a.show_error.isEnabled()
    shortcuts = {
        action.objectName(): action.shortcut().toString()
        for action in (a.add_servers, a.remove, a.start, a.cancel, a.save_poem, a.quit)
    }
    assert shortcuts == {
        "actionAddServers": "Ctrl+N",
        "actionRemove": "Del",
        "actionStart": "Return",
        "actionCancel": "Esc",
        "actionSavePoem": "Ctrl+S",
        "actionQuit": "Ctrl+Q",
    }
    assert "F5" in [key.toString() for key in a.start.shortcuts()]
    # The keys work from the table, where a person's focus is.
    qtbot.keyClick(window.table, Qt.Key_Escape)
    assert status(window, stalled) == "Cancelled"
    assert a.start.isEnabled()
    qtbot.keyClick(window.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: status(window, stalled) == "Downloading", timeout=5000)
    menu_names = [action.objectName() for action in window.row_menu.actions()]
    assert {"actionStart", "actionCancel", "actionShowError", "actionRemove"} <= set(menu_names)


def test_show_error_reopens_an_acknowledged_failure(qtbot, window, servers):
    address = local(servers.hostile(hostile.CloseAtOnce))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Failed", timeout=5000)
    dialog = window.findChild(QDialog, "failureDialog")
    qtbot.waitUntil(dialog.isVisible, timeout=1000)
    dialog.reject()  # acknowledged: the list empties, the row keeps its failure
    listed = dialog.failure_list.model()
    assert listed.rowCount() == 0 and not dialog.isVisible()
    window.table.selectRow(0)
    assert window.commands.show_error.isEnabled()
    window.commands.show_error.trigger()
    assert dialog.isVisible() and listed.rowCount() == 1
    assert "EmptyPoemError" in dialog.findChild(QPlainTextEdit, "tracebackView").toPlainText()
    dialog.copy_button.click()
    from PyQt5.QtWidgets import QApplication

    assert "empty poem" in QApplication.clipboard().text()


def test_save_poem_as_writes_utf8(qtbot, window, servers, tmp_path):
    poem = "Ἐν ἀρχῇ ἦν ὁ λόγος — 静夜思\n"
    address = local(servers.bytes(poem.encode()))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    window.table.selectRow(0)
    window.commands.save_poem.trigger()
    dialog = window.findChild(QFileDialog, "savePoemDialog")
    assert dialog is not None and dialog.isVisible()
    target = tmp_path / "saved.txt"
    dialog.selectFile(str(target))
    dialog.accept()
    assert target.read_bytes() == poem.encode("utf-8")


def test_preferences_change_the_connection_limit(qtbot, window):
    window.commands.preferences.trigger()
    dialog = window.findChild(QDialog, "preferencesDialog")
    spin = dialog.findChild(QSpinBox, "connectionLimitSpin")
    assert spin.value() == 50
    spin.setValue(3)
    dialog.accept()
    assert window.downloads.limit == 3
    assert settings_on_disk(qtbot, window).connection_limit == 3


def test_ten_megabyte_poem_is_shown_without_freezing(qtbot, window, servers):
    line = "The quick brown fox jumps over the lazy dog, again and again.\n"
    poem = line * (10 * 2**20 // len(line))
    address = local(servers.bytes(poem.encode(), chunk=2**20))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=10_000)
    view = window.findChild(QPlainTextEdit, "poemView")
    gaps: list[float] = []
    last = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    heartbeat = QTimer()
    heartbeat.timeout.connect(tick)
    heartbeat.start(10)
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: view.document().characterCount() == len(poem) + 1, timeout=10_000)
    heartbeat.stop()
    assert view.toPlainText() == poem  # all of it, nothing truncated
    assert max(gaps) < 0.25, f"the window froze for {max(gaps):.2f} s"


def test_a_long_poem_with_crlf_line_ends_shows_each_line_end_once(qtbot, window, servers):
    # 3-character lines: 2**17 + 1 is a multiple of 3, so the first slice ends mid-CRLF.
    line = "I\r\n"
    poem = line * (3 * 2**17 // len(line))
    address = local(servers.bytes(poem.encode()))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=10_000)
    view = window.findChild(QPlainTextEdit, "poemView")
    window.table.selectRow(0)
    shown = poem.replace("\r\n", "\n")
    qtbot.waitUntil(lambda: view.document().characterCount() >= len(shown) + 1, timeout=10_000)
    assert view.toPlainText() == shown
    assert "\u240d" not in view.toPlainText()  # no CR shown as a picture


def test_sorting_by_received_sorts_numbers_not_text(qtbot, window, servers):
    sizes = [900, 10_000, 5]
    addresses = [local(servers.bytes(b"x" * size)) for size in sizes]
    window.add_servers(addresses, start=True)
    qtbot.waitUntil(lambda: statuses(window) == ["Done"] * 3, timeout=5000)
    window.table.sortByColumn(3, Qt.AscendingOrder)
    shown = [cell(window, row, 0) for row in range(3)]
    assert shown == [str(addresses[2]), str(addresses[0]), str(addresses[1])]
    assert [cell(window, row, 2, Qt.UserRole) for row in range(3)] == [1.0, 1.0, 1.0]


def test_rows_sorted_by_bytes_hold_their_places_until_the_header_is_clicked_again(
    qtbot, window, servers
):
    # Sorted by Received, the rows do not jump as bytes come (re-sorting
    # thousands on every tick froze the window); a click sorts them anew.
    stalled = local(servers.hostile(hostile.Stall, prefix=b"And then"))
    late = local(servers.hostile(hostile.Chunks, chunks=[b"x", b"y" * 100], gap=0.6))
    window.add_servers([stalled, late], start=True)
    qtbot.waitUntil(
        lambda: [cell(window, row, 3) for row in range(2)] == ["8 bytes", "1 byte"], timeout=5000
    )
    window.table.sortByColumn(3, Qt.AscendingOrder)
    order = [cell(window, row, 0) for row in range(2)]
    assert order == [str(late), str(stalled)]
    qtbot.waitUntil(lambda: status(window, late) == "Done", timeout=5000)
    assert [cell(window, row, 0) for row in range(2)] == order
    assert cell(window, 0, 3) == "101 bytes"
    window.table.sortByColumn(3, Qt.AscendingOrder)
    assert [cell(window, row, 0) for row in range(2)] == [str(stalled), str(late)]
    # Sorted by Status, the order still follows the statuses as they change.
    window.table.sortByColumn(1, Qt.AscendingOrder)
    assert [cell(window, row, 1) for row in range(2)] == ["Done", "Downloading"]
    window.downloads.cancel_all()
    qtbot.waitUntil(
        lambda: [cell(window, row, 1) for row in range(2)] == ["Cancelled", "Done"], timeout=2000
    )


def test_about_box_says_what_the_program_is_without_blocking(qtbot, window):
    from PyQt5.QtWidgets import QAction, QMessageBox

    from app import __version__

    window.findChild(QAction, "actionAbout").trigger()

    box = window.findChild(QMessageBox, "messageBox")
    assert box.isVisible() and not box.isModal()
    assert f"Poetry Downloader {__version__}" in box.text()
    assert "Twisted" in box.text()
    box.close()


def test_demo_server_pace_opens_from_the_settings_menu_without_blocking(qtbot, window):
    window.start_demo()
    action = window.findChild(QAction, "actionDemoPace")
    menus = {menu.title(): menu for menu in window.menuBar().findChildren(QMenu)}
    assert action in menus["S&ettings"].actions()
    action.trigger()
    dialog = window.findChild(QDialog, "demoPaceDialog")
    qtbot.waitUntil(dialog.isVisible, timeout=1000)
    assert not dialog.isModal()
    ports = {server.address.port for server in window.demo.servers}
    delays = dialog.findChildren(QDoubleSpinBox)
    assert {int(spin.objectName().removeprefix("paceDelay-")) for spin in delays} == ports
    # The downloads go on while the dialog is open.
    qtbot.waitUntil(lambda: "Done" in statuses(window), timeout=5000)
