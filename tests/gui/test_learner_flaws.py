"""What a learner found using the window in Chinese, each shown as a person sees it.

Counts that disagree with the table for a moment, progress words cut in
two, a mode box that cut its own names, a busy bar that looked full, two
"failure" counts side by side: each test here reads the window's own
words (a cell, a label, a tooltip, a painted bar) in the situation the
learner met.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PyQt5.QtCore import QModelIndex, Qt
from PyQt5.QtGui import QColor, QPalette
from PyQt5.QtWidgets import (
    QAction,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QStyle,
    QStyleOptionComboBox,
    QToolButton,
)

from app.gui import MainWindow
from app.gui.i18n import install_language
from app.gui.table.delegate import bar_words
from app.gui.table.model import PROGRESS, STATUS
from app.gui.window_sizing import MIN_PROGRESS_WIDTH
from app.net.address import Address
from tests import hostile
from tests.conftest import cell, local, open_window, row_of, status, view_model

pytestmark = pytest.mark.usefixtures("no_leftover_timers")


def test_a_failure_reaches_the_row_and_the_status_counts_on_the_same_tick(
    qtbot, window: MainWindow, refused_port
):
    summary = window.findChild(QLabel, "statusSummary")
    seen: list[tuple[str, str]] = []

    def after_the_views(_bytes_came: bool) -> bool:
        # Added last, so it reads what the tick's views have just shown.
        model = view_model(window)
        if model.rowCount():
            status = model.index(row_of(window, local(refused_port)), STATUS).data()
            seen.append((status, summary.text()))
        return False

    window.tick.refresh_with(after_the_views)
    # The counts were just written (as when rows come, or the language
    # changes): a refused connection fails well within the next 0.1 s.
    summary.recount()
    window.add_servers([local(refused_port)], start=True)
    qtbot.waitUntil(lambda: any(status == "Failed" for status, _ in seen), timeout=5000)

    shown_failed = [text for status, text in seen if status == "Failed"]
    assert shown_failed and all("1 failed" in text for text in shown_failed), seen


# The Progress column


def listed_with_a_known_size(config_dir: Path, address: Address, last_size: int) -> None:
    """A settings file listing ``address``, whose last poem was ``last_size`` bytes."""
    config_dir.mkdir(parents=True, exist_ok=True)
    server = {"address": str(address), "encoding": "utf-8", "last_size": last_size, "title": ""}
    settings = {"version": 1, "servers": [server]}
    (config_dir / "settings.json").write_text(json.dumps(settings), encoding="utf-8")


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    assert install_language(language) == language, "compile the catalogue: make"
    try:
        yield
    finally:
        install_language("en")


def progress_index(window: MainWindow) -> QModelIndex:
    model = view_model(window)
    return model.index(0, PROGRESS)


@pytest.mark.parametrize(
    ("language", "numbers"), [("en", "66 % · 537 B"), ("zh_CN", "66% · 537 B")]
)
def test_a_broken_off_download_keeps_its_numbers_whole_on_the_bar(
    qtbot, config_dir, servers, language, numbers
):
    # 537 of the 812 bytes it sent last time, then the connection is reset.
    port = servers.hostile(hostile.ResetMidPoem, prefix=b"x" * 537)
    listed_with_a_known_size(config_dir, local(port), 812)
    with speaking(language):
        window = open_window(qtbot, config_dir)
        window.commands.start_all.trigger()
        qtbot.waitUntil(lambda: cell(window, 0, STATUS, Qt.UserRole) == "Failed", timeout=5000)
        index = progress_index(window)
        whole = index.data(Qt.DisplayRole)
        assert whole.startswith(numbers.split(" · ")[0]) and "537" in whole  # and the reason
        metrics = window.table.fontMetrics()
        shown_width = window.table.visualRect(index).width()
        for width in (shown_width, MIN_PROGRESS_WIDTH):
            words = bar_words(index, metrics, width)
            # All of it, or the numbers without the words: never cut mid-number.
            assert words == (whole if metrics.horizontalAdvance(whole) <= width - 12 else numbers)
        assert bar_words(index, metrics, MIN_PROGRESS_WIDTH) == numbers
        window.close()


def highlight_share(window: MainWindow, index: QModelIndex) -> float:
    """How much of the painted cell is (about) the bar's fill colour, 0 to 1.

    About: the style shades its fill; a faint hatch or the text is far from it.
    """
    image = window.table.viewport().grab(window.table.visualRect(index)).toImage()
    fill = window.table.palette().color(QPalette.Highlight)
    filled = 0
    for x in range(image.width()):
        for y in range(image.height()):
            pixel = QColor(image.pixel(x, y))
            filled += (
                max(
                    abs(pixel.red() - fill.red()),
                    abs(pixel.green() - fill.green()),
                    abs(pixel.blue() - fill.blue()),
                )
                <= 40
            )
    return filled / (image.width() * image.height())


def test_a_busy_bar_at_zero_bytes_does_not_look_full(qtbot, window: MainWindow, servers):
    silent = local(servers.hostile(hostile.Stall, prefix=b""))  # connects, sends nothing
    whole = local(servers.poetry(b"A short poem.\n")[0])
    window.add_servers([silent, whole], start=True)
    qtbot.waitUntil(
        lambda: (status(window, silent), status(window, whole)) == ("Downloading", "Done"),
        timeout=5000,
    )
    model = view_model(window)
    busy = model.index(row_of(window, silent), PROGRESS)
    full = model.index(row_of(window, whole), PROGRESS)
    assert busy.data(Qt.UserRole) is None  # the size is unknown: a busy bar
    assert busy.data(Qt.DisplayRole) == "0 bytes"
    window.table.viewport().repaint()

    # Still (offscreen, nothing animates): the busy groove stays empty but for
    # a faint hatch, while a bar that really is full is fill from end to end.
    assert highlight_share(window, full) > 0.5
    assert highlight_share(window, busy) < 0.1
    assert bar_words(busy, window.table.fontMetrics(), MIN_PROGRESS_WIDTH) == "0 bytes"


# The mode box


def room_for_a_name(combo: QComboBox) -> int:
    """The pixels the box gives its current name, as the style lays out its label.

    Qt's common style draws the label in the edit field: the icon and 4
    pixels, then the name with a pixel kept at each end.
    """
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.CC_ComboBox, option, QStyle.SC_ComboBoxEditField, combo
    )
    return field.width() - combo.iconSize().width() - 4 - 2


@pytest.mark.parametrize(("first", "then"), [("zh_CN", "en"), ("en", "zh_CN")])
def test_no_mode_name_is_cut_in_either_language_nor_after_a_switch(qtbot, config_dir, first, then):
    with speaking(first):
        window = open_window(qtbot, config_dir)
        combo = window.findChild(QComboBox, "startModeCombo")
        for language in (first, then, first):
            install_language(language)
            qtbot.waitUntil(lambda: combo.width() == combo.sizeHint().width(), timeout=2000)
            for position in range(combo.count()):
                combo.setCurrentIndex(position)
                name = combo.currentText()
                assert combo.fontMetrics().horizontalAdvance(name) <= room_for_a_name(combo), name
        window.close()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("blocking client", "part 2", "same reactor")),
        ("zh_CN", ("阻塞式客户端", "第二部分", "同一个 reactor")),
    ],
)
def test_one_at_a_time_says_it_is_the_blocking_client_s_order_on_the_reactor(
    qtbot, config_dir, language, words
):
    with speaking(language):
        window = open_window(qtbot, config_dir)
        action = window.findChild(QAction, "actionModeOneAtATime")
        combo = window.findChild(QComboBox, "startModeCombo")
        item_tip = combo.itemData(1, Qt.ToolTipRole)
        for text in (action.toolTip(), action.statusTip(), item_tip, combo.toolTip()):
            assert all(word in text for word in words), text
        window.close()


# The two counts of failures in the status bar


def test_the_failure_notice_counts_new_failures_apart_from_the_status_counts(
    qtbot, config_dir, servers
):
    with speaking("zh_CN"):
        window = open_window(qtbot, config_dir)
        window.downloads.idle_timeout = 0.8
        refused = local(servers.refused())
        stalls = [local(servers.hostile(hostile.Stall)) for _ in range(2)]
        window.add_servers([refused, *stalls])
        window.commands.start_all.trigger()
        dialog = window.findChild(QDialog, "failureDialog")
        qtbot.waitUntil(dialog.isVisible, timeout=5000)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Close).click()
        notice = window.findChild(QToolButton, "failureNotice")
        qtbot.waitUntil(notice.isVisible, timeout=5000)
        qtbot.waitUntil(lambda: notice.text() == "2 个新失败 — 查看", timeout=5000)

        counts = window.findChild(QLabel, "statusSummary")
        qtbot.waitUntil(lambda: "3 个失败" in counts.text(), timeout=5000)
        # One says how many rows failed, the other how many wait to be seen.
        assert "新" not in counts.text()
        window.close()
