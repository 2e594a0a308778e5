"""Ten thousand rows: pasted, saved and started, counted, cancelled while they wait their turn."""

from __future__ import annotations

import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
)

from app.downloads.events import Queued
from app.gui.commands.paced_adds import ADDS_PER_TURN
from app.gui.commands.paced_starts import STARTS_PER_TURN
from app.gui.table.model import (
    COLUMNS,
    ELAPSED,
    MAX_RUNS,
    PROGRESS,
    RECEIVED,
    SERVER,
    STATUS,
    ServerSortModel,
)
from app.gui.window_tick import REFRESH_INTERVAL_MS, refresh_interval_ms
from app.net.address import Address
from app.settings.store import load_settings
from tests import hostile
from tests.conftest import cell, local, settings_on_disk, status, statuses, view_model

# Every test ends with no reactor timer of its own still waiting.
pytestmark = pytest.mark.usefixtures("no_leftover_timers")


def far_addresses(count: int) -> list[Address]:
    """Addresses nothing is asked of: with a connection limit of 1 they only ever wait."""
    return [Address("127.0.0.2", port) for port in range(1, count + 1)]


def paste_and_ok(qtbot, window, addresses: list[Address], *, start: bool = False) -> None:
    """As a person: Add Servers, paste the addresses, wait for the check, press OK."""
    window.commands.add_servers.trigger()
    dialog = window.findChild(QDialog, "addServersDialog")
    dialog.findChild(QCheckBox, "startNowCheck").setChecked(start)
    edit = dialog.findChild(QPlainTextEdit, "addressesEdit")
    QApplication.clipboard().setText("\n".join(map(str, addresses)))
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key_V, Qt.ControlModifier)
    # Qt would still believe Ctrl held (see the window fixture): let go.
    qtbot.keyRelease(edit, Qt.Key_Control, Qt.NoModifier)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok)
    qtbot.waitUntil(lambda: not dialog.checking and ok.isEnabled(), timeout=10_000)
    qtbot.mouseClick(ok, Qt.LeftButton)


def shown(window) -> list[str]:
    return [str(cell(window, row, 0)) for row in range(view_model(window).rowCount())]


def test_ten_thousand_pasted_and_started_all_appear_and_all_start(qtbot, window, servers):
    stalled = local(servers.hostile(hostile.Stall))
    addresses = [stalled, *far_addresses(9_999)]
    window.downloads.set_limit(1)  # the stalled server holds the one connection
    window.commands.add_servers.trigger()
    dialog = window.findChild(QDialog, "addServersDialog")
    edit = dialog.findChild(QPlainTextEdit, "addressesEdit")
    assert dialog.findChild(QCheckBox, "startNowCheck").isChecked()
    QApplication.clipboard().setText("\n".join(map(str, addresses)))
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key_V, Qt.ControlModifier)
    qtbot.waitUntil(lambda: not dialog.checking, timeout=10_000)
    inserted: list[tuple[int, int]] = []
    view_model(window).rowsInserted.connect(
        lambda _parent, first, last: inserted.append((first, last))
    )
    qtbot.keyClick(edit, Qt.Key_Return, Qt.ControlModifier)
    # The rows come a slice per turn, in order, and start a slice per turn; none is lost.
    assert view_model(window).rowCount() < 10_000
    qtbot.waitUntil(lambda: view_model(window).rowCount() == 10_000, timeout=10_000)
    assert [cell(window, row, 0) for row in range(10_000)] == [str(a) for a in addresses]
    # Each slice went in below the one before, none bigger than a turn's share.
    sizes = [last + 1 - first for first, last in inserted]
    assert [first for first, _last in inserted] == [sum(sizes[:n]) for n in range(len(sizes))]
    assert len(sizes) > 1 and max(sizes) <= ADDS_PER_TURN
    qtbot.waitUntil(lambda: window.starts.waiting == 0, timeout=10_000)
    qtbot.waitUntil(lambda: status(window, stalled) == "Downloading", timeout=5000)
    assert statuses(window).count("Queued") == 9_999
    summary = window.findChild(QLabel, "statusSummary")
    qtbot.waitUntil(lambda: summary.text().startswith("1 downloading · 9999 queued"), timeout=1000)


def test_ten_thousand_pasted_rows_are_saved_and_remove_and_undo_work_on_them(qtbot, window):
    addresses = far_addresses(10_000)
    paste_and_ok(qtbot, window, addresses)
    qtbot.waitUntil(lambda: view_model(window).rowCount() == 10_000, timeout=10_000)
    assert shown(window) == [str(a) for a in addresses]
    assert set(statuses(window)) == {"Idle"}
    saved = settings_on_disk(qtbot, window)
    assert [s.address for s in saved.servers] == addresses

    window.activateWindow()  # the dialog has gone: back to the window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    window.table.setFocus()
    window.table.selectRow(4_999)
    qtbot.keyClick(window.table, Qt.Key_Delete)
    assert str(addresses[4_999]) not in shown(window)
    assert [s.address for s in settings_on_disk(qtbot, window).servers] == [
        *addresses[:4_999],
        *addresses[5_000:],
    ]
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)
    assert shown(window) == [str(a) for a in addresses]
    assert [s.address for s in settings_on_disk(qtbot, window).servers] == addresses


def test_closing_right_after_ok_saves_every_pasted_address(qtbot, window, config_dir):
    addresses = far_addresses(10_000)
    paste_and_ok(qtbot, window, addresses)
    assert view_model(window).rowCount() < 10_000  # still going in, a slice per turn
    window.close()
    # Nothing more runs: the file was written before close() returned, all of it.
    saved, message = load_settings(config_dir)
    assert message is None
    assert [s.address for s in saved.servers] == addresses


def test_an_address_listed_meanwhile_is_not_listed_twice(qtbot, window):
    addresses = far_addresses(5_000)
    paste_and_ok(qtbot, window, addresses)
    # A later launch hands over the last one while the paste is still going in.
    window.add_servers([addresses[-1]])
    qtbot.waitUntil(lambda: window.adds.waiting == 0, timeout=10_000)
    assert sorted(shown(window)) == sorted(map(str, addresses))
    assert shown(window).count(str(addresses[-1])) == 1


def test_a_removed_address_can_be_added_again_and_undo_brings_back_the_old_row(qtbot, window):
    first, second = far_addresses(2)
    window.add_servers([first, second])
    window.remove_rows(window.model.rows[:1])
    (again,) = window.add_servers([first])
    assert shown(window) == [str(second), str(first)]
    window.undo_remove()
    assert shown(window) == [str(first), str(second), str(first)]
    assert window.add_servers([first]) == [window.model.rows[0]]  # the first one listed counts
    window.remove_rows([again])
    assert window.add_servers([first]) == [window.model.rows[0]]


def test_pasted_rows_started_at_once_are_queued_in_the_order_given(qtbot, window, servers):
    stalled = local(servers.hostile(hostile.Stall))
    addresses = [stalled, *far_addresses(2_999)]
    queued: list[Address] = []
    window.events.subscribe(
        lambda event: queued.append(event.row.address) if isinstance(event, Queued) else None
    )
    window.downloads.set_limit(1)
    paste_and_ok(qtbot, window, addresses, start=True)
    qtbot.waitUntil(lambda: len(queued) == 3_000, timeout=10_000)
    assert queued == addresses
    qtbot.waitUntil(lambda: status(window, stalled) == "Downloading", timeout=5000)
    assert statuses(window) == ["Downloading", *["Queued"] * 2_999]


def test_cancel_while_rows_wait_their_turn_starts_none_of_them(qtbot, window, servers):
    stalled = local(servers.hostile(hostile.Stall))
    count = 3 * STARTS_PER_TURN
    window.add_servers([stalled, *far_addresses(count - 1)])
    window.downloads.set_limit(1)
    window.commands.start_all.trigger()
    assert window.starts.waiting == count  # they start from the next loop turn on
    window.table.selectAll()
    qtbot.keyClick(window.table, Qt.Key_Escape)
    qtbot.waitUntil(lambda: window.starts.waiting == 0, timeout=5000)
    shown = set(statuses(window))
    assert shown <= {"Idle", "Cancelled"}, shown
    assert window.downloads.running == 0


def test_removed_rows_counts_and_actions_follow_and_come_back_with_undo(qtbot, window, servers):
    refused = local(servers.refused())
    window.add_servers([refused, *far_addresses(3)], start=False)
    window.downloads.start(window.model.rows[:1])
    summary = window.findChild(QLabel, "statusSummary")
    qtbot.waitUntil(lambda: status(window, refused) == "Failed", timeout=5000)
    qtbot.waitUntil(lambda: "0 done · 1 failed" in summary.text(), timeout=1000)
    assert window.commands.retry_failed.isEnabled()
    window.table.selectRow(0)
    window.commands.remove.trigger()
    qtbot.waitUntil(lambda: "0 done · 0 failed" in summary.text(), timeout=1000)
    assert not window.commands.retry_failed.isEnabled()
    window.commands.undo.trigger()
    qtbot.waitUntil(lambda: "0 done · 1 failed" in summary.text(), timeout=1000)
    assert window.commands.retry_failed.isEnabled()


def test_running_rows_clocks_move_with_one_signal_per_refresh(qtbot, window, servers):
    stalled = local(servers.hostile(hostile.Stall))
    window.add_servers([*far_addresses(200), stalled])
    signals: list[tuple[int, int, int, int]] = []
    window.model.dataChanged.connect(
        lambda top, bottom, *_: signals.append(
            (top.row(), top.column(), bottom.row(), bottom.column())
        )
    )
    window.downloads.start(window.model.rows[-1:])
    qtbot.waitUntil(lambda: status(window, stalled) == "Downloading", timeout=5000)
    # The clocks of every row are one signal over their columns, never one per row.
    qtbot.waitUntil(lambda: signals.count((0, PROGRESS, 200, ELAPSED)) >= 2, timeout=3000)
    assert all(top == bottom == 200 for top, _, bottom, _ in signals if (top, bottom) != (0, 200))


def test_bytes_flowing_move_the_byte_columns_with_one_signal_per_tick(qtbot, window, servers):
    # Ten servers drip bytes for seconds: every tick, the Received cells grow,
    # through one signal over the byte and clock columns, never one per row.
    addresses = [
        local(servers.hostile(hostile.Drip, payload=b"x" * 300, gap=0.01, stall=True))
        for _ in range(10)
    ]
    window.add_servers(addresses, start=True)
    qtbot.waitUntil(lambda: set(statuses(window)) == {"Downloading"}, timeout=5000)
    signals: list[tuple[int, int, int, int]] = []
    window.model.dataChanged.connect(
        lambda top, bottom, *_: signals.append(
            (top.row(), top.column(), bottom.row(), bottom.column())
        )
    )
    # The tick after the last row connected says so: from the next one on, only bytes move.
    qtbot.waitUntil(lambda: bool(signals), timeout=2000)
    signals.clear()
    before = cell(window, 0, RECEIVED)
    qtbot.waitUntil(lambda: len(signals) >= 3, timeout=2000)
    assert cell(window, 0, RECEIVED) != before
    assert set(signals) == {(0, PROGRESS, 9, ELAPSED)}
    window.downloads.cancel_all()


def test_rows_changing_all_over_the_list_are_one_signal_not_one_each(qtbot, window):
    # Every other row of 300 is queued at once: 150 runs of one row, which
    # the next tick sends as one signal over all of them.
    window.downloads.set_limit(1)
    window.add_servers(far_addresses(300), start=False)
    qtbot.waitUntil(lambda: window.model.rowCount() == 300, timeout=5000)
    signals: list[tuple[int, int, int, int]] = []
    window.model.dataChanged.connect(
        lambda top, bottom, *_: signals.append(
            (top.row(), top.column(), bottom.row(), bottom.column())
        )
    )
    window.downloads.start(window.model.rows[::2])
    assert MAX_RUNS < 150  # the runs queued below
    qtbot.waitUntil(lambda: statuses(window).count("Queued") >= 149, timeout=2000)
    qtbot.waitUntil(lambda: bool(signals), timeout=2000)
    assert signals[0] == (0, STATUS, 298, len(COLUMNS) - 1)
    window.downloads.cancel_all()


def test_rows_sorted_by_server_are_not_sorted_again_as_their_statuses_change(
    qtbot, window, monkeypatch
):
    # Sorted by Server, rows changing all over the list are one signal over
    # all of them; the proxy re-sorts the rows of a signal that spans the
    # sort column, and an address never changes: no comparison at all.
    window.downloads.set_limit(1)
    window.add_servers(far_addresses(300), start=False)
    qtbot.waitUntil(lambda: window.model.rowCount() == 300, timeout=5000)
    window.table.sortByColumn(SERVER, Qt.AscendingOrder)
    comparisons = []
    less_than = ServerSortModel.lessThan

    def counted(self, left, right):
        comparisons.append((left.row(), right.row()))
        return less_than(self, left, right)

    monkeypatch.setattr(ServerSortModel, "lessThan", counted)
    before = statuses(window)
    with qtbot.waitSignal(window.model.refreshed, timeout=2000):  # the tick that tells the view
        window.downloads.start(window.model.rows[::2])
    after = statuses(window)
    assert [n for n in range(300) if after[n] != before[n]] == list(range(0, 300, 2))
    assert comparisons == []
    assert shown(window) == [str(address) for address in far_addresses(300)]
    # Sorted by Status, the rows still move as their statuses change: the
    # Queued ones, sorted last, come first once Cancelled.
    window.table.sortByColumn(STATUS, Qt.AscendingOrder)
    window.downloads.cancel_all()
    qtbot.waitUntil(lambda: "Queued" not in statuses(window), timeout=2000)
    qtbot.waitUntil(lambda: statuses(window) == sorted(statuses(window)), timeout=2000)
    assert statuses(window)[0] == "Cancelled"


def test_the_more_downloads_run_the_less_often_the_views_repaint():
    # 20 Hz for a few, then 10, 5 and 2.5 Hz from one, two and five thousand: never slower.
    assert refresh_interval_ms(0) == refresh_interval_ms(999) == REFRESH_INTERVAL_MS == 50
    assert refresh_interval_ms(1_000) == refresh_interval_ms(1_999) == 100
    assert refresh_interval_ms(2_000) == refresh_interval_ms(4_999) == 200
    assert refresh_interval_ms(5_000) == refresh_interval_ms(100_000) == 400
