"""The Poem column: each server's poem title, as a person reads it, sorted and remembered."""

from __future__ import annotations

import itertools
import json
import unicodedata

import pytest
from PyQt5.QtCore import QPoint, Qt
from PyQt5.QtGui import QFont, QTextDocument, QTextLayout
from PyQt5.QtWidgets import QFileDialog, QHeaderView, QLineEdit

from app.gui import MainWindow
from tests.conftest import cell, local, open_window, status, statuses, view_model

# Every test ends with no reactor timer of its own still waiting.
pytestmark = pytest.mark.usefixtures("no_leftover_timers")


def poem_column(window: MainWindow) -> int:
    """The logical column whose header reads "Poem", as automation finds it."""
    model = view_model(window)
    (column,) = [
        c for c in range(model.columnCount()) if model.headerData(c, Qt.Horizontal) == "Poem"
    ]
    return column


def seen(text: str | None) -> str | None:
    """What a tooltip shows: it guesses its format, and renders what looks like markup."""
    if text is not None and Qt.mightBeRichText(text):
        document = QTextDocument()
        document.setHtml(text)
        return document.toPlainText()
    return text


def click_header(qtbot, window: MainWindow, column: int) -> None:
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, header.height() // 2))


def test_the_title_shows_after_the_bar_once_the_poem_is_here(qtbot, window, servers):
    port, _ = servers.poetry(b"\n  <b>Ozymandias</b>  \nI met a traveller\n", delay=0.05)
    address = local(port)
    window.add_servers([address])
    column = poem_column(window)
    assert column >= 3  # Server, Status and Progress keep their numbers
    header: QHeaderView = window.table.horizontalHeader()
    # Right after the bar that brings it; a small window scrolls it away first.
    assert header.visualIndex(column) == header.visualIndex(2) + 1
    assert not header.isSectionHidden(column)
    assert cell(window, 0, column) == ""

    window.table.selectRow(0)
    window.commands.start.trigger()
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    # Plain text, in the cell and in its tooltip: a title is data, never markup.
    assert cell(window, 0, column) == "<b>Ozymandias</b>"
    assert seen(cell(window, 0, column, Qt.ToolTipRole)) == "<b>Ozymandias</b>"


def test_a_long_title_is_shortened_and_controls_are_shown_as_symbols(qtbot, window, servers):
    long_line = "\x1b[1m" + "Of man's first disobedience, and the fruit " * 3
    address = local(servers.bytes(f"{long_line}\nOf that forbidden tree\n".encode()))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    title = cell(window, 0, poem_column(window))
    assert title.startswith("\u241b[1mOf man's first") and title.endswith("…")
    assert len(title) == 60


def drawn_in_order(text: str, font: QFont) -> bool:
    """Whether Qt draws each character of ``text`` right of the one before, as it reads."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    line = layout.createLine()
    layout.endLayout()
    xs = [line.cursorToX(position)[0] for position in range(len(text))]
    return all(a < b for a, b in itertools.pairwise(xs))


def test_a_right_to_left_override_in_a_title_cannot_turn_it_around(qtbot, window, servers):
    address = local(servers.bytes("live\u202etxt.exe.png\nthe rest of it\n".encode()))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    column = poem_column(window)
    title = cell(window, 0, column)
    tooltip = seen(cell(window, 0, column, Qt.ToolTipRole))
    for shown in (title, tooltip):
        # The override is shown as a mark of its own, and turns nothing around.
        assert shown == "live\ufffdtxt.exe.png"
        assert not any(unicodedata.bidirectional(c) in ("RLO", "LRO", "PDF") for c in shown)
        assert drawn_in_order(shown, window.table.font())
    assert not drawn_in_order("live\u202etxt.exe.png", window.table.font())  # as it was


def test_clicking_the_header_sorts_by_title(qtbot, window, servers):
    titles = ["banana", "Cherry", "apple"]
    addresses = [local(servers.bytes(f"{t}\nrest\n".encode())) for t in titles]
    window.add_servers(addresses, start=True)
    qtbot.waitUntil(lambda: statuses(window) == ["Done"] * 3, timeout=5000)
    column = poem_column(window)

    click_header(qtbot, window, column)
    assert [cell(window, row, column) for row in range(3)] == ["apple", "banana", "Cherry"]
    click_header(qtbot, window, column)
    assert [cell(window, row, column) for row in range(3)] == ["Cherry", "banana", "apple"]


def test_the_title_is_remembered_with_the_server(qtbot, config_dir, servers):
    poem = "静夜思\n床前明月光\n".encode()
    address = local(servers.bytes(poem))
    window = open_window(qtbot, config_dir)
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    window.close()
    (entry,) = json.loads((config_dir / "settings.json").read_text("utf-8"))["servers"]
    assert entry == {
        "address": str(address),
        "encoding": "utf-8",
        "last_size": len(poem),
        "title": "静夜思",
    }

    again = open_window(qtbot, config_dir)
    assert cell(again, 0, poem_column(again)) == "静夜思"
    assert status(again, address) == "Idle"
    again.close()


def test_a_settings_file_from_before_titles_still_loads(qtbot, config_dir):
    config_dir.mkdir(parents=True)
    servers = [{"address": "127.0.0.1:10001", "encoding": "utf-8", "last_size": 612}]
    (config_dir / "settings.json").write_text(json.dumps({"version": 1, "servers": servers}))
    window = open_window(qtbot, config_dir)
    assert cell(window, 0, 0) == "127.0.0.1:10001"
    assert cell(window, 0, poem_column(window)) == ""
    assert window.model.rows[0].expected_size == 612
    assert list(config_dir.iterdir()) == [config_dir / "settings.json"]  # nothing set aside
    window.close()


def test_save_poem_as_suggests_the_title_as_the_file_name(qtbot, window, servers):
    address = local(servers.bytes(b"Ozymandias: A Sonnet\nI met a traveller\n"))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    window.table.selectRow(0)
    qtbot.keyClick(window.table, Qt.Key_S, Qt.ControlModifier)
    dialog = window.findChild(QFileDialog, "savePoemDialog")
    assert dialog is not None and dialog.isVisible()
    assert dialog.findChild(QLineEdit, "fileNameEdit").text() == "Ozymandias A Sonnet.txt"
    dialog.reject()
