"""The Story tab: the selected row's download as it happened, read as a person reads it."""

from __future__ import annotations

import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtGui import QTextCursor
from PyQt5.QtWidgets import QApplication, QPlainTextEdit, QTabBar, QTabWidget
from twisted.python.failure import Failure

from app.downloads.events import Failed
from app.gui import MainWindow
from app.gui.i18n import install_language
from app.gui.table.model import RECEIVED
from app.net.failures import PoetryError, describe_failure
from tests import hostile
from tests.conftest import cell, local, row_of, status

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
    assert f"Address\t{address}" in text and "Encoding\tutf-8" in text
    assert "Connecting\t+0.000 s" in text and "First byte\t+" in text
    assert "\tconnectionMade\n" in text and "\tconnectionLost(ConnectionDone)\n" in text
    assert f"callback → _succeeded(Poem, {len(poem)} bytes) → poem pane" in text


def test_a_refused_row_s_story_tells_its_errback_and_reason(qtbot, window, servers):
    address = local(servers.refused())
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Failed", timeout=5000)
    window.table.selectRow(0)
    text = open_story_tab(qtbot, window).toPlainText()
    assert "errback → _failed(Failure ConnectionRefusedError) → failure window" in text
    assert "\tclientConnectionFailed(ConnectionRefusedError)\n" in text
    assert "failed: connection refused" in text
    assert "Connected\tnever" in text


def test_the_story_follows_the_selected_row_live_but_never_per_chunk(qtbot, window, servers):
    port, _ = servers.poetry(POEM, delay=0.01, num_bytes=8)  # about 190 chunks in 2 s
    address = local(port)
    window.add_servers([address])
    window.table.selectRow(0)
    view = open_story_tab(qtbot, window)
    assert "No download from this server since it was listed." in view.toPlainText()
    rewrites: list[str] = []
    view.textChanged.connect(lambda: rewrites.append(view.toPlainText()))
    ticks: list[bool] = []
    window.tick.refresh_with(lambda bytes_came: ticks.append(bytes_came) and False)

    window.commands.start.trigger()
    qtbot.waitUntil(lambda: "Connected\t+" in view.toPlainText(), timeout=5000)
    assert "not fired yet" in view.toPlainText()
    qtbot.waitUntil(lambda: "bytes in " in view.toPlainText(), timeout=5000)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=10_000)
    # At once, with no timer to wait for: the ending is news.
    assert "callback → _succeeded(Poem, " in view.toPlainText()
    chunks = window.stories.get(window.model.rows[0]).chunks
    assert chunks > 100
    # At most once a tick, and a few times for the news: never once a chunk.
    assert len(rewrites) <= len(ticks) + 5, f"{len(rewrites)} rewrites in {len(ticks)} ticks"
    assert len(rewrites) < chunks / 2, f"{len(rewrites)} rewrites for {chunks} chunks"


def test_starting_again_begins_a_new_story_and_removing_the_row_drops_it(qtbot, window, servers):
    addresses = [local(servers.bytes(b"poem\n")), local(servers.refused())]
    window.add_servers(addresses, start=True)
    qtbot.waitUntil(lambda: status(window, addresses[0]) == "Done", timeout=5000)
    window.table.selectRow(0)
    view = open_story_tab(qtbot, window)
    window.commands.start.trigger()
    qtbot.waitUntil(lambda: status(window, addresses[0]) == "Done", timeout=5000)
    qtbot.waitUntil(lambda: "batch 2" in view.toPlainText(), timeout=2000)
    assert view.toPlainText().count("connectionMade") == 1
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
    assert f"failed: {markup}" in view.toPlainText()
    assert window.findChild(QTabWidget, "readingTabs").currentWidget() is view


def received_line(view: QPlainTextEdit) -> str:
    return next(line for line in view.toPlainText().splitlines() if line.startswith("Received"))


def test_the_story_shows_the_table_s_count_on_every_tick(qtbot, window, servers):
    # The walkthrough saw 9.1 KiB in the story beside 10.3 KiB in the table.
    port, _ = servers.poetry(POEM * 8, delay=0.01, num_bytes=20)
    address = local(port)
    window.add_servers([address])
    window.table.selectRow(0)
    view = open_story_tab(qtbot, window)
    seen: list[tuple[str, str]] = []

    def compare(bytes_came: bool) -> bool:
        # The last of the tick's views: the table and the story have both refreshed.
        if status(window, address) == "Downloading" and bytes_came:
            seen.append((str(cell(window, 0, RECEIVED)), received_line(view)))
        return False

    window.tick.refresh_with(compare)
    window.commands.start.trigger()
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=15_000)
    assert len(seen) > 10
    behind = [(table, story) for table, story in seen if f"\t{table} in " not in story]
    assert behind == [], f"{len(behind)} of {len(seen)} ticks: {behind[:3]}"


def test_the_chain_is_drawn_with_its_unused_branches_greyed_and_copies_as_text(
    qtbot, window, servers
):
    address = local(servers.bytes(b"poem\n"))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    window.table.selectRow(0)
    view = open_story_tab(qtbot, window)
    text = view.toPlainText()
    heading = "The Deferred's chain (PoetryClientFactory fires it; ● ran, ○ did not)"
    drawn = text.split(heading + "\n")[1].split("\n\n")[0].splitlines()
    assert drawn == [
        "  \tcallbacks\terrbacks",
        "  fired\t● callback(Poem, 5 bytes)\t○ errback",
        "  addCallbacks\t● _succeeded → poem pane\t○ _failed",
        "  addErrback\t● passthru\t○ _internal_error",
    ]
    # The branches not taken stay on screen, dimmed.
    assert view.greyed() == ["○ errback", "○ _failed", "○ _internal_error"]
    grey = view.extraSelections()[0].format.foreground().color()
    assert grey != view.palette().text().color()
    # Selected and copied, it is the text as drawn.
    view.setFocus()
    qtbot.keyClick(view, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClick(view, Qt.Key_C, Qt.ControlModifier)
    assert "  addCallbacks\t● _succeeded → poem pane\t○ _failed" in QApplication.clipboard().text()


def value_x(view: QPlainTextEdit, line: str) -> int:
    """Where on screen the value after ``line``'s label starts."""
    cursor = QTextCursor(view.document())
    start = view.toPlainText().index(line)
    cursor.setPosition(start + line.index("\t") + 1)
    return view.cursorRect(cursor).left()


def test_in_chinese_the_tab_is_easy_to_find_and_its_columns_line_up_on_screen(
    qtbot, window, servers
):
    address = local(servers.refused())
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Failed", timeout=5000)
    window.table.selectRow(0)
    install_language("zh_CN")
    QApplication.processEvents()  # the LanguageChange reaches the window
    try:
        bar = window.findChild(QTabBar)
        assert [bar.tabText(i) for i in range(bar.count())] == ["诗歌", "下载经过"]
        qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(1).center())
        view = details(window)
        text = view.toPlainText()
        # Each fact once, in Chinese: the log's English lines stay in the log dock.
        assert f"{address}: " not in text and "connecting" not in text
        facts = [line for line in text.splitlines()[:10] if "\t" in line]
        assert [line.split("\t")[0] for line in facts][:3] == ["地址", "编码", "状态"]
        # Labels of two-column characters and Latin values: one column on screen,
        # whatever the font makes of a Chinese character's width.
        assert len({value_x(view, line) for line in facts}) == 1, facts
        chain = [line for line in text.splitlines() if line.startswith("  add")]
        assert len({value_x(view, line) for line in chain}) == 1, chain
    finally:
        install_language("en")
