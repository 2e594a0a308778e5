"""The Story tab: the selected row's latest download, as it happened, in plain text.

``rowDetails`` shows :func:`app.views.story_words.story_text` for the row
the table's current row is: address and encoding, when it connected, got
its first byte and ended, bytes, chunks and rate, its log lines, and the
path its Deferred took. The record is kept by :class:`app.views.story.RowStories`
(a core observer); this widget only words it.

It listens to every event, never to the chunks of bytes: when the shown
row has news (connected, the Deferred fired, ended) the text is rewritten
at once, a handful of times per download and only for that row. While
the row downloads, the window's tick (:mod:`app.gui.window_tick`) has the
byte count and rate rewritten twice a second.
"""

from __future__ import annotations

import time

from PyQt5.QtGui import QFontDatabase
from PyQt5.QtWidgets import QPlainTextEdit, QWidget

from app.downloads.events import BATCH_EVENTS, DownloadEvent, EventStream
from app.downloads.rows import ServerRow
from app.views.story import RowStories
from app.views.story_words import story_text

#: How often a running row's bytes and rate are rewritten, in seconds.
RUNNING_REFRESH_S = 0.5


class RowDetails(QPlainTextEdit):
    """Read-only ``rowDetails``: :meth:`show_row` picks the row; events and ticks update it."""

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
        self._written = 0.0
        self.refresh()

    def follow(self, events: EventStream) -> None:
        events.subscribe(self._heard)

    def show_row(self, row: ServerRow | None) -> None:
        """Tell ``row``'s story (``None``: no row selected)."""
        self._row = row
        self.refresh()

    def _heard(self, event: DownloadEvent) -> None:
        if not isinstance(event, BATCH_EVENTS) and event.row is self._row:
            self.refresh()

    def tick(self, _bytes_came: bool) -> bool:
        """The window's tick: a running row's bytes and rate, at most every half second."""
        row = self._row
        if row is None or not row.status.active:
            return False
        if time.monotonic() - self._written >= RUNNING_REFRESH_S:
            self.refresh()
        return True

    def refresh(self) -> None:
        """Rewrite the text if it changed, keeping the reader's place in it."""
        self._written = time.monotonic()
        row = self._row
        story = self._stories.get(row) if row is not None else None
        text = story_text(row, story, self._stories.clock())
        if text != self._text:
            self._text = text
            bar = self.verticalScrollBar()
            position = bar.value()
            self.setPlainText(text)
            bar.setValue(position)
