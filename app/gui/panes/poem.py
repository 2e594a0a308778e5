"""The poem pane: the selected row's poem as plain text, its server and size above it.

Poems come from strangers. They are shown with ``setPlainText`` (so
``<b>`` is five characters, never bold), and control characters that could
garble the display (escape, backspace, form feed, NUL...) are swapped for
their visible Unicode pictures (␛, ␈, ␌, ␀). The text is set only when the
poem shown changes, with undo switched off so Qt keeps no second copy. A big
poem goes in by slices of :data:`SLICE` characters, each made visible as it
goes in, as many per event-loop turn as fit in :data:`TURN_BUDGET_S` (Qt
takes 0.1-0.3 ms per thousand characters; the whole 10 MB at once froze
the window for 150 ms), so a 10 MB poem never freezes the window; the
whole text is there a second or two later.

The pane listens to the downloads' status events: when the row it shows connects,
fails or brings its poem, the pane says so at once, the same way for a
success as for a failure.
"""

from __future__ import annotations

import re
import time

from PyQt5.QtCore import QTimer
from PyQt5.QtGui import QTextCursor
from PyQt5.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from app.downloads.events import (
    STATUS_EVENTS,
    BatchEnded,
    BatchStarted,
    DownloadEvent,
    EventStream,
)
from app.downloads.rows import ServerRow, Status
from app.gui.labels import plain_label
from app.i18n import _, ngettext, pgettext
from app.i18n.units import format_size
from app.net.poem import Poem

# C0 controls except tab and newline, and DEL; a lone CR too (CRLF becomes LF first).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_PICTURE_OF_DEL = "\u2421"
SLICE = 2**15  # characters made visible and inserted at a time
TURN_BUDGET_S = 0.015  # inserting stops for this event-loop turn once it took this long


def visible_text(text: str) -> str:
    """``text`` with line ends normalised and control characters made visible."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return _CONTROLS.sub(_picture, text)


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    return _PICTURE_OF_DEL if code == 0x7F else chr(0x2400 + code)


class PoemPane(QWidget):
    """Label plus read-only ``poemView``; :meth:`show_row` picks what they show."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = plain_label(self._caption(None), "poemLabel")
        self.view = QPlainTextEdit()
        self.view.setObjectName("poemView")
        self.view.setReadOnly(True)
        self.view.setUndoRedoEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.view)
        self._row: ServerRow | None = None
        self._shown: Poem | None = None
        #: The poem's text still to go in from ``_offset`` on; "" once it is all in.
        self._text = ""
        self._offset = 0
        self._slicer = QTimer(self)
        self._slicer.setInterval(0)
        self._slicer.timeout.connect(self._append_slice)

    def follow(self, events: EventStream) -> None:
        events.subscribe(self._heard, STATUS_EVENTS)

    def show_row(self, row: ServerRow | None) -> None:
        """Show ``row``'s poem, or say why there is none; cheap when nothing changed."""
        self._row = row
        poem = row.poem if row is not None else None
        self.label.setText(self._caption(row))
        if poem is self._shown:
            return
        self._shown = poem
        self._text = poem.text if poem is not None else ""
        self._offset = 0
        self.view.setPlainText(self._next_slice())
        if self._text:
            self._slicer.start()
        else:
            self._slicer.stop()

    def retranslate(self) -> None:
        """Say again what is shown, in the current language."""
        self.label.setText(self._caption(self._row))

    def _heard(self, event: DownloadEvent) -> None:
        """The shown row changed status, the pane may have more to say."""
        if isinstance(event, BatchStarted | BatchEnded) or self._row is None:
            return
        if event.row is self._row:
            self.show_row(self._row)

    def _next_slice(self) -> str:
        """The next slice of the text, made visible; the text is let go after its last slice."""
        text, start = self._text, self._offset
        end = start + SLICE
        if text[end - 1 : end] == "\r":
            end += 1  # a CRLF is one line end, never two halves
        self._offset = end
        if end >= len(text):
            self._text = ""
        return visible_text(text[start:end])

    def _append_slice(self) -> None:
        cursor = QTextCursor(self.view.document())
        cursor.movePosition(QTextCursor.End)
        until = time.monotonic() + TURN_BUDGET_S
        while self._text:
            cursor.insertText(self._next_slice())
            if time.monotonic() >= until:
                return
        self._slicer.stop()

    @staticmethod
    def _caption(row: ServerRow | None) -> str:
        if row is None:
            return _("No server selected")
        poem = row.poem
        if poem is None:
            if row.status is Status.FAILED:
                return _("{address} — failed: {reason}").format(
                    address=row.address, reason=row.reason
                )
            if row.status is Status.CANCELLED:
                return _("{address} — cancelled, no poem").format(address=row.address)
            return _("{address} — no poem yet").format(address=row.address)
        details = [format_size(poem.size), poem.encoding]
        if poem.replaced:
            details.append(
                ngettext(
                    "{n} invalid byte shown as �", "{n} invalid bytes shown as �", poem.replaced
                ).format(n=poem.replaced)
            )
        if row.status is not Status.DONE:
            details.append(
                _("from an earlier download; now {status}").format(status=row.status.words.lower())
            )
        # TRANSLATORS: between the size, the encoding and the notes about a poem.
        separator = pgettext("list", ", ")
        return _("{address} — {details}").format(
            address=row.address, details=separator.join(details)
        )
