"""The Tutorial menu (教程): where each part of the Twisted Introduction shows, and its experiments.

The window makes an empty ``menuTutorial`` (between View and Help, titled by
:mod:`app.gui.actions`) and hands it here; this module fills it with its own
actions, named for automation, and words them in :meth:`TutorialMenu.retranslate`,
which the window calls with its own. The experiments' logic is Qt-free
(:mod:`app.downloads.experiments`); their window is :mod:`.experiment_window`.
"""

from __future__ import annotations

from PyQt5.QtCore import pyqtBoundSignal
from PyQt5.QtWidgets import QAction, QMenu, QWidget

from app.downloads.experiments.blocked_reactor import BlockedReactor
from app.downloads.experiments.cancelling import Cancelling
from app.downloads.experiments.experiment import Experiment
from app.downloads.experiments.fired_twice import FiredTwice
from app.downloads.experiments.naive_factory import NaiveFactory
from app.downloads.experiments.raising_callback import RaisingCallback
from app.gui.actions import without_accelerator
from app.gui.tutorial.experiment_window import ExperimentWindow
from app.gui.tutorial.parts_window import TutorialPartsWindow, open_tutorial
from app.i18n import _
from app.views.tutorial_parts import CHINESE_URL, ENGLISH_URL

#: The experiments, in the menu's order: the last one freezes the window on purpose.
EXPERIMENTS: tuple[type[Experiment], ...] = (
    RaisingCallback,
    FiredTwice,
    Cancelling,
    NaiveFactory,
    BlockedReactor,
)


class TutorialMenu:
    """Fills ``menu`` with the tutorial's actions; the window's ``closed`` stops the experiments."""

    def __init__(self, window: QWidget, menu: QMenu, closed: pyqtBoundSignal) -> None:
        self.menu = menu

        def make(name: str) -> QAction:
            action = QAction(window)
            action.setObjectName(name)
            return action

        self.where = make("actionTutorialParts")
        self.experiment_actions = {
            kind: make(f"actionExperiment{kind.name}") for kind in EXPERIMENTS
        }
        self.read_english = make("actionTutorialEnglish")
        self.read_chinese = make("actionTutorialChinese")
        self.experiments = ExperimentWindow(window, list(self.experiment_actions.values()))
        self.parts = TutorialPartsWindow(window, self.experiments.open_window)
        self.where.triggered.connect(self.open_parts)
        for kind, action in self.experiment_actions.items():
            action.triggered.connect(lambda _checked, k=kind: self.experiments.run(k))
        self.read_english.triggered.connect(lambda: open_tutorial(ENGLISH_URL))
        self.read_chinese.triggered.connect(lambda: open_tutorial(CHINESE_URL))
        closed.connect(self.experiments.stop_all)
        menu.addAction(self.where)
        menu.addSeparator()
        menu.addActions(list(self.experiment_actions.values()))
        menu.addSeparator()
        menu.addActions([self.read_english, self.read_chinese])
        self.retranslate()

    def open_parts(self) -> None:
        self.parts.show()
        self.parts.raise_()
        self.parts.activateWindow()

    def retranslate(self) -> None:
        """Every word of the menu's actions, in the current language."""
        experiment_words = {
            RaisingCallback: (
                _("A &Callback That Raises"),
                _("Download a poem whose callback raises, and see the Failure reach the errback"),
            ),
            FiredTwice: (
                _("Firing a &Deferred Twice"),
                _("See the error a second firing raises, and the idiom that prevents it"),
            ),
            Cancelling: (
                _("Ca&ncelling a Download"),
                _("Cancel a slow download's Deferred, and see what reaches its errback"),
            ),
            NaiveFactory: (
                _("A &Factory Without clientConnectionFailed"),
                _("A factory that ignores a refused connection waits for ever; ours fails at once"),
            ),
            BlockedReactor: (
                _("&Blocking the Reactor for 3 s"),
                _("Freeze the window on purpose, and measure how long the reactor stood still"),
            ),
        }
        for kind, action in self.experiment_actions.items():
            _set_words(action, *experiment_words[kind])
        _set_words(
            self.where,
            _("&Where to See It…"),
            _("Each part of the Twisted Introduction, and the view of this window that shows it"),
        )
        _set_words(
            self.read_english,
            _("The Twisted Introduction (&English)"),
            _("Open the tutorial's English original in the browser"),
        )
        _set_words(
            self.read_chinese,
            _("The Twisted Introduction in C&hinese"),
            _("Open the tutorial's Chinese translation in the browser"),
        )


def _set_words(action: QAction, text: str, tip: str) -> None:
    action.setText(text)
    action.setIconText(without_accelerator(text))
    action.setStatusTip(tip)
    action.setToolTip(tip)
