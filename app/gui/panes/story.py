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
byte count rewritten on each tick that brought bytes, after the table
read the same count on that tick, so the two never disagree; and the
clock twice a second.

The text's columns are separated by tabs, and the tab stops are put past
the widest cell of each column as the font measures it: a Chinese label
is not two Latin letters wide in every font, so padding with spaces
would not line up. The unused branches of the Deferred's chain (the cells
marked ``○``) are greyed with extra selections, which leave the text
plain and copyable as it is.
"""

from __future__ import annotations

import re
import time

from PyQt5.QtGui import QFontDatabase, QPalette, QTextCharFormat, QTextCursor, QTextOption
from PyQt5.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from app.downloads.events import BATCH_EVENTS, DownloadEvent, EventStream
from app.downloads.rows import ServerRow
from app.views.story import RowStories
from app.views.story_chain import COLUMN, NOT_RUN
from app.views.story_words import story_text

#: How often a running row's clock is rewritten when no bytes came, in seconds.
RUNNING_REFRESH_S = 0.5
#: Space after the widest cell of a column, in widths of "n".
COLUMN_GAP = 2
#: A chain's cell that did not run: its mark, up to the next cell or the line's end.
_UNUSED_CELL = re.compile(f"(?<={COLUMN}){NOT_RUN}[^{COLUMN}\n]*")


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

    def tick(self, bytes_came: bool) -> bool:
        """The window's tick: a running row's bytes as the table shows them on this tick.

        The text changes only if the shown row's count did; with no bytes
        at all, its clock moves every half second.
        """
        row = self._row
        if row is None or not row.status.active:
            return False
        if bytes_came or time.monotonic() - self._written >= RUNNING_REFRESH_S:
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
            self._set_tab_stops(text)
            self.setPlainText(text)
            self._grey_unused_cells(text)
            bar.setValue(position)

    def _set_tab_stops(self, text: str) -> None:
        """A tab stop past the widest cell of each column, as this font draws it."""
        metrics = self.fontMetrics()
        widest: list[int] = []
        for line in text.splitlines():
            for k, cell in enumerate(line.split(COLUMN)[:-1]):
                width = metrics.horizontalAdvance(cell)
                if k == len(widest):
                    widest.append(width)
                else:
                    widest[k] = max(widest[k], width)
        gap = metrics.horizontalAdvance("n") * COLUMN_GAP
        stops, position = [], 0.0
        for width in widest:
            position += width + gap
            stops.append(QTextOption.Tab(position, QTextOption.LeftTab))
        document = self.document()
        option = document.defaultTextOption()
        option.setTabs(stops)
        document.setDefaultTextOption(option)

    def _grey_unused_cells(self, text: str) -> None:
        """The chain's branches that did not run stay in the text, greyed."""
        grey = QTextCharFormat()
        grey.setForeground(self.palette().color(QPalette.Disabled, QPalette.Text))
        selections = []
        for found in _UNUSED_CELL.finditer(text):
            selection = QTextEdit.ExtraSelection()
            selection.format = grey
            selection.cursor = QTextCursor(self.document())
            selection.cursor.setPosition(_utf16(text, found.start()))
            selection.cursor.setPosition(_utf16(text, found.end()), QTextCursor.KeepAnchor)
            selections.append(selection)
        self.setExtraSelections(selections)

    def greyed(self) -> list[str]:
        """The text of each greyed cell, as the reader sees it dimmed."""
        return [s.cursor.selectedText() for s in self.extraSelections()]


def _utf16(text: str, index: int) -> int:
    """Where ``text[index]`` is in Qt's text, which counts UTF-16 units (an emoji is two)."""
    return len(text[:index].encode("utf-16-le")) // 2
