"""``tutorialPartsWindow``: parts 2–7 of the Twisted Introduction, each with a button to its view.

Each part says in one line what it teaches and where this window shows it
(:mod:`app.views.tutorial_parts`), and its button opens that view. The
views are found by their object names (the automation contract), not held:
the reactor dock's ``actionShowReactor`` may be missing from a build, and
its button is then disabled. The tutorial's own pages open in the browser.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt5.QtCore import QEvent, Qt, QUrl
from PyQt5.QtGui import QDesktopServices, QShowEvent
from PyQt5.QtWidgets import (
    QAction,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui.actions import without_accelerator
from app.gui.dialogs.failures import FailureDialog
from app.i18n import _
from app.views.tutorial_parts import (
    CHINESE_URL,
    ENGLISH_URL,
    PARTS,
    TUTORIAL_PAGES,
    TutorialPart,
    Where,
)

MODE_ACTIONS = ("actionModeOneAtATime", "actionModeReactor")  # untranslated: object names


class TutorialPartsWindow(QWidget):
    """Non-modal, reused; ``main`` is the window whose views the buttons open."""

    def __init__(self, main: QWidget, open_experiments: Callable[[], None]) -> None:
        super().__init__(main, Qt.Window)
        self.setObjectName("tutorialPartsWindow")
        self.main = main
        self._open_experiments = open_experiments
        self.labels: dict[int, QLabel] = {}
        self.buttons: list[tuple[QPushButton, Where, str]] = []
        grid = QGridLayout()
        for row, part in enumerate(PARTS):
            label = QLabel()
            label.setObjectName(f"tutorialPart{part.number}")
            label.setWordWrap(True)
            label.setTextFormat(Qt.PlainText)
            label.setTextInteractionFlags(Qt.TextSelectableByMouse)
            self.labels[part.number] = label
            grid.addWidget(label, row, 0)
            column = 1
            for mode in MODE_ACTIONS if part.where is Where.TIMELINE else ("",):
                button = QPushButton()
                button.setObjectName(
                    f"tutorialPart{part.number}Button{mode.removeprefix('action')}"
                )
                button.clicked.connect(lambda _c, p=part, m=mode: self.show_view(p, m))
                if mode:
                    _name_after(button, main.findChild(QAction, mode))
                self.buttons.append((button, part.where, mode))
                grid.addWidget(button, row, column)
                column += 1
        grid.setColumnStretch(0, 1)
        self.links = QLabel()
        self.links.setObjectName("tutorialLinks")
        self.links.setTextFormat(Qt.PlainText)
        self.links.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.english_button = QPushButton()
        self.english_button.setObjectName("tutorialEnglishButton")
        self.english_button.clicked.connect(lambda: open_tutorial(ENGLISH_URL))
        self.chinese_button = QPushButton()
        self.chinese_button.setObjectName("tutorialChineseButton")
        self.chinese_button.clicked.connect(lambda: open_tutorial(CHINESE_URL))
        links = QHBoxLayout()
        links.addWidget(self.links, 1)
        links.addWidget(self.english_button)
        links.addWidget(self.chinese_button)
        # Scrolled, so that a language with longer lines never cuts a part off.
        listing = QWidget()
        listing.setLayout(grid)
        scrolled = QScrollArea()
        scrolled.setWidgetResizable(True)
        scrolled.setFrameShape(QFrame.NoFrame)
        scrolled.setWidget(listing)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolled, 1)
        layout.addLayout(links)
        line = self.fontMetrics().lineSpacing()
        self.resize(line * 60, line * 24)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Where to See It"))
        for part in PARTS:
            self.labels[part.number].setText(part.line())
        words = {
            Where.REACTOR: _("Show the Reactor Dock"),
            Where.STORY: _("Show the Story Tab"),
            Where.FAILURES: _("Show Download Failures"),
            Where.EXPERIMENTS: _("Open the Experiments"),
        }
        for button, where, mode in self.buttons:
            if mode:
                button.setToolTip(_("Choose this mode and show the timeline"))
            else:
                button.setText(words[where])
        self.links.setText(
            _("The Twisted Introduction: {english}\nIn Chinese: {chinese}").format(
                english=ENGLISH_URL, chinese=CHINESE_URL
            )
        )
        self.english_button.setText(_("Read the English Original"))
        self.chinese_button.setText(_("Read the Chinese Translation"))
        self._enable()

    def _enable(self) -> None:
        """A view that this build lacks (the reactor dock, say) has its button disabled."""
        reactor = self.main.findChild(QAction, "actionShowReactor")
        for button, where, _mode in self.buttons:
            if where is Where.REACTOR:
                button.setEnabled(reactor is not None)
                if reactor is None:
                    button.setToolTip(_("This build of the program has no reactor dock"))
                else:
                    button.setToolTip("")

    def showEvent(self, event: QShowEvent) -> None:
        self._enable()
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_view(self, part: TutorialPart, mode: str = "") -> None:
        """Open the view that shows ``part``'s idea (choosing ``mode`` first, for part 2)."""
        main = self.main
        where = part.where
        if where is Where.TIMELINE:
            action = main.findChild(QAction, mode)
            if action is not None and not action.isChecked():
                action.trigger()
            _show_dock(main, "actionShowTimeline")
        elif where is Where.REACTOR:
            _show_dock(main, "actionShowReactor")
        elif where is Where.STORY:
            tabs = main.findChild(QTabWidget, "readingTabs")
            details = main.findChild(QWidget, "rowDetails")
            if tabs is not None and details is not None:
                tabs.setCurrentWidget(details)
        elif where is Where.FAILURES:
            dialog = main.findChild(FailureDialog, "failureDialog")
            if dialog is not None:
                dialog.show_all()
        else:
            self._open_experiments()


def _name_after(button: QPushButton, action: QAction | None) -> None:
    """``button`` reads as ``action`` does, in whichever language the window words it."""
    if action is None:
        return

    def follow() -> None:
        button.setText(without_accelerator(action.text()))

    action.changed.connect(follow)
    follow()


def _show_dock(main: QWidget, toggle_name: str) -> None:
    """Show the dock whose View-menu toggle is ``toggle_name`` (leave it shown if it is)."""
    toggle = main.findChild(QAction, toggle_name)
    if toggle is not None and toggle.isEnabled() and not toggle.isChecked():
        toggle.trigger()


def open_tutorial(url: str) -> None:
    """Open one of the tutorial's two pages in the person's browser; never any other address.

    The one place the program opens a link: only these constants reach it,
    never a word a server sent (``tests/test_security.py`` allows it here).
    """
    if url not in TUTORIAL_PAGES:
        raise ValueError(f"not a page of the tutorial: {url!r}")  # untranslated: a caller's bug
    QDesktopServices.openUrl(QUrl(url))
