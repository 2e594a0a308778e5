"""The main window in Simplified Chinese: every word a person reads there, and how it fits.

A reader who chose 中文 walks the window as it downloads from the demo
servers and from real servers on 127.0.0.1: the title, each menu and its
actions (texts, tooltips, status tips), the toolbar, the table's header,
status words and bars, the status bar, the docks and the panes under the
table. No English may be left but names (Twisted, reactor, UTF-8,
Deferred), units, keys, addresses and the poems themselves. The language
changes while the window is open too, and back; and Chinese never makes
the window wider than English does, nor cuts off a word English shows whole.

Each test installs the language it needs and puts English back after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PyQt5.QtCore import QPoint, Qt
from PyQt5.QtWidgets import (
    QAction,
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QMenu,
    QPushButton,
    QTabWidget,
    QToolButton,
    QWidget,
)

from app.downloads.rows import Status
from app.gui import MainWindow
from app.gui.i18n import install_language
from app.gui.table.model import COLUMNS, PROGRESS, STATUS
from tests.conftest import cell, local, open_window, view_model

pytestmark = pytest.mark.usefixtures("no_leftover_timers")

QWidgetT = TypeVar("QWidgetT", bound=QWidget)

#: Words that stay as they are in a Chinese sentence: Twisted's names (as the
#: notes the readers learned from keep them), encodings, units, keys, Qt.
KEPT = {
    "twisted", "reactor", "deferred", "failure", "callback", "errback", "traceback",
    "utf", "ascii", "latin", "qt", "kib", "mib", "gib", "tib", "ctrl", "shift", "alt",
    "esc", "del", "delete", "return", "enter", "f5", "x", "display", "xauthority",
    "qt_qpa_platform", "offscreen", "txt", "tcp", "ip", "dns", "protocol", "factory",
    "passthru", "epoll",
}  # fmt: skip
_ADDRESS = re.compile(r"\[[0-9a-fA-F:.]+\](?::\d+)?|\b[\w.-]+:\d+\b|\b\d+(?:\.\d+){3}\b")
_PATH = re.compile(r"(?:/[\w.@+-]+)+/?")
# Names from the code: a handler (_failed), an exception class (CancelledError), a
# Twisted method (connectionMade, addCallbacks), a call (Deferred.cancel()).
_IDENTIFIER = re.compile(r"\b\w*_\w*\b|\b[A-Za-z][a-z]+(?:[A-Z][a-z]*)+\b|\b\w+\.\w+\(\)")
# A Deferred step names the type of its result: _succeeded(Poem, 94 字节).
_RESULT_TYPE = re.compile(r"(?<=\w\()[A-Z]\w*(?=[,)])")
_UNIT = re.compile(r"\b\d+(?:\.\d+)?\s?(?:[KMGT]iB|B)(?:/s)?\b|\b[KMGT]iB/s\b|\bB/s\b")


def english_left(text: str, *data: str) -> list[str]:
    """The English words in ``text`` a Chinese reader should not meet (``data`` is allowed)."""
    for shown_as_is in sorted(data, key=len, reverse=True):
        if shown_as_is:
            text = text.replace(shown_as_is, " ")
    text = _RESULT_TYPE.sub(" ", text)
    text = _UNIT.sub(" ", _PATH.sub(" ", _ADDRESS.sub(" ", _IDENTIFIER.sub(" ", text))))
    words = re.findall(r"[A-Za-z][A-Za-z_]+", text)
    return [w for w in words if w.lower() not in KEPT]


class Walk:
    """What a reader saw, and where: ``(where, text)`` pairs, then the English left in them."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, tuple[str, ...]]] = []

    def read(self, where: str, text: str | None, *data: str) -> None:
        if text:
            self.seen.append((where, text, data))

    def english(self) -> list[str]:
        found = [
            f"{where}: {text!r} ({', '.join(words)})"
            for where, text, data in self.seen
            for words in [english_left(text, *data)]
            if words
        ]
        return list(dict.fromkeys(found))


def without_log_lines(story: str, address: str) -> str:
    """The Story tab's text without the log records it quotes: the log stays English."""
    return "\n".join(line for line in story.splitlines() if f"{address}: " not in line)


@pytest.fixture
def chinese() -> Iterator[None]:
    """The window's language is Chinese for this test; English again afterwards."""
    assert install_language("zh_CN") == "zh_CN", "compile the catalogue: make"
    yield
    install_language("en")


@pytest.fixture
def chinese_window(chinese: None, window: MainWindow) -> MainWindow:
    """A window built after Chinese was installed (``chinese`` is set up first)."""
    return window


def menus_of(window: MainWindow) -> list[QMenu]:
    """The menu bar's menus, in order, then the rows' context menu."""
    bar = [action.menu() for action in window.menuBar().actions() if action.menu() is not None]
    return [*bar, window.row_menu]


def in_main_window(window: MainWindow, widgets: list[QWidgetT]) -> list[QWidgetT]:
    """The widgets that are part of the main window itself, not of a dialog it owns."""
    return [w for w in widgets if w.window() is window or isinstance(w.window(), QDockWidget)]


def read_window_words(window: MainWindow, walk: Walk) -> None:
    """Everything the window says about itself (not about downloads) into ``walk``.

    Dialogs are walked by their own tests.
    """
    walk.read("window title", window.windowTitle())
    for menu in menus_of(window):
        walk.read("menu", menu.title())
        for action in menu.actions():
            if action.isSeparator():
                continue
            name = action.objectName()
            walk.read(f"{name} text", action.text())
            walk.read(f"{name} tooltip", action.toolTip())
            walk.read(f"{name} status tip", action.statusTip())
    toolbar = window.toolbar
    walk.read("toolbar title", toolbar.windowTitle())
    for action in toolbar.actions():
        walk.read(f"toolbar {action.objectName()}", action.iconText())
        walk.read(f"toolbar {action.objectName()} tooltip", action.toolTip())
    for combo in in_main_window(window, window.findChildren(QComboBox)):
        walk.read(f"{combo.objectName()} tooltip", combo.toolTip())
        for i in range(combo.count()):
            walk.read(f"{combo.objectName()} item", combo.itemText(i))
    model = view_model(window)
    for column in range(len(COLUMNS)):
        walk.read("header", model.headerData(column, Qt.Horizontal))
    for dock in window.findChildren(QDockWidget):
        walk.read(f"{dock.objectName()} title", dock.windowTitle())
    for widget_type in (QToolButton, QPushButton):
        for button in in_main_window(window, window.findChildren(widget_type)):
            if button.objectName().startswith("qt_") or not button.objectName():
                continue
            walk.read(f"{button.objectName()}", button.text())
            walk.read(f"{button.objectName()} tooltip", button.toolTip())
    for label in in_main_window(window, window.findChildren(QLabel)):
        walk.read(f"label {label.objectName()}", label.text())
    tabs = window.findChild(QTabWidget, "readingTabs")
    for i in range(tabs.count()):
        walk.read("tab", tabs.tabText(i))
        walk.read("tab tooltip", tabs.tabToolTip(i))
    walk.read("status bar", window.statusBar().currentMessage())


def accelerators(texts: list[str]) -> list[str]:
    return [m.upper() for text in texts for m in re.findall(r"&([^&\s])", text.replace("&&", ""))]


# The walk


def test_the_window_speaks_chinese_before_anything_is_downloaded(qtbot, chinese_window):
    window = chinese_window
    walk = Walk()
    read_window_words(window, walk)
    assert window.windowTitle() == "诗歌下载器"
    assert window.menuBar().actions()[0].text() == "文件(&F)"
    # The toolbar shows a name, not a menu's accelerator in brackets.
    assert window.commands.add_servers.iconText() == "添加服务器…"
    assert not [a.iconText() for a in window.toolbar.actions() if "(" in a.iconText()]
    assert view_model(window).headerData(STATUS, Qt.Horizontal) == "状态"
    # The size is app.i18n.units' words: "0 B" once its Chinese is in.
    assert window.summary.text().startswith("0 个下载中 · 已完成 0 个 · 0 个失败 · 已接收 0")
    assert window.poem_pane.label.text() == "未选择服务器"
    english = walk.english()
    assert not english, "English left:\n" + "\n".join(english)


def test_a_walk_of_the_window_mid_download_finds_no_english(qtbot, chinese_window, servers):
    window = chinese_window
    poem = b"The moon is up, the night is young.\n" * 40
    slow, _factory = servers.poetry(poem, delay=0.02, num_bytes=64)
    refused = local(servers.refused())
    rows = window.start_demo()
    window.add_servers([local(slow), refused], start=True)
    data = [str(row.address) for row in window.model.rows]
    data += [row.title for row in rows] + [s.poem_name for s in window.demo.servers]
    walk = Walk()

    def read_rows() -> None:
        model = view_model(window)
        for r in range(model.rowCount()):
            walk.read("status", cell(window, r, STATUS))
            walk.read("progress", cell(window, r, PROGRESS), *data)
            walk.read("tooltip", cell(window, r, 0, Qt.ToolTipRole), *data)

    listed = {row.address: row for row in window.model.rows}
    failing = next(listed[server.address] for server in window.demo.servers if server.fails)

    # While bytes flow: percentages, sizes and rates on the bars, a failure's reason.
    qtbot.waitUntil(
        lambda: (
            failing.status is Status.FAILED
            and listed[local(slow)].status is Status.DONE
            and listed[refused].status is Status.FAILED
        ),
        timeout=15_000,
    )
    qtbot.wait(200)  # the table's next refresh tick
    assert {str(cell(window, r, STATUS)) for r in range(len(listed))} >= {"下载中", "完成", "失败"}
    read_rows()
    walk.read("status summary", window.summary.text())
    walk.read("failure notice", window.failure_dialog.notice.toolTip())
    # The rest are cancelled, as a person does: select all, Esc.
    window.table.selectAll()
    window.commands.cancel.trigger()
    qtbot.waitUntil(lambda: not any(row.status.active for row in window.model.rows))
    qtbot.wait(200)
    read_rows()
    shown = {str(cell(window, r, STATUS)) for r in range(len(listed))}
    assert shown == {"完成", "失败", "已取消"}
    walk.read("status summary", window.summary.text())
    walk.read("batch summary", window.statusBar().currentMessage())

    # Each row as the panes under the table and the timeline tell it.
    timeline = window.timeline_dock
    walk.read("timeline summary", timeline.summary.text())
    for r in range(view_model(window).rowCount()):
        window.table.selectRow(r)
        address = str(cell(window, r, 0))
        walk.read("poem caption", window.poem_pane.label.text(), *data)
        story = without_log_lines(window.reading.row_details.toPlainText(), address)
        walk.read("story", story, *data)
        lane = timeline.view.lane_rect(r)
        for x in range(0, timeline.view.width(), max(timeline.view.width() // 12, 1)):
            walk.read(
                "timeline tooltip", timeline.view.toolTipAt(QPoint(x, lane.center().y())), *data
            )
    read_window_words(window, walk)
    english = walk.english()
    assert not english, "English left:\n" + "\n".join(english)


def test_each_menu_has_its_own_accelerator_letters_in_both_languages(qtbot, window):
    for language in ("zh_CN", "en"):
        install_language(language)
        QApplication.processEvents()
        menus = menus_of(window)
        titles = [menu.title() for menu in menus[:-1]]
        assert len(set(accelerators(titles))) == len(titles), titles
        for menu in menus:
            texts = [a.text() for a in menu.actions() if not a.isSeparator()]
            letters = accelerators(texts)
            assert len(letters) == len(texts), (language, texts)
            assert len(set(letters)) == len(letters), (language, texts)


# Changing the language while the window is open


def test_the_open_window_follows_a_change_of_language_and_back(qtbot, window, servers):
    port, _factory = servers.poetry(b"a short poem\n")
    window.add_servers([local(port)], start=True)
    qtbot.waitUntil(lambda: window.model.rows[0].status is Status.DONE)
    window.start_demo()
    file_menu = menus_of(window)[0]
    model = view_model(window)
    demo_tip = model.index(1, 0)  # a demo row's Server cell names the poem it serves
    assert file_menu.title() == "&File"
    assert demo_tip.data(Qt.ToolTipRole).startswith("Embedded demo server: ")
    try:
        install_language("zh_CN")
        qtbot.waitUntil(lambda: file_menu.title() == "文件(&F)")
        assert window.windowTitle() == "诗歌下载器"
        assert window.commands.start.text() == "开始(&S)"
        assert window.commands.start.statusTip() == "从选中的服务器下载"
        assert window.findChild(QAction, "actionShowLog").text() == "日志(&L)"
        assert model.headerData(STATUS, Qt.Horizontal) == "状态"
        assert cell(window, 0, STATUS) == "完成"
        assert model.index(0, STATUS).data(Qt.UserRole) == "Done"  # for other programs
        assert re.match(r"\d+ 个下载中 · 已完成 \d+ 个", window.summary.text())
        assert window.timeline_dock.windowTitle() == "时间线"
        assert window.log_dock.windowTitle() == "日志"
        assert window.findChild(QComboBox, "startModeCombo").currentText().startswith("全部同时")
        assert window.reading.tabText(0) == "诗歌"
        assert window.poem_pane.label.text() == "未选择服务器"
        assert demo_tip.data(Qt.ToolTipRole).startswith("内置演示服务器：")
    finally:
        install_language("en")
    qtbot.waitUntil(lambda: file_menu.title() == "&File")
    assert window.windowTitle() == "Poetry Downloader"
    assert window.commands.start.statusTip() == "Download from the selected servers"
    assert window.findChild(QAction, "actionShowLog").text() == "&Log"
    assert model.headerData(STATUS, Qt.Horizontal) == "Status"
    assert cell(window, 0, STATUS) == "Done"
    assert re.match(r"\d+ downloading · \d+ done", window.summary.text())
    assert window.timeline_dock.windowTitle() == "Timeline"
    walk = Walk()
    read_window_words(window, walk)
    assert not [text for _where, text, _data in walk.seen if re.search(r"[\u4e00-\u9fff]", text)]


# Layout


def measure(qtbot, config_dir: Path, language: str, width: int, height: int) -> dict[str, object]:
    """A fresh window in ``language`` at ``width`` × ``height``: what fits and what it needs."""
    install_language(language)
    window = open_window(qtbot, config_dir)
    try:
        window.resize(width, height)
        qtbot.waitUntil(lambda: window.width() == width, timeout=2000)
        QApplication.processEvents()
        window.layout().activate()
        header = window.table.horizontalHeader()
        metrics = header.fontMetrics()
        model = view_model(window)
        clipped_headers = [
            model.headerData(c, Qt.Horizontal)
            for c in range(len(COLUMNS))
            if header.sectionSize(c) < metrics.horizontalAdvance(model.headerData(c, Qt.Horizontal))
        ]
        table_metrics = window.table.fontMetrics()
        status_room = window.table.columnWidth(STATUS)
        words = [status.words for status in Status]
        return {
            "minimum width": window.minimumSizeHint().width(),
            "toolbar words": window.toolbar.toolButtonStyle() == Qt.ToolButtonTextBesideIcon,
            "clipped headers": clipped_headers,
            "status fits": all(
                table_metrics.horizontalAdvance(w) + 8 <= status_room for w in words
            ),
            "summary whole": window.summary.width() >= window.summary.sizeHint().width(),
        }
    finally:
        window.close()
        install_language("en")


@pytest.mark.parametrize("size", [(1280, 700), (800, 500)])
def test_chinese_neither_widens_the_window_nor_cuts_off_what_english_shows(qtbot, config_dir, size):
    # The narrowest window is the table's minimum beside the timeline dock's,
    # whose summary line wraps at its longest word: Chinese breaks anywhere.
    english = measure(qtbot, config_dir / "en", "en", *size)
    chinese = measure(qtbot, config_dir / "zh", "zh_CN", *size)
    assert chinese["minimum width"] <= english["minimum width"]
    assert chinese["clipped headers"] == []
    assert chinese["status fits"]
    for fits in ("toolbar words", "summary whole"):
        if english[fits]:
            assert chinese[fits], fits
