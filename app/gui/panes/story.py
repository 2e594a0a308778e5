"""The Story tab: the selected row's latest download, as it happened, in plain text.

``rowDetails`` shows :func:`app.views.story_words.story_text` for the row
the table's current row is: address and encoding, when it connected, got
its first byte and ended, bytes, chunks and rate, its log lines, and the
path its Deferred took. The record is kept by :class:`app.views.story.RowStories`
(a core observer); this widget only words it.

It follows the bridge's steps, never its chunks of bytes: when the shown
row has news (connected, the Deferred fired, ended) the text is rewritten
at once, a handful of times per download and only for that row. While
the row downloads, the byte count and rate are refreshed twice a second;
with nothing running, nothing ticks.
"""

from __future__ import annotations

from PyQt5.QtCore import QTimer
from PyQt5.QtGui import QFontDatabase
from PyQt5.QtWidgets import QPlainTextEdit, QWidget

from app.downloads.events import BATCH_EVENTS, DownloadEvent
from app.downloads.rows import ServerRow
from app.gui.download_signals import DownloadSignals
from app.views.story import RowStories
from app.views.story_words import story_text

#: How often a running row's bytes and rate are rewritten.
RUNNING_REFRESH_MS = 500


class RowDetails(QPlainTextEdit):
    """Read-only ``rowDetails``: :meth:`show_row` picks the row, the signals keep it current."""

    def __init__(self, stories: RowStories, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rowDetails")
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self._stories = stories
        self._row: ServerRow | None = None
        self._text = ""
        self._ticker = QTimer(self)
        self._ticker.setSingleShot(True)
        self._ticker.setInterval(RUNNING_REFRESH_MS)
        self._ticker.timeout.connect(self.refresh)
        self.refresh()

    def follow(self, signals: DownloadSignals) -> None:
        signals.follow_steps(self._heard)

    def show_row(self, row: ServerRow | None) -> None:
        """Tell ``row``'s story (``None``: no row selected)."""
        self._row = row
        self.refresh()

    def _heard(self, event: DownloadEvent) -> None:
        if not isinstance(event, BATCH_EVENTS) and event.row is self._row:
            self.refresh()

    def refresh(self) -> None:
        """Rewrite the text if it changed, keeping the reader's place in it."""
        row = self._row
        story = self._stories.get(row) if row is not None else None
        text = story_text(row, story, self._stories.clock())
        if text != self._text:
            self._text = text
            bar = self.verticalScrollBar()
            position = bar.value()
            self.setPlainText(text)
            bar.setValue(position)
        if row is not None and row.status.active:
            if not self._ticker.isActive():
                self._ticker.start()
        else:
            self._ticker.stop()

    def stop(self) -> None:
        """No more ticking (the window is closing)."""
        self._ticker.stop()
