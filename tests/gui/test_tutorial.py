"""The Tutorial menu as a learner finds it: between View and Help, in both languages, and
"Where to See It", which maps parts 2–7 of the Twisted Introduction to the views that show them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PyQt5.QtCore import QObject, QUrl, pyqtSlot
from PyQt5.QtGui import QDesktopServices
from PyQt5.QtWidgets import (
    QAction,
    QApplication,
    QDialog,
    QDockWidget,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QWidget,
)

from app.gui import MainWindow
from app.gui.i18n import install_language
from app.gui.tutorial.parts_window import open_tutorial

pytestmark = pytest.mark.usefixtures("no_leftover_timers")


class Browser(QObject):
    """Stands where the person's browser is: Qt hands it the address instead of starting one."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @pyqtSlot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def browser() -> Iterator[Browser]:
    catcher = Browser()
    for scheme in ("http", "https"):
        QDesktopServices.setUrlHandler(scheme, catcher, "open")
    yield catcher
    for scheme in ("http", "https"):
        QDesktopServices.unsetUrlHandler(scheme)


def menu_titles(window: MainWindow) -> list[str]:
    return [action.text() for action in window.menuBar().actions()]


def open_parts(qtbot, window: MainWindow) -> QWidget:
    window.findChild(QAction, "actionTutorialParts").trigger()
    parts = window.findChild(QWidget, "tutorialPartsWindow")
    qtbot.waitUntil(parts.isVisible)
    assert not parts.isModal()
    return parts


def button(parts: QWidget, name: str) -> QPushButton:
    found = parts.findChild(QPushButton, name)
    assert found is not None, name
    return found


def test_the_tutorial_menu_comes_after_view_just_before_help_in_both_languages(qtbot, window):
    titles = menu_titles(window)
    assert titles.index("&View") < titles.index("&Tutorial") == titles.index("&Help") - 1
    menu = window.commands.menus["menuTutorial"]
    texts = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert texts == [
        "&Where to See It…",
        "A &Callback That Raises",
        "Firing a &Deferred Twice",
        "Ca&ncelling a Download",
        "A &Factory Without clientConnectionFailed",
        "&Blocking the Reactor for 3 s",
        "The Twisted Introduction (&English)",
        "The Twisted Introduction in C&hinese",
    ]
    try:
        install_language("zh_CN")
        qtbot.waitUntil(lambda: "教程(&T)" in menu_titles(window))
        assert (
            window.findChild(QAction, "actionExperimentFiredTwice").text()
            == "两次激活 Deferred(&D)"
        )
    finally:
        install_language("en")
    qtbot.waitUntil(lambda: "&Tutorial" in menu_titles(window))


def test_where_to_see_it_lists_parts_two_to_seven_in_the_current_language(qtbot, window):
    parts = open_parts(qtbot, window)
    lines = [parts.findChild(QLabel, f"tutorialPart{n}").text() for n in range(2, 8)]
    for number, line in zip(range(2, 8), lines, strict=True):
        assert line.startswith(f"Part {number}: ")
    assert "Story tab" in lines[2] and "Story tab" in lines[4]
    assert "Download Failures" in lines[3] and "experiments" in lines[5]
    links = parts.findChild(QLabel, "tutorialLinks").text()
    assert "http://krondo.com/?page_id=1327" in links
    assert "https://github.com/luocheng/twisted-intro-cn" in links
    try:
        install_language("zh_CN")
        label = parts.findChild(QLabel, "tutorialPart7")
        qtbot.waitUntil(lambda: label.text().startswith("第 7 部分："))
        assert "回调链" in label.text() and "激活" in label.text()
        assert parts.windowTitle() == "在哪里看到"
        mode = button(parts, "tutorialPart2ButtonModeOneAtATime")
        qtbot.waitUntil(lambda: mode.text() == "逐个下载（阻塞式客户端）")
    finally:
        install_language("en")


def test_the_buttons_open_the_views_that_show_each_part(qtbot, window):
    parts = open_parts(qtbot, window)
    timeline = window.findChild(QDockWidget, "timelineDock")
    window.findChild(QAction, "actionShowTimeline").trigger()  # hidden, as a person may have
    assert not timeline.isVisible()

    # Part 2: the blocking client's mode, and the timeline to compare it on.
    one_at_a_time = button(parts, "tutorialPart2ButtonModeOneAtATime")
    assert one_at_a_time.text() == "One at a Time (Blocking Client)"
    one_at_a_time.click()
    assert window.findChild(QAction, "actionModeOneAtATime").isChecked()
    qtbot.waitUntil(timeline.isVisible)
    button(parts, "tutorialPart2ButtonModeReactor").click()
    assert window.findChild(QAction, "actionModeReactor").isChecked()
    assert timeline.isVisible()

    # Parts 4 and 6: the Story tab becomes current.
    tabs = window.findChild(QTabWidget, "readingTabs")
    for number in (4, 6):
        tabs.setCurrentIndex(0)
        button(parts, f"tutorialPart{number}Button").click()
        assert tabs.currentWidget() is window.findChild(QWidget, "rowDetails")

    # Part 5: the failure window.
    button(parts, "tutorialPart5Button").click()
    failures = window.findChild(QDialog, "failureDialog")
    qtbot.waitUntil(failures.isVisible)
    failures.close()

    # Part 7: the experiments.
    button(parts, "tutorialPart7Button").click()
    experiments = window.findChild(QWidget, "experimentWindow")
    qtbot.waitUntil(experiments.isVisible)
    assert "Tutorial menu" in experiments.findChild(QLabel, "experimentExplanation").text()


def test_part_three_opens_the_reactor_dock_when_this_build_has_one(qtbot, window):
    reactor_button = button(open_parts(qtbot, window), "tutorialPart3Button")
    toggle = window.findChild(QAction, "actionShowReactor")
    if toggle is None:
        # No reactor dock in this build: the entry says so instead of doing nothing.
        assert not reactor_button.isEnabled()
        assert "no reactor dock" in reactor_button.toolTip()
        # Once one is there (looked up by its name when the window is shown), it opens it.
        toggle = QAction(window)
        toggle.setObjectName("actionShowReactor")
        toggle.setCheckable(True)
        window.addAction(toggle)
        parts = window.findChild(QWidget, "tutorialPartsWindow")
        parts.close()
        open_parts(qtbot, window)
        assert reactor_button.isEnabled()
        reactor_button.click()
        assert toggle.isChecked()
    else:
        assert reactor_button.isEnabled()
        reactor_button.click()
        qtbot.waitUntil(window.findChild(QDockWidget, "reactorDock").isVisible)


def test_the_tutorial_pages_open_in_the_browser(qtbot, window, browser):
    window.findChild(QAction, "actionTutorialEnglish").trigger()
    window.findChild(QAction, "actionTutorialChinese").trigger()
    parts = open_parts(qtbot, window)
    button(parts, "tutorialChineseButton").click()
    button(parts, "tutorialEnglishButton").click()
    english, chinese = (
        "http://krondo.com/?page_id=1327",
        "https://github.com/luocheng/twisted-intro-cn",
    )
    assert browser.opened == [english, chinese, chinese, english]
    # Nothing but those two pages is ever opened, whatever asks.
    with pytest.raises(ValueError):
        open_tutorial("http://127.0.0.1:1/")
    assert len(browser.opened) == 4


def test_the_about_box_points_to_the_tutorial_menu(qtbot, window):
    window.findChild(QAction, "actionAbout").trigger()
    box = window.findChild(QMessageBox, "messageBox")
    assert "The Tutorial menu maps the Twisted Introduction's parts" in box.text()
    box.close()
    QApplication.processEvents()
