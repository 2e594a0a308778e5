"""The log dock: the program's recent log records, filtered by level, copyable.

The dock's :class:`app.log.LogBuffer` follows :data:`app.log.record_hub`,
where every record of the program arrives, one by one, possibly
thousands a second during a storm of downloads; they are queued and
appended on a 100 ms timer, so the view repaints ten times a second at
most. The view is plain text, with a bounded number of lines: a record is
data (it may quote a poem's server or a traceback), never markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtGui import QFontDatabase, QShowEvent
from PyQt5.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from twisted.logger import LogLevel

from app.gui.labels import plain_label
from app.i18n import N_, _
from app.i18n.units import format_size
from app.log import BUFFER_RECORDS, ClockTimes, LogBuffer, LogRecord, record_hub
from app.log_rotation import CAP_BYTES, RotationTrouble, unwatch_rotation, watch_rotation

FLUSH_MS = 100
#: The levels the filter offers, and the word shown for each (translated where shown).
LEVELS = [
    (LogLevel.debug, N_("Debug")),
    (LogLevel.info, N_("Info")),
    (LogLevel.warn, N_("Warnings")),
    (LogLevel.error, N_("Errors")),
]


class LogDock(QDockWidget):
    """Shows the records at or above the chosen level; follows the log's records while open."""

    #: The log file stopped rotating: a sentence for the status bar (the record is in the dock).
    rotation_failed = pyqtSignal(str)

    def __init__(self, log_file: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("logDock")
        self.buffer = LogBuffer()
        self._pending: list[LogRecord] = []
        self._clock_times = ClockTimes()
        #: Records came while the dock was hidden: showing it rewrites the view from the buffer.
        self._behind = False

        self.view = QPlainTextEdit()
        # A small window keeps two lines of log, and gives the rest to the table.
        self.view.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 8)
        self.view.setObjectName("logView")
        self.view.setReadOnly(True)
        self.view.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.view.setMaximumBlockCount(BUFFER_RECORDS * 4)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.level_combo = QComboBox()
        self.level_combo.setObjectName("logLevelFilter")
        for level, _word in LEVELS:
            self.level_combo.addItem("", level)
        self.level_combo.setCurrentIndex(1)
        self.level_combo.currentIndexChanged.connect(lambda *_args: self._refill())
        self.copy_button = QPushButton()
        self.copy_button.setObjectName("copyLogButton")
        self.copy_button.clicked.connect(self.copy)
        self.file_label = plain_label(name="logFileLabel")
        self.file_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self._log_file: Path | None = None
        self.set_log_file(log_file)

        bar = QHBoxLayout()
        self.level_label = plain_label(name="logLevelLabel")
        self.level_label.setBuddy(self.level_combo)
        bar.addWidget(self.level_label)
        bar.addWidget(self.level_combo)
        bar.addWidget(self.file_label, 1)
        bar.addWidget(self.copy_button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.view)
        self.setWidget(body)
        self.retranslate()

        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self._flush)
        self._timer.start()
        self.buffer.listeners.append(self._pending.append)
        record_hub.follow(self.buffer.add)
        watch_rotation(self._rotation_failed)

    @property
    def level(self) -> LogLevel:
        level: LogLevel = self.level_combo.currentData()  # only LEVELS are added as item data
        return level

    def retranslate(self) -> None:
        """The dock's words in the current language (the records stay as they were written)."""
        self.setWindowTitle(_("Log"))
        self.level_label.setText(_("&Show:"))
        for index, (_level, word) in enumerate(LEVELS):
            self.level_combo.setItemText(index, _(word))
        self.copy_button.setText(_("&Copy"))
        self.copy_button.setToolTip(_("Copy the records shown to the clipboard"))
        self.set_log_file(self._log_file)

    def set_log_file(self, path: Path | None) -> None:
        self._log_file = path
        self.file_label.setText(_("Also in {path}").format(path=path) if path else "")

    def shown_text(self) -> str:
        return self.view.toPlainText()

    def copy(self) -> None:
        QApplication.clipboard().setText(self.shown_text())

    def stop(self) -> None:
        """Stop following the log's records (the window is going away)."""
        record_hub.unfollow(self.buffer.add)
        unwatch_rotation(self._rotation_failed)
        self._timer.stop()

    def _rotation_failed(self, trouble: RotationTrouble) -> None:
        """The log file stopped rotating: say so where the window says things, once."""
        sentence = _(
            "Cannot rotate the log file ({reason}: {path}); it grows on, to at most {size}."
        )
        size = format_size(CAP_BYTES)
        self.rotation_failed.emit(
            sentence.format(reason=trouble.reason, path=trouble.path, size=size)
        )

    def _lines(self, records: Iterable[LogRecord]) -> str:
        """The records at or above the chosen level, a line (or a traceback) each."""
        level = self.level
        clock_times = self._clock_times
        # LogLevel's constants are ordered by an unannotated __ge__.
        lines = (record.line(clock_times) for record in records if bool(record.level >= level))
        return "\n".join(lines)

    def _flush(self) -> None:
        if not self._pending:
            return
        if not self.isVisible():
            # Nobody reads a hidden dock, and wording every download's lines
            # for nobody would be most of its work in a big batch. The buffer
            # keeps them; showing the dock rewrites the view from it.
            self._pending.clear()
            self._behind = True
            return
        records, self._pending[:] = list(self._pending), []
        text = self._lines(records)
        if text:
            self.view.appendPlainText(text)

    def showEvent(self, event: QShowEvent) -> None:
        if self._behind:
            self._refill()
        super().showEvent(event)

    def _refill(self) -> None:
        self._pending.clear()
        self._behind = False
        self.view.setPlainText(self._lines(self.buffer.records))
        self.view.moveCursor(self.view.textCursor().End)
