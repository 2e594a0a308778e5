"""The Story tab: the selected row's download as it happened, read as a person reads it."""

from __future__ import annotations

import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QPlainTextEdit, QTabBar, QTabWidget
from twisted.python.failure import Failure

from app.downloads.events import Failed
from app.gui import MainWindow
from app.net.failures import PoetryError, describe_failure
from tests import hostile
from tests.conftest import local, row_of, status

# Every test ends with no reactor timer of its own still waiting.
pytestmark = pytest.mark.usefixtures("no_leftover_timers")

POEM = "\n".join(f"Line {n} of a poem that takes a moment to arrive." for n in range(30)).encode()


def details(window: MainWindow) -> QPlainTextEdit:
    view = window.findChild(QPlainTextEdit, "rowDetails")
    assert view is not None
    return view


def open_story_tab(qtbot, window: MainWindow) -> QPlainTextEdit:
    """Click the "Story" tab beside "Poem", as a person would."""
    bar = window.findChild(QTabBar)
    titles = [bar.tabText(i) for i in range(bar.count())]
    assert titles == ["Poem", "Story"]
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(titles.index("Story")).center())
    view = details(window)
    assert view.isVisible()
    return view


def test_a_done_row_s_story_tells_its_callback(qtbot, window, servers):
    poem = b"Ozymandias\nI met a traveller from an antique land\n"
    port, _ = servers.poetry(poem)
    address = local(port)
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    window.table.selectRow(row_of(window, address))

    # The poem is where it was, and the story one click away.
    poem_view = window.findChild(QPlainTextEdit, "poemView")
    assert poem_view.isVisible() and poem_view.toPlainText().startswith("Ozymandias")
    view = open_story_tab(qtbot, window)
    assert not poem_view.isVisible()
    assert view.isReadOnly()
    text = view.toPlainText()
    assert f"Address     {address}" in text and "Encoding    utf-8" in text
    assert "Connecting  +0.000 s" in text and "First byte  +" in text
    assert f"{address}: done, {len(poem)} bytes in " in text
    assert f"callback → _succeeded(Poem, {len(poem)} bytes) → poem pane" in text


def test_a_refused_row_s_story_tells_its_errback_and_reason(qtbot, window, servers):
    address = local(servers.refused())
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Failed", timeout=5000)
    window.table.selectRow(0)
    text = open_story_tab(qtbot, window).toPlainText()
    assert "errback → _failed(Failure ConnectionRefusedError) → failure window" in text
    assert f"{address}: failed: connection refused" in text
    assert "Connected   never" in text


def test_the_story_follows_the_selected_row_live_but_never_per_chunk(qtbot, window, servers):
    port, _ = servers.poetry(POEM, delay=0.01, num_bytes=8)  # about 190 chunks in 2 s
    address = local(port)
    window.add_servers([address])
    window.table.selectRow(0)
    view = open_story_tab(qtbot, window)
    assert "No download from this server since it was listed." in view.toPlainText()
    rewrites: list[str] = []
    view.textChanged.connect(lambda: rewrites.append(view.toPlainText()))

    window.commands.start.trigger()
    qtbot.waitUntil(lambda: "Connected   +" in view.toPlainText(), timeout=5000)
    assert "not fired yet" in view.toPlainText()
    qtbot.waitUntil(lambda: "bytes in " in view.toPlainText(), timeout=5000)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=10_000)
    # At once, with no timer to wait for: the ending is news.
    assert "callback → _succeeded(Poem, " in view.toPlainText()
    chunks = window.stories.get(window.model.rows[0]).chunks
    assert chunks > 100
    assert len(rewrites) < chunks / 5, f"{len(rewrites)} rewrites for {chunks} chunks"


def test_starting_again_begins_a_new_story_and_removing_the_row_drops_it(qtbot, window, servers):
    addresses = [local(servers.bytes(b"poem\n")), local(servers.refused())]
    window.add_servers(addresses, start=True)
    qtbot.waitUntil(lambda: status(window, addresses[0]) == "Done", timeout=5000)
    window.table.selectRow(0)
    view = open_story_tab(qtbot, window)
    window.commands.start.trigger()
    qtbot.waitUntil(lambda: status(window, addresses[0]) == "Done", timeout=5000)
    qtbot.waitUntil(lambda: "batch 2" in view.toPlainText(), timeout=2000)
    assert view.toPlainText().count(f"{addresses[0]}: connecting") == 1
    assert view.toPlainText().count("callback →") == 1

    qtbot.keyClick(window.table, Qt.Key_Delete)
    assert len(window.stories) == 1
    assert str(addresses[1]) in view.toPlainText()  # the row that is current now


def test_a_reason_that_looks_like_markup_is_shown_as_written(qtbot, window):
    markup = hostile.MARKUP_POEM.strip()
    (row,) = window.add_servers([local(9)])
    window.table.selectRow(0)
    view = open_story_tab(qtbot, window)
    failure = Failure(PoetryError(markup))
    window.events.publish(Failed(row, failure, describe_failure(failure)))
    assert f"{row.address}: failed: {markup}" in view.toPlainText()
    assert window.findChild(QTabWidget, "readingTabs").currentWidget() is view
