"""The Timeline dock: the lanes, a line of summary under them, and zoom buttons.

The dock is what the window adds and what a person shows or hides; the
lanes are :class:`~app.gui.timeline.view.TimelineView`, the summary's words
come from :mod:`app.views.timeline.words`.
"""

from __future__ import annotations

import time

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QDockWidget, QHBoxLayout, QTableView, QToolButton, QVBoxLayout, QWidget

from app.downloads.events import CONNECTION_EVENTS, DownloadEvent, EventStream
from app.gui.labels import plain_label
from app.gui.table.model import ServerListModel
from app.gui.timeline.view import TimelineView
from app.i18n import _
from app.views.timeline.axis import ZOOM_STEP
from app.views.timeline.record import Timeline
from app.views.timeline.words import dock_summary

#: While a batch runs with nothing arriving, its bars still grow this often.
CLOCK_S = 0.5


class TimelineDock(QDockWidget):
    """The timeline beside the table: a :class:`TimelineView`, a summary and zoom buttons.

    It repaints on the window's tick (:mod:`app.gui.window_tick`) when an
    event or bytes changed the lanes, however many arrived meanwhile. While
    the batch runs, a quiet moment still repaints every :data:`CLOCK_S`, so
    the bars grow with the clock.
    """

    def __init__(
        self,
        table: QTableView,
        model: ServerListModel,
        timeline: Timeline,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("timelineDock")
        self.timeline = timeline
        self._model = model
        self.view = TimelineView(table, model, timeline)
        self.summary = plain_label(name="timelineSummary")
        self.summary.setWordWrap(True)
        self.zoom_in_button = self._button("timelineZoomIn", "+")
        self.zoom_out_button = self._button("timelineZoomOut", "−")
        self.fit_button = self._button("timelineFit")
        self.zoom_in_button.clicked.connect(lambda: self.view.zoom(ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda: self.view.zoom(1 / ZOOM_STEP))
        self.fit_button.clicked.connect(self.view.fit)

        # The view comes first, so that beside the table its lanes are level with the rows.
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 0, 0, 2)
        bar.addWidget(self.summary, 1)
        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            bar.addWidget(button, 0, Qt.AlignTop)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)
        self.setWidget(body)
        self.dockLocationChanged.connect(self.view.update)
        self.topLevelChanged.connect(self.view.update)
        self.retranslate()
        self._stale = False
        self._painted = 0.0

    def follow(self, events: EventStream) -> None:
        events.subscribe(self._heard, CONNECTION_EVENTS)

    def _heard(self, _event: DownloadEvent) -> None:
        self._stale = True

    def retranslate(self) -> None:
        """The dock's words in the current language: title, buttons, summary, the axis."""
        self.setWindowTitle(_("Timeline"))
        self.zoom_in_button.setToolTip(_("Zoom in (Ctrl+wheel)"))
        self.zoom_out_button.setToolTip(_("Zoom out (Ctrl+wheel)"))
        # TRANSLATORS: a button that zooms the timeline out to the whole batch.
        self.fit_button.setText(_("Fit"))
        self.fit_button.setToolTip(_("Show the whole batch"))
        self._show_summary()
        self.view.update()

    def _button(self, name: str, text: str = "") -> QToolButton:
        button = QToolButton()
        button.setObjectName(name)
        button.setText(text)
        button.setAutoRaise(True)
        return button

    @property
    def repainting(self) -> bool:
        """True while an event waits to be painted, or a batch runs and its bars grow."""
        return self._stale or self.timeline.running

    def refresh(self, bytes_came: bool = False) -> bool:
        """The window's tick: repaint what changed; while the batch runs, its clock too.

        Returns whether the bars still grow, so the tick goes on.
        """
        now = time.monotonic()
        if not (self._stale or bytes_came):
            if not self.timeline.running:
                return False
            if now - self._painted < CLOCK_S:
                return True
        self._stale = False
        self._painted = now
        self._show_summary()
        self.view.update()
        return self.timeline.running

    def _show_summary(self) -> None:
        text = dock_summary(self.timeline)
        if self.summary.text() != text:
            self.summary.setText(text)
