"""The Timeline dock: the lanes, a line of summary under them, and zoom buttons.

The dock is what the window adds and what a person shows or hides; the
lanes are :class:`~app.gui.timeline_view.TimelineView`, the summary's words
come from :mod:`app.timeline_words`.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QDockWidget, QHBoxLayout, QTableView, QToolButton, QVBoxLayout, QWidget

from app.gui.labels import plain_label
from app.gui.model import ServerListModel
from app.gui.timeline_view import TimelineView
from app.timeline import Timeline
from app.timeline_axis import ZOOM_STEP
from app.timeline_words import dock_summary


class TimelineDock(QDockWidget):
    """The timeline beside the table: a :class:`TimelineView`, a summary and zoom buttons.

    It repaints when the table model's refresh tick fires and the timeline
    changed (or still runs, so the bars grow with the clock).
    """

    def __init__(
        self,
        table: QTableView,
        model: ServerListModel,
        timeline: Timeline,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Timeline", parent)
        self.setObjectName("timelineDock")
        self.timeline = timeline
        self.view = TimelineView(table, model, timeline)
        self.summary = plain_label(name="timelineSummary")
        self.summary.setWordWrap(True)
        self.zoom_in_button = self._button("timelineZoomIn", "+", "Zoom in (Ctrl+wheel)")
        self.zoom_out_button = self._button("timelineZoomOut", "−", "Zoom out (Ctrl+wheel)")
        self.fit_button = self._button("timelineFit", "Fit", "Show the whole batch")
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
        self._show_summary()
        model.refreshed.connect(self.refresh)

    def _button(self, name: str, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button

    def refresh(self) -> None:
        """Repaint if anything happened since the last repaint, or the batch is running."""
        if not (self.timeline.changed or self.timeline.running):
            return
        self.timeline.changed = False
        self._show_summary()
        self.view.update()

    def _show_summary(self) -> None:
        text = dock_summary(self.timeline)
        if self.summary.text() != text:
            self.summary.setText(text)
