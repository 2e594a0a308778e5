"""The window helps a person: undo, selection that follows the focus, a remembered mode."""

from __future__ import annotations

import pytest
from PyQt5.QtCore import QPoint, Qt
from PyQt5.QtGui import QPalette
from PyQt5.QtWidgets import (
    QAction,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDockWidget,
    QLabel,
    QPlainTextEdit,
)

from app.gui import MainWindow
from app.gui.colours import FAILED_COLOUR
from app.gui.commands.rows import UNDO_LEVELS
from app.gui.table.model import POEM as POEM_COLUMN
from tests import hostile
from tests.conftest import cell, local, settings_on_disk, statuses, view_model

pytestmark = pytest.mark.usefixtures("no_leftover_timers")

POEM = b"A poem worth keeping\nwhen its server is removed by mistake.\n"


def selected_view_rows(window: MainWindow) -> list[int]:
    return sorted(index.row() for index in window.table.selectionModel().selectedRows())


def addresses_shown(window: MainWindow) -> list[str]:
    return [str(cell(window, r, 0)) for r in range(view_model(window).rowCount())]


def test_delete_selects_the_next_row_and_ctrl_z_brings_back_the_rows_with_their_poems(
    qtbot, window, servers
):
    addresses = [local(servers.poetry(POEM)[0]) for _ in range(4)]
    window.add_servers(addresses, start=True)
    qtbot.waitUntil(lambda: statuses(window) == ["Done"] * 4, timeout=5000)
    undo = window.findChild(QAction, "actionUndo")
    assert undo.shortcut().toString() == "Ctrl+Z" and not undo.isEnabled()

    window.table.setFocus()
    window.table.selectRow(1)
    qtbot.keyClick(window.table, Qt.Key_Delete)

    assert addresses_shown(window) == [str(a) for a in (addresses[0], *addresses[2:])]
    # The row that took its place is selected, not only focused: Delete again works.
    assert selected_view_rows(window) == [1]
    assert window.commands.remove.isEnabled() and undo.isEnabled()
    assert "Ctrl+Z" in window.statusBar().currentMessage()
    saved = settings_on_disk(qtbot, window)
    assert [str(s.address) for s in saved.servers] == addresses_shown(window)

    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)

    assert addresses_shown(window) == [str(a) for a in addresses]
    assert selected_view_rows(window) == [1]
    assert window.poem_pane.view.toPlainText() == POEM.decode()
    assert not undo.isEnabled()
    saved = settings_on_disk(qtbot, window)
    assert [s.address for s in saved.servers] == addresses


def test_ctrl_z_again_and_again_brings_back_each_removal_latest_first(qtbot, window, servers):
    poems = [f"Poem {n}\nkept by its row\n".encode() for n in range(4)]
    addresses = [local(servers.poetry(poem)[0]) for poem in poems]
    window.add_servers(addresses, start=True)
    qtbot.waitUntil(lambda: statuses(window) == ["Done"] * 4, timeout=5000)
    undo = window.commands.undo
    titles = {str(a): f"Poem {n}" for n, a in enumerate(addresses)}

    def shown() -> list[tuple[str, str]]:
        rows = enumerate(addresses_shown(window))
        return [(address, str(cell(window, r, POEM_COLUMN))) for r, address in rows]

    window.table.setFocus()
    window.table.selectRow(1)
    qtbot.keyClick(window.table, Qt.Key_Delete)
    qtbot.keyClick(window.table, Qt.Key_Delete)
    assert addresses_shown(window) == [str(addresses[0]), str(addresses[3])]

    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)
    # The latest removal first, back in its place, with its poem.
    assert addresses_shown(window) == [str(a) for a in (addresses[0], *addresses[2:])]
    assert shown() == [(a, titles[a]) for a in addresses_shown(window)]
    assert selected_view_rows(window) == [1] and undo.isEnabled()

    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)
    assert addresses_shown(window) == [str(a) for a in addresses]
    assert shown() == [(a, titles[a]) for a in addresses_shown(window)]
    assert selected_view_rows(window) == [1]
    assert window.poem_pane.view.toPlainText() == poems[1].decode()
    assert not undo.isEnabled()
    saved = settings_on_disk(qtbot, window)
    assert [s.address for s in saved.servers] == addresses


def test_undo_keeps_the_latest_removals_only(qtbot, window):
    addresses = [local(port) for port in range(9, 9 + UNDO_LEVELS + 2)]
    window.add_servers(addresses)
    window.table.setFocus()
    for _removal in range(UNDO_LEVELS + 1):
        window.table.selectRow(0)
        qtbot.keyClick(window.table, Qt.Key_Delete)
    assert addresses_shown(window) == [str(addresses[-1])]
    for _undo in range(UNDO_LEVELS):
        assert window.commands.undo.isEnabled()
        qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)
    # The first removal was forgotten: its row stays away, and Undo has no more to give.
    assert addresses_shown(window) == [str(a) for a in addresses[1:]]
    assert not window.commands.undo.isEnabled()
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)
    assert addresses_shown(window) == [str(a) for a in addresses[1:]]


def test_removing_the_last_rows_selects_the_new_last_one(qtbot, window):
    window.add_servers(local(port) for port in (9, 10, 11))
    window.table.selectRow(1)
    qtbot.keyClick(window.table, Qt.Key_Down, Qt.ShiftModifier)
    assert selected_view_rows(window) == [1, 2]
    window.commands.remove.trigger()
    assert addresses_shown(window) == [str(local(9))]
    assert selected_view_rows(window) == [0]


def test_the_row_in_focus_at_start_up_is_selected_so_its_actions_work(qtbot, servers, config_dir):
    first = MainWindow(config_dir=config_dir)
    first.add_servers([local(servers.poetry(POEM)[0]), local(9)])
    first.close()

    window = MainWindow(config_dir=config_dir)
    qtbot.addWidget(window)
    window.show()
    try:
        window.activateWindow()
        window.table.setFocus()
        qtbot.waitUntil(
            lambda: window.table.selectionModel().currentIndex().isValid(), timeout=1000
        )
        # Wherever the focus frame is, that row is selected and the actions agree.
        current = window.table.selectionModel().currentIndex().row()
        assert selected_view_rows(window) == [current]
        assert window.commands.start.isEnabled() and window.commands.remove.isEnabled()
    finally:
        window.close()


def test_the_mode_shows_its_check_mark_and_is_remembered(qtbot, config_dir):
    window = MainWindow(config_dir=config_dir)
    qtbot.addWidget(window)
    one = window.findChild(QAction, "actionModeOneAtATime")
    reactor = window.findChild(QAction, "actionModeReactor")
    assert reactor.isChecked() and not one.isChecked()
    # In the menu the radio mark shows, not an icon in its place.
    assert not one.isIconVisibleInMenu() and not reactor.isIconVisibleInMenu()
    one.trigger()
    window.close()

    again = MainWindow(config_dir=config_dir)
    qtbot.addWidget(again)
    try:
        assert again.findChild(QAction, "actionModeOneAtATime").isChecked()
        combo = again.findChild(QComboBox, "startModeCombo")
        assert combo.currentText() == "One at a Time (Blocking Client)"
    finally:
        again.close()


def open_add_dialog(qtbot, window: MainWindow) -> QDialog:
    qtbot.keyClick(window.table, Qt.Key_N, Qt.ControlModifier)
    dialog = window.findChild(QDialog, "addServersDialog")
    qtbot.waitUntil(dialog.isVisible, timeout=1000)
    # A window manager activates a new dialog; the offscreen platform needs asking.
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=1000)
    return dialog


def test_ctrl_return_in_the_list_adds_the_servers(qtbot, window):
    dialog = open_add_dialog(qtbot, window)
    edit = dialog.findChild(QPlainTextEdit, "addressesEdit")
    dialog.findChild(QCheckBox, "startNowCheck").setChecked(False)
    edit.setFocus()
    qtbot.keyClicks(edit, "9, 10")
    qtbot.keyClick(edit, Qt.Key_Return, Qt.ControlModifier)
    assert addresses_shown(window) == [str(local(9)), str(local(10))]
    assert not dialog.isVisible()


def test_ctrl_return_with_a_bad_line_keeps_the_dialog_and_marks_the_line(qtbot, window):
    dialog = open_add_dialog(qtbot, window)
    edit = dialog.findChild(QPlainTextEdit, "addressesEdit")
    edit.setPlainText("9\nnot an address:x\n10")
    qtbot.keyClick(edit, Qt.Key_Return, Qt.ControlModifier)
    assert dialog.isVisible() and addresses_shown(window) == []
    assert [m.cursor.blockNumber() for m in edit.extraSelections()] == [1]
    assert "line 2" in dialog.findChild(QLabel, "problemLabel").text()


def test_return_in_the_encoding_box_adds_once_the_first_time(qtbot, window):
    dialog = open_add_dialog(qtbot, window)
    dialog.findChild(QPlainTextEdit, "addressesEdit").setPlainText("9")
    dialog.findChild(QCheckBox, "startNowCheck").setChecked(False)
    chosen: list[object] = []
    dialog.serversChosen.connect(lambda *args: chosen.append(args))
    combo = dialog.findChild(QComboBox, "encodingCombo")
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key_Return)
    assert len(chosen) == 1 and addresses_shown(window) == [str(local(9))]
    assert not dialog.isVisible()


def test_alt_o_presses_ok_and_the_dialog_says_how_many_will_be_added(qtbot, window):
    dialog = open_add_dialog(qtbot, window)
    edit = dialog.findChild(QPlainTextEdit, "addressesEdit")
    dialog.findChild(QCheckBox, "startNowCheck").setChecked(False)
    edit.setPlainText("9 10 11")
    assert dialog.findChild(QLabel, "problemLabel").text() == "3 servers will be added."
    qtbot.keyClick(edit, Qt.Key_O, Qt.AltModifier)
    assert edit.toPlainText() == "9 10 11"
    # A mnemonic presses its button as a click would, pressed and released.
    expected = [str(local(p)) for p in (9, 10, 11)]
    qtbot.waitUntil(lambda: addresses_shown(window) == expected, timeout=1000)


def test_starting_one_row_keeps_the_other_lanes_and_clears_the_last_verdict(qtbot, window, servers):
    addresses = [local(servers.poetry(POEM, delay=0.05, num_bytes=20)[0]) for _ in range(2)]
    window.add_servers(addresses)
    window.commands.start_all.trigger()
    qtbot.waitUntil(lambda: statuses(window) == ["Done"] * 2, timeout=5000)
    qtbot.waitUntil(lambda: "2 poems in" in window.statusBar().currentMessage(), timeout=1000)

    window.table.selectRow(0)
    window.commands.start.trigger()
    assert window.statusBar().currentMessage() == ""  # no verdict of the last batch meanwhile

    view = window.timeline_dock.view
    table = window.table
    y = table.rowViewportPosition(1) + table.rowHeight(1) // 2
    y = view.mapFromGlobal(table.viewport().mapToGlobal(QPoint(0, y))).y()
    tips = [view.toolTipAt(QPoint(x, y)) for x in range(view.width())]
    assert any(tip and tip.startswith(str(addresses[1])) for tip in tips)
    qtbot.waitUntil(lambda: statuses(window)[0] == "Done", timeout=5000)


def reddish_pixels(window: MainWindow, view_row: int) -> int:
    """How many pixels of the row's Progress cell, as painted, are a failure's red."""
    table = window.table
    rect = table.visualRect(view_model(window).index(view_row, 2))
    image = table.viewport().grab(rect).toImage()
    red = FAILED_COLOUR
    return sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if abs(image.pixelColor(x, y).red() - red.red()) < 30
        and abs(image.pixelColor(x, y).green() - red.green()) < 30
        and abs(image.pixelColor(x, y).blue() - red.blue()) < 30
    )


def test_a_failed_rows_bar_is_red_and_a_healthy_ones_is_not(qtbot, window, servers):
    good = local(servers.poetry(POEM)[0])
    refused = local(servers.refused())
    window.add_servers([good, refused], start=True)
    qtbot.waitUntil(lambda: statuses(window) == ["Done", "Failed"], timeout=5000)
    window.failure_dialog.close()
    window.table.clearSelection()
    assert reddish_pixels(window, 1) > 100
    assert reddish_pixels(window, 0) == 0


def test_a_selected_rows_progress_cell_is_selected_around_its_bar(qtbot, window):
    # A selected row stays visibly selected in its Progress cell, around the painted bar.
    window.add_servers([local(9), local(10)])
    window.table.setFocus()
    window.table.selectRow(1)
    table = window.table
    highlight = table.palette().color(QPalette.Active, QPalette.Highlight).rgb()

    def margin_colour(view_row: int) -> int:
        rect = table.visualRect(view_model(window).index(view_row, 2))
        image = table.viewport().grab(rect).toImage()
        return int(image.pixel(0, image.height() // 2))

    qtbot.waitUntil(lambda: margin_colour(1) == highlight, timeout=1000)
    assert margin_colour(0) != highlight


def test_shift_f10_opens_the_row_menu_under_the_current_row(qtbot, window):
    window.add_servers([local(9), local(10)])
    window.table.setFocus()
    window.table.selectRow(1)
    qtbot.keyClick(window.table, Qt.Key_F10, Qt.ShiftModifier)
    menu = window.row_menu
    qtbot.waitUntil(menu.isVisible, timeout=1000)
    row = window.table.visualRect(view_model(window).index(1, 0))
    under_row = window.table.viewport().mapToGlobal(row.bottomLeft())
    assert (menu.pos() - under_row).manhattanLength() < 10
    menu.close()


@pytest.mark.parametrize("with_log", [False, True], ids=["docks", "docks-and-log"])
def test_at_800_by_500_the_table_keeps_its_first_columns_three_rows_and_the_whole_toolbar(
    qtbot, window, with_log
):
    window.add_servers(local(port) for port in range(9, 19))
    window.resize(800, 500)
    qtbot.waitUntil(lambda: window.width() == 800 and window.height() == 500, timeout=1000)
    if with_log:  # opened in the small window, it gives way too
        window.findChild(QAction, "actionShowLog").trigger()
        log = window.findChild(QDockWidget, "logDock")
        qtbot.waitUntil(lambda: log.height() <= 500 * 0.25 + 1, timeout=1000)
    QApplication.processEvents()

    table = window.table
    viewport = table.viewport()
    header = table.horizontalHeader()
    for column in (0, 1, 2):
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert right <= viewport.width(), f"column {column} is cut off"
    assert header.sectionSize(2) >= 100  # the bar itself, not a sliver
    assert viewport.height() >= 3 * table.rowHeight(0)
    toolbar = window.toolbar
    for action in toolbar.actions():
        if not action.isSeparator():
            button = toolbar.widgetForAction(action)
            assert button is not None and button.isVisible(), action.objectName()
            assert button.geometry().right() <= toolbar.width()


def test_removing_the_running_row_ends_its_batch_on_the_timeline(qtbot, window, servers):
    stalled = local(servers.hostile(hostile.Stall))
    window.add_servers([stalled], start=True)
    summary = window.findChild(QLabel, "timelineSummary")
    qtbot.waitUntil(lambda: "running for" in summary.text(), timeout=5000)
    window.table.selectRow(0)
    window.commands.remove.trigger()
    qtbot.waitUntil(lambda: "running" not in summary.text(), timeout=1000)
    assert window.statusBar().currentMessage() == "Removed 1 server; Ctrl+Z brings it back"


def test_a_long_status_message_is_shortened_before_the_counts_not_cut_into_them(qtbot, window):
    window.resize(800, 500)
    qtbot.waitUntil(lambda: window.width() == 800, timeout=1000)
    verdict = "7 poems (1 failed) in 17.9 s; one at a time would take 36.7 s — 2.0× faster"
    window.statusBar().showMessage(verdict)
    shown = window.statusBar().currentMessage()
    assert shown.endswith("…") and verdict.startswith(shown[:-1])
    summary = window.findChild(QLabel, "statusSummary")
    assert window.statusBar().fontMetrics().horizontalAdvance(shown) < summary.x()
    assert window.statusBar().toolTip() == verdict
