"""What servers send and people type is shown as written: never markup, never a link, never run.

Every check reads what a person would read. For a label or a tooltip that
is the text after Qt has decided whether it is markup (``seen``), so a
``<b>`` that turned bold would fail the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PyQt5.QtCore import QEvent, QModelIndex, Qt
from PyQt5.QtGui import QHelpEvent, QTextDocument
from PyQt5.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QToolTip,
)
from twisted.python.failure import Failure

from app.downloads.events import Failed
from app.net.failures import PoetryError, describe_failure
from tests import hostile
from tests.conftest import failure_dialog, local, row_of, status

# Every test ends with no reactor timer of its own still waiting.
pytestmark = pytest.mark.usefixtures("no_leftover_timers")

#: Labels whose text comes from servers, from what was typed, or from the file system.
OUTSIDE_TEXT_LABELS = {"poemLabel", "problemLabel", "failureSummary", "logFileLabel"}
MARKUP = hostile.MARKUP_POEM.strip()


def seen(text: str, text_format: Qt.TextFormat = Qt.AutoText) -> str:
    """What a person reads where Qt shows ``text`` in ``text_format``: markup rendered."""
    if text_format == Qt.RichText or (text_format == Qt.AutoText and Qt.mightBeRichText(text)):
        document = QTextDocument()
        document.setHtml(text)
        return document.toPlainText()
    return text


def label_text(label: QLabel) -> str:
    return seen(label.text(), label.textFormat())


def tooltip_over(qtbot, view: QTableView, index: QModelIndex) -> str:
    """Hover over a cell as a mouse would, and read the tooltip that comes up."""
    QToolTip.hideText()
    position = view.visualRect(index).center()

    def hover() -> bool:
        event = QHelpEvent(QEvent.ToolTip, position, view.viewport().mapToGlobal(position))
        QApplication.sendEvent(view.viewport(), event)
        return QToolTip.isVisible()

    qtbot.waitUntil(hover, timeout=2000)
    text = QToolTip.text()
    QToolTip.hideText()
    return seen(text)  # a tooltip guesses its format, as an AutoText label does


def test_labels_that_can_show_outside_text_are_plain_text(qtbot, window, servers):
    address = local(servers.hostile(hostile.ResetMidPoem, prefix=hostile.MARKUP_POEM.encode()))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: failure_dialog(window).isVisible(), timeout=5000)
    window.table.selectRow(0)
    window.commands.add_servers.trigger()
    add_dialog = window.findChild(QDialog, "addServersDialog")
    qtbot.keyClicks(add_dialog.findChild(QPlainTextEdit, "addressesEdit"), "<b>x</b>")

    labels = window.findChildren(QLabel)  # the window's, its dock's and its dialogs'
    named = {label.objectName(): label for label in labels}
    assert set(named) >= OUTSIDE_TEXT_LABELS
    guessing = [
        f"{label.objectName() or label.text()!r} in {type(label.window()).__name__}"
        for label in labels
        if label.textFormat() != Qt.PlainText
    ]
    assert guessing == [], "labels that would render markup: set Qt.PlainText"
    assert all(named[name].textFormat() == Qt.PlainText for name in OUTSIDE_TEXT_LABELS)
    # What was typed comes back as typed.
    assert label_text(named["problemLabel"]) == (
        "line 1: '<b>x</b>': '<b>x</b>' is not a valid host name"
    )


def test_markup_poem_cut_off_midway_is_reported_in_plain_words(qtbot, window, servers):
    sent = hostile.MARKUP_POEM.encode()
    address = local(servers.hostile(hostile.ResetMidPoem, prefix=sent))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Failed", timeout=5000)
    reason = f"connection lost after {len(sent)} bytes"

    row = row_of(window, address)
    model = window.table.model()
    assert tooltip_over(qtbot, window.table, model.index(row, 0)) == reason
    dialog = failure_dialog(window)
    assert dialog.isVisible()
    listed = dialog.failure_list.model()
    qtbot.waitUntil(lambda: listed.rowCount() == 1, timeout=2000)
    assert listed.index(0, 0).data() == f"{address} — {reason}"
    assert label_text(dialog.findChild(QLabel, "failureSummary")) == "1 download failed."
    traceback = dialog.findChild(QPlainTextEdit, "tracebackView").toPlainText()
    assert f"ConnectionLostError: {reason}" in traceback
    assert "<b>" not in traceback  # the half-poem is never part of the report
    window.table.selectRow(row)
    assert window.findChild(QPlainTextEdit, "poemView").toPlainText() == ""
    assert label_text(window.poem_pane.label) == f"{address} — failed: {reason}"


def test_a_reason_that_looks_like_markup_is_shown_as_written(qtbot, window):
    # No server can put markup in a reason today; this is the day one can.
    (row,) = window.add_servers([local(9)])
    failure = Failure(PoetryError(MARKUP))
    # What the download controller publishes for a failed download.
    window.events.publish(Failed(row, failure, describe_failure(failure)))
    qtbot.waitUntil(lambda: status(window, row.address) == "Failed", timeout=2000)

    model = window.table.model()
    for column in (0, 1, 2):
        assert tooltip_over(qtbot, window.table, model.index(0, column)) == MARKUP
    dialog = failure_dialog(window)
    listed = dialog.failure_list.model()
    qtbot.waitUntil(lambda: listed.rowCount() == 1, timeout=2000)
    assert listed.index(0, 0).data() == f"{row.address} — {MARKUP}"
    traceback = dialog.findChild(QPlainTextEdit, "tracebackView").toPlainText()
    assert f"app.net.failures.PoetryError: {MARKUP}" in traceback
    window.table.selectRow(0)
    assert label_text(window.poem_pane.label) == f"{row.address} — failed: {MARKUP}"


def listing(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


def test_save_poem_as_names_the_file_after_the_title_safely_and_runs_nothing(
    qtbot, window, servers, tmp_path
):
    playground = tmp_path / "playground"
    chosen = playground / "poems" / "chosen.txt"
    chosen.parent.mkdir(parents=True)
    poem = "\n".join(
        [
            "../../etc/passwd",
            f"$(touch {playground}/dollar)",
            f"`touch {playground}/backtick`",
            f"; touch {playground}/semicolon && echo x > {playground}/redirect",
            f"file://{playground}/link.txt",
            f"{playground}/absolute.txt",
            f"<a href='file://{playground}/anchor.txt'>open me</a>",
            "",
        ]
    )
    address = local(servers.bytes(poem.encode()))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    before = listing(playground)

    window.table.selectRow(0)
    qtbot.keyClick(window.table, Qt.Key_S, Qt.ControlModifier)
    dialog = window.findChild(QFileDialog, "savePoemDialog")
    assert dialog is not None and dialog.isVisible()
    name_edit = dialog.findChild(QLineEdit, "fileNameEdit")
    # The title "../../etc/passwd", made one plain file name in the folder shown.
    assert name_edit.text() == "etc passwd.txt"
    name_edit.selectAll()
    qtbot.keyClicks(name_edit, str(chosen))
    qtbot.keyClick(name_edit, Qt.Key_Return)
    qtbot.waitUntil(chosen.exists, timeout=2000)

    assert chosen.read_text(encoding="utf-8") == poem
    assert listing(playground) - before == {"poems/chosen.txt"}
    assert before == {"poems"}
