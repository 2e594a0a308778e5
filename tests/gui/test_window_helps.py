"""The window helps a person: undo, selection that follows the focus, a remembered mode."""

from __future__ import annotations

import json

import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QAction, QComboBox

from app.gui import MainWindow
from tests.conftest import cell, local, statuses, view_model

pytestmark = pytest.mark.usefixtures("no_leftover_timers")

POEM = b"A poem worth keeping\nwhen its server is removed by mistake.\n"


def selected_view_rows(window: MainWindow) -> list[int]:
    return sorted(index.row() for index in window.table.selectionModel().selectedRows())


def addresses_shown(window: MainWindow) -> list[str]:
    return [str(cell(window, r, 0)) for r in range(view_model(window).rowCount())]


def test_delete_selects_the_next_row_and_ctrl_z_brings_back_the_rows_with_their_poems(
    qtbot, window, servers, config_dir
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
    saved = json.loads((config_dir / "settings.json").read_text())
    assert [s["address"] for s in saved["servers"]] == addresses_shown(window)

    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)

    assert addresses_shown(window) == [str(a) for a in addresses]
    assert selected_view_rows(window) == [1]
    assert window.poem_pane.view.toPlainText() == POEM.decode()
    assert not undo.isEnabled()
    saved = json.loads((config_dir / "settings.json").read_text())
    assert [s["address"] for s in saved["servers"]] == [str(a) for a in addresses]


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
        qtbot.waitUntil(lambda: window.table.selectionModel().currentIndex().isValid(), timeout=1000)
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
