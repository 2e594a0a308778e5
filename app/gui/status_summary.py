"""The status bar's counts: "3 downloading · 2 queued · 5 done · 1 failed · 13.7 KiB received".

It is rewritten on the window's tick (:mod:`app.gui.window_tick`) and when
rows come or go. Bytes alone rewrite it at most every :data:`REFRESH_S`, so
a storm of progress costs a few label updates a second and not one call
per event; a changed status count is rewritten on the tick that shows it,
the same tick that repaints the row, so "0 failed" never stands beside a
row that reads Failed. The numbers are the model's running counts
(:class:`~app.downloads.status_counts.StatusCounts`): a rewrite never walks the rows.
"""

from __future__ import annotations

import time

from PyQt5.QtCore import Qt, QTimer
from PyQt5.QtWidgets import QLabel, QWidget

from app.downloads.rows import Status
from app.gui.table.model import ServerListModel
from app.i18n import _
from app.i18n.units import format_size

REFRESH_S = 0.1


class StatusSummary(QLabel):
    """A plain-text label counting the rows by status, with the bytes received."""

    def __init__(self, model: ServerListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusSummary")
        self.setTextFormat(Qt.PlainText)
        self._model = model
        self._counted = 0.0
        #: The status counts the text shows, to tell a tick that changed one.
        self._shown: tuple[int, ...] = ()
        #: Rows came or went: counted again once the loop has done the rest of the change.
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(int(REFRESH_S * 1000))
        self._later.timeout.connect(self.recount)
        model.rowsInserted.connect(self._later.start)
        model.rowsRemoved.connect(self._later.start)
        self.recount()

    def tick(self, _bytes_came: bool) -> bool:
        """The window's tick: count again, or ask for the tick that will (not too soon).

        Only bytes wait: a status count that changed is shown on this tick,
        as the table shows the row's new status on it.
        """
        if time.monotonic() - self._counted < REFRESH_S and self._statuses() == self._shown:
            return True
        self.recount()
        return False

    def recount(self) -> None:
        """Count again, in the current language (the window calls it when the language changes)."""
        self._counted = time.monotonic()
        self._shown = self._statuses()
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

    def _statuses(self) -> tuple[int, ...]:
        """The counts by status that the text shows."""
        counts = self._model.counts
        return (
            counts.downloading,
            counts[Status.QUEUED],
            counts[Status.DONE],
            counts[Status.FAILED],
        )
