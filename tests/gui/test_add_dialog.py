"""Adding servers through the Add Servers dialog, typed or pasted."""

from __future__ import annotations

import time
from collections.abc import Iterable

import pytest
from PyQt5.QtCore import QEvent, QObject, Qt, QTimer
from PyQt5.QtGui import QTextCursor
from PyQt5.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.gui import MainWindow
from app.net.address import Address
from tests.conftest import cell, local, status, statuses, view_model

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
    assert problems(dialog) == "2 servers will be added."


# Codecs that turn bytes into bytes or text into text, or read domain names.
NOT_TEXT = {"base64", "rot13", "zlib", "punycode"}


# A made-up name, codecs that are no text encoding for a poem, and nothing.
@pytest.mark.parametrize("name", ["klingon-8", "base64", "rot13", "zlib", "punycode", ""])
def test_unknown_or_non_text_encoding_is_refused(qtbot, window, name):
    dialog = open_dialog(window)
    dialog.findChild(QPlainTextEdit, "addressesEdit").setPlainText("10000")
    combo = dialog.findChild(QComboBox, "encodingCombo")
    retype(qtbot, combo, name)
    assert combo.currentText() == name
    assert not ok_button(dialog).isEnabled()
    refusal = f"{name!r} is not a text encoding for poems" if name in NOT_TEXT else None
    assert problems(dialog) == f"encoding: {refusal or f'unknown encoding {name!r}'}"
    retype(qtbot, combo, "latin-1")
    assert ok_button(dialog).isEnabled()
    assert problems(dialog) == "1 server will be added."


def retype(qtbot, combo: QComboBox, text: str) -> None:
    """Select what the editable combo box says, delete it, type ``text``."""
    combo.lineEdit().selectAll()
    qtbot.keyClick(combo.lineEdit(), Qt.Key_Delete)
    qtbot.keyClicks(combo.lineEdit(), text)


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


def test_a_paste_replaces_the_selection_and_one_undo_takes_it_back(qtbot, window):
    dialog = open_dialog(window)
    edit = dialog.findChild(QPlainTextEdit, "addressesEdit")
    edit.setPlainText("10000\n10001")
    edit.setFocus()
    cursor = edit.textCursor()
    cursor.setPosition(len("10000\n"))
    cursor.movePosition(QTextCursor.End, QTextCursor.KeepAnchor)
    edit.setTextCursor(cursor)
    QApplication.clipboard().setText("10002\n10003\n")
    qtbot.keyClick(edit, Qt.Key_V, Qt.ControlModifier)
    assert edit.toPlainText() == "10000\n10002\n10003\n"
    assert edit.textCursor().position() == len(edit.toPlainText())
    assert ok_button(dialog).isEnabled(), problems(dialog)
    qtbot.keyClick(edit, Qt.Key_Z, Qt.ControlModifier)
    assert edit.toPlainText() == "10000\n10001"


class Heartbeat:
    """A 10 ms timer that remembers the longest gap between its ticks: how long the loop froze."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._last = time.monotonic()
        self._timer = QTimer()
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._timer.start(10)

    def _tick(self) -> None:
        now = time.monotonic()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def stop(self) -> float:
        """Stop; return the longest gap in seconds, counting the stretch since the last tick."""
        self._tick()
        self._timer.stop()
        return self.longest

    def next_tick(self, qtbot: QtBot) -> None:
        """Wait for the next tick: the event loop is free again, and the gap until now measured."""
        with qtbot.waitSignal(self._timer.timeout, timeout=1000):
            pass


class Paints(QObject):
    """Counts a widget's paint events, and remembers the count when the model last grew."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        self.when_rows_came = 0
        widget.installEventFilter(self)

    def rows_inserted(self, *_: object) -> None:
        self.when_rows_came = self.count

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Paint:
            self.count += 1
        return False


def many_addresses(count: int) -> list[tuple[str, str]]:
    """Distinct addresses in every spelling: (as pasted, as the table shows it)."""
    addresses = []
    for i in range(count):
        port = 1024 + i
        spellings = [
            (str(port), f"127.0.0.1:{port}"),
            (f"10.{i >> 8 & 255}.{i & 255}.7:{port}",) * 2,
            (f"poet-{i}.example.org:{port}",) * 2,
            (f"[fd00:0:0:0::{i:x}]:{port}", f"[fd00::{i:x}]:{port}"),
        ]
        addresses.append(spellings[i % len(spellings)])
    return addresses


#: Mistakes at known lines of the pasted list, and what the dialog says about each.
MISTAKES = {
    3: ("localhost:99999", "'localhost:99999': port 99999 is outside 1-65535"),
    250: ("example.org", "'example.org': missing port, as in example.org:10000"),
    1_001: ("poet:sonnet", "'poet:sonnet': port 'sonnet' is not a number"),
    2_500: ("garbage#!", "'garbage#!': 'garbage#!' is not a valid host name"),
    4_000: ("[::1:10000", "'[::1:10000': unbalanced brackets; write [IPv6]:PORT"),
    6_000: ("[fe80::1]", "'[fe80::1]': missing port after the brackets, as in [fe80::1]:10000"),
    8_000: ("1024", "127.0.0.1:1024 is given twice"),  # line 1 says 1024 too
    9_999: ("65536", "'65536': port 65536 is outside 1-65535"),
    10_007: ("0", "'0': port 0 is outside 1-65535"),
}


def delete_line(qtbot: QtBot, heartbeat: Heartbeat, edit: QPlainTextEdit, number: int) -> None:
    """Put the cursor at the start of line ``number``, select down to the next line, Delete."""
    edit.setTextCursor(QTextCursor(edit.document().findBlockByNumber(number - 1)))
    qtbot.keyClick(edit, Qt.Key_Down, Qt.ShiftModifier)
    type_as_a_person(qtbot, heartbeat, edit, [Qt.Key_Delete])


def type_as_a_person(
    qtbot: QtBot, heartbeat: Heartbeat, widget: QWidget, keys: Iterable[str | Qt.Key]
) -> None:
    """Press each key (a character or a ``Qt.Key``) with a moment between, as fingers do.

    The moment lasts until the heartbeat ticks: the window has had the event
    loop back, so each keystroke's cost is measured on its own.
    """
    for key in keys:
        if isinstance(key, str):
            qtbot.keyClicks(widget, key)
        else:
            qtbot.keyClick(widget, key)
        heartbeat.next_tick(qtbot)


def test_ten_thousand_pasted_addresses_keep_the_window_responsive(qtbot, window, record_property):
    addresses = many_addresses(10_000)
    lines = [pasted for pasted, _ in addresses]
    for number, (mistake, _) in sorted(MISTAKES.items()):
        lines.insert(number - 1, mistake)
    dialog = open_dialog(window)
    edit = dialog.findChild(QPlainTextEdit, "addressesEdit")
    QApplication.clipboard().setText("\n".join(lines))
    edit.setFocus()

    heartbeat = Heartbeat()
    qtbot.keyClick(edit, Qt.Key_V, Qt.ControlModifier)
    assert edit.toPlainText() == "\n".join(lines)
    assert not ok_button(dialog).isEnabled()
    said = [f"line {n}: {reason}" for n, (_, reason) in sorted(MISTAKES.items())]
    # Every reason is listed (the place scrolls), and every bad line is marked in the text.
    qtbot.waitUntil(lambda: problems(dialog) == "\n".join(said), timeout=5000)
    marked = sorted(mark.cursor.blockNumber() + 1 for mark in edit.extraSelections())
    assert marked == sorted(MISTAKES)
    assert not ok_button(dialog).isEnabled()
    # All of it can be read (scrolled to if need be): no reason is cut off at the bottom.
    label = dialog.findChild(QLabel, "problemLabel")
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()), timeout=1000)

    # Fixing the first five moves the other four up five lines, and they are named there.
    for number in sorted(MISTAKES, reverse=True)[4:]:
        delete_line(qtbot, heartbeat, edit, number)
    moved = [f"line {n - 5}: {reason}" for n, (_, reason) in sorted(MISTAKES.items())[5:]]
    qtbot.waitUntil(lambda: problems(dialog) == "\n".join(moved), timeout=5000)
    for number in sorted(MISTAKES, reverse=True)[:4]:
        delete_line(qtbot, heartbeat, edit, number - 5)
    qtbot.waitUntil(ok_button(dialog).isEnabled, timeout=5000)
    assert problems(dialog) == "10,000 servers will be added."
    assert edit.extraSelections() == []
    assert edit.toPlainText() == "\n".join(pasted for pasted, _ in addresses)

    # A new mistake disables OK at the keystroke, not once the list is checked again.
    edit.moveCursor(QTextCursor.End)
    type_as_a_person(qtbot, heartbeat, edit, [Qt.Key_Return])
    type_as_a_person(qtbot, heartbeat, edit, "localhost:")
    assert not ok_button(dialog).isEnabled()
    qtbot.waitUntil(
        lambda: problems(dialog) == "line 10001: 'localhost:': missing port after the colon",
        timeout=5000,
    )
    type_as_a_person(qtbot, heartbeat, edit, [Qt.Key_Backspace] * len("\nlocalhost:"))
    qtbot.waitUntil(ok_button(dialog).isEnabled, timeout=5000)
    paste_gap = heartbeat.stop()

    dialog.findChild(QCheckBox, "startNowCheck").click()
    paints = Paints(window.table.viewport())
    view_model(window).rowsInserted.connect(paints.rows_inserted)
    heartbeat = Heartbeat()
    qtbot.mouseClick(ok_button(dialog), Qt.LeftButton)
    qtbot.waitUntil(lambda: view_model(window).rowCount() == 10_000, timeout=5000)
    # and the repaint that shows them
    qtbot.waitUntil(lambda: paints.count > paints.when_rows_came, timeout=5000)
    add_gap = heartbeat.stop()
    assert not dialog.isVisible()
    assert [cell(window, row, 0) for row in range(10_000)] == [shown for _, shown in addresses]
    assert set(statuses(window)) == {"Idle"}

    record_property("longest_gap_paste_s", round(paste_gap, 3))
    record_property("longest_gap_add_s", round(add_gap, 3))
    print(f"longest event-loop gap: paste and check {paste_gap:.3f} s, add {add_gap:.3f} s")
    assert paste_gap < 0.25, f"pasting and checking froze the window for {paste_gap:.3f} s"
    assert add_gap < 0.25, f"adding 10,000 rows froze the window for {add_gap:.3f} s"


def test_a_huge_garbage_word_is_named_by_its_line_not_shown_whole(qtbot, window):
    dialog = open_dialog(window)
    edit = dialog.findChild(QPlainTextEdit, "addressesEdit")
    QApplication.clipboard().setText("10000\n" + "x" * 100_000 + "/\n10001")
    qtbot.keyClick(edit, Qt.Key_V, Qt.ControlModifier)
    qtbot.waitUntil(lambda: problems(dialog).startswith("line 2: 'xxx"), timeout=5000)
    assert len(problems(dialog)) <= 150
    assert problems(dialog).endswith("…")
    assert not ok_button(dialog).isEnabled()
