"""The status bar's counts: "3 downloading · 2 queued · 5 done · 1 failed · 13.7 KiB received".

It follows the model's ticks (``refreshed``: rows changed) and the rows
coming and going, and rewrites itself at most :data:`REFRESH_MS` after a
change, so a storm of progress events costs a few label updates a second
and not one call per event. The numbers are the model's running counts
(:class:`~app.downloads.status_counts.StatusCounts`): a rewrite never walks the rows.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt, QTimer
from PyQt5.QtWidgets import QLabel, QWidget

from app.downloads.rows import Status
from app.gui.table.model import ServerListModel
from app.i18n import _
from app.i18n.units import format_size

REFRESH_MS = 100


class StatusSummary(QLabel):
    """A plain-text label counting the rows by status, with the bytes received."""

    def __init__(self, model: ServerListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusSummary")
        self.setTextFormat(Qt.PlainText)
        self._model = model
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.recount)
        model.rowsInserted.connect(self._changed)
        model.rowsRemoved.connect(self._changed)
        model.refreshed.connect(self._changed)
        self.recount()

    def _changed(self, *_args: object) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def recount(self) -> None:
        """Count again, in the current language (the window calls it when the language changes)."""
        counts = self._model.counts
        # Each count is a phrase of its own, so a language puts its number and
        # measure word where it reads naturally: "3 个下载中 · 已完成 5 个".
        parts = [_("{n} downloading").format(n=counts.downloading)]
        if counts[Status.QUEUED]:
            parts.append(_("{n} queued").format(n=counts[Status.QUEUED]))
        parts += [
            _("{n} done").format(n=counts[Status.DONE]),
            _("{n} failed").format(n=counts[Status.FAILED]),
            _("{size} received").format(size=format_size(counts.received)),
        ]
        text = " · ".join(parts)
        if text != self.text():
            self.setText(text)
