"""Adding servers through the Add Servers dialog, typed or pasted."""

from __future__ import annotations

import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QPlainTextEdit

from app.address import Address
from app.gui import MainWindow
from tests.gui.conftest import cell, local, status, statuses, view_model

# Every test ends with no reactor timer of its own still waiting.
pytestmark = pytest.mark.usefixtures("no_leftover_timers")


def open_dialog(window: MainWindow) -> QDialog:
    window.commands.add_servers.trigger()
    dialog = window.findChild(QDialog, "addServersDialog")
    assert dialog is not None and dialog.isVisible()
    assert not dialog.isModal() or dialog.windowModality() != Qt.ApplicationModal
    return dialog


def ok_button(dialog: QDialog):
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok)


def problems(dialog: QDialog) -> str:
    return dialog.findChild(QLabel, "problemLabel").text()


def test_typed_address_is_added_and_downloaded(qtbot, window, servers):
    port, _ = servers.poetry(b"Typed in by hand.\n")
    address = local(port)
    dialog = open_dialog(window)
    edit = dialog.findChild(QPlainTextEdit, "addressesEdit")
    assert not ok_button(dialog).isEnabled()
    qtbot.keyClicks(edit, str(address))
    assert ok_button(dialog).isEnabled(), problems(dialog)
    qtbot.mouseClick(ok_button(dialog), Qt.LeftButton)
    assert view_model(window).rowCount() == 1
    assert cell(window, 0, 0) == str(address)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)


def test_invalid_address_keeps_ok_disabled_and_says_why(qtbot, window):
    dialog = open_dialog(window)
    edit = dialog.findChild(QPlainTextEdit, "addressesEdit")
    edit.setPlainText("10000\nlocalhost:99999\n")
    assert not ok_button(dialog).isEnabled()
    assert "line 2" in problems(dialog)
    assert "99999 is outside 1-65535" in problems(dialog)
    edit.setPlainText("10000\nlocalhost:9999\n")
    assert ok_button(dialog).isEnabled()
    assert problems(dialog) == ""


def test_unknown_encoding_is_refused(qtbot, window):
    dialog = open_dialog(window)
    dialog.findChild(QPlainTextEdit, "addressesEdit").setPlainText("10000")
    combo = dialog.findChild(QComboBox, "encodingCombo")
    combo.setEditText("klingon-8")
    assert not ok_button(dialog).isEnabled()
    assert "unknown encoding 'klingon-8'" in problems(dialog)
    combo.setEditText("latin-1")
    assert ok_button(dialog).isEnabled()


def test_duplicates_are_refused_with_a_message(qtbot, window):
    window.add_servers([Address("127.0.0.1", 10000)])
    dialog = open_dialog(window)
    edit = dialog.findChild(QPlainTextEdit, "addressesEdit")
    edit.setPlainText("127.0.0.1:10000")
    assert not ok_button(dialog).isEnabled()
    assert "127.0.0.1:10000 is already in the list" in problems(dialog)
    edit.setPlainText("10001 127.0.0.1:10001")
    assert not ok_button(dialog).isEnabled()
    assert "127.0.0.1:10001 is given twice" in problems(dialog)


def test_pasted_list_with_commas_and_new_lines(qtbot, window):
    dialog = open_dialog(window)
    dialog.findChild(QPlainTextEdit, "addressesEdit").insertPlainText(
        "10001, 10002,10003\n  localhost:10004\n\n[::1]:10005 example.org:10006,\n"
    )
    dialog.findChild(QComboBox, "encodingCombo").setCurrentText("latin-1")
    dialog.findChild(type(dialog.start_check), "startNowCheck").setChecked(False)
    assert ok_button(dialog).isEnabled(), problems(dialog)
    ok_button(dialog).click()
    assert statuses(window) == ["Idle"] * 6
    assert [cell(window, row, 0) for row in range(6)] == [
        "127.0.0.1:10001",
        "127.0.0.1:10002",
        "127.0.0.1:10003",
        "localhost:10004",
        "[::1]:10005",
        "example.org:10006",
    ]
    assert {row.encoding for row in window.model.rows} == {"iso8859-1"}
