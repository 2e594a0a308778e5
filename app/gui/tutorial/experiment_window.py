"""``experimentWindow``: the one window that shows an experiment's explanation and live report.

Non-modal and reused: running another experiment shows it in the same
window (the one before is stopped, and cleans up on its own). The report is
plain text, re-read from the experiment each time it changes and on a change
of language; an experiment with two sides (a forgetful factory beside ours)
shows them side by side. Closing the window, or the main window, stops
whatever runs.
"""

from __future__ import annotations

from PyQt5 import sip
from PyQt5.QtCore import QEvent, Qt
from PyQt5.QtGui import QCloseEvent, QFontDatabase
from PyQt5.QtWidgets import (
    QAction,
    QApplication,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.downloads.experiments.experiment import Experiment
from app.i18n import _


class ExperimentWindow(QWidget):
    """Shows the experiment run last; ``actions`` (the menu's experiments) are its buttons too."""

    def __init__(self, parent: QWidget, actions: list[QAction]) -> None:
        super().__init__(parent, Qt.Window)
        self.setObjectName("experimentWindow")
        self.experiment: Experiment | None = None
        #: Every experiment not yet ended: stopped when the window or the program closes.
        self.running: set[Experiment] = set()
        self.heading = QLabel()
        self.heading.setObjectName("experimentTitle")
        self.heading.setTextFormat(Qt.PlainText)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.explanation = QLabel()
        self.explanation.setObjectName("experimentExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.PlainText)
        self.explanation.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.texts = [_report_view("experimentText"), _report_view("experimentOtherText")]
        sides = QSplitter(Qt.Horizontal)
        for view in self.texts:
            sides.addWidget(view)
        self.texts[1].hide()
        buttons = QHBoxLayout()
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonTextOnly)
            buttons.addWidget(button)
        buttons.addStretch()
        self.copy_button = QPushButton()
        self.copy_button.setObjectName("copyExperimentButton")
        self.copy_button.clicked.connect(self.copy_report)
        self.close_button = QPushButton()
        self.close_button.setObjectName("closeExperimentButton")
        self.close_button.clicked.connect(self.close)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.explanation)
        layout.addWidget(sides, 1)
        layout.addLayout(buttons)
        line = self.fontMetrics().lineSpacing()
        self.resize(line * 50, line * 32)
        self.retranslate()

    def run(self, kind: type[Experiment]) -> Experiment:
        """Start a new ``kind`` experiment here, stopping the one shown; bring the window up."""
        if self.experiment is not None:
            self.experiment.stop()
        experiment = kind(changed=self.refresh)
        self.experiment = experiment
        self.running.add(experiment)
        self.open_window()
        experiment.start().addBoth(lambda _result: self.running.discard(experiment))
        return experiment

    def open_window(self) -> None:
        self.refresh()
        self.show()
        self.raise_()
        self.activateWindow()

    def stop_all(self) -> None:
        for experiment in list(self.running):
            experiment.stop()

    def retranslate(self) -> None:
        self.copy_button.setText(_("Copy"))
        self.copy_button.setToolTip(_("Copy the explanation and the report as plain text"))
        self.close_button.setText(_("Close"))
        self.refresh()

    def refresh(self) -> None:
        """Show the current experiment's words and report as they are now."""
        if sip.isdeleted(self):
            return  # an experiment ending after the window was destroyed
        experiment = self.experiment
        if experiment is None:
            title = _("Experiments")
            explanation = _(
                "Each experiment runs an idea of the Twisted Introduction on the real reactor, "
                "against a poetry server of its own on 127.0.0.1. Choose one below or in the "
                "Tutorial menu; it is safe to run while downloads run."
            )
            columns = [""]
        else:
            title = experiment.title()
            explanation = experiment.explanation()
            columns = experiment.report()
        self.setWindowTitle(_("Experiment: {title}").format(title=title))
        self.heading.setText(title)
        self.explanation.setText(explanation)
        for view, text in zip(self.texts, [*columns, ""], strict=False):
            if view.toPlainText() != text:
                view.setPlainText(text)
        self.texts[1].setVisible(len(columns) > 1)

    def report_text(self) -> str:
        """Everything the window shows, as one plain text."""
        shown = [view.toPlainText() for view in self.texts if not view.isHidden()]
        return "\n\n".join([self.heading.text(), self.explanation.text(), *shown]) + "\n"

    def copy_report(self) -> None:
        QApplication.clipboard().setText(self.report_text())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop_all()
        super().closeEvent(event)


def _report_view(name: str) -> QPlainTextEdit:
    view = QPlainTextEdit()
    view.setObjectName(name)
    view.setReadOnly(True)
    view.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
    return view
