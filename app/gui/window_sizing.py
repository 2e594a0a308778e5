"""How the window's parts share its size, so a small window stays usable.

At 800×500 the table must keep Server, Status, a readable Progress bar and
three rows in view, and every toolbar action reachable. Qt alone does the
opposite: it shrinks the central widget first, keeps the docks' sizes, lets
a stretched Progress column be pushed out of view, and hides the last
toolbar actions behind ». :class:`WindowSizing` makes the table's minimum
size hold that much, lets the docks give way once the table is down to it,
fits Progress to the room the other columns leave, and drops the toolbar's
words when they do not fit.
"""

from __future__ import annotations

from PyQt5.QtCore import QEvent, QObject, Qt, QTimer
from PyQt5.QtWidgets import QDockWidget, QMainWindow, QTableView, QToolBar

from app.gui.table.model import PROGRESS

#: The narrowest Progress column the table keeps in view: its bar and a few words.
MIN_PROGRESS_WIDTH = 140
#: On a first start, and when the window gets small, the share of its width the
#: timeline takes, and of its height the log.
TIMELINE_SHARE = 0.3
LOG_SHARE = 0.25
#: How close to its minimum the table counts as squeezed.
SQUEEZED = 8


class WindowSizing(QObject):
    """Keeps ``window``'s table usable at any size; the window calls :meth:`window_resized`."""

    def __init__(
        self,
        window: QMainWindow,
        table: QTableView,
        toolbar: QToolBar,
        timeline_dock: QDockWidget,
        log_dock: QDockWidget,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._table = table
        self._toolbar = toolbar
        self._timeline_dock = timeline_dock
        self._log_dock = log_dock
        #: The toolbar's width with words beside its icons, measured at the first resize.
        self._toolbar_text_width = 0
        self._set_table_minimum()
        table.viewport().installEventFilter(self)
        table.horizontalHeader().sectionResized.connect(self._column_resized)
        # A dock opened in a small window takes its own size first; then it gives way.
        for dock in (timeline_dock, log_dock):
            dock.visibilityChanged.connect(self._dock_shown)

    def give_timeline_its_share(self) -> None:
        """A first start: the timeline takes its share of the window's width."""
        width = round(self._window.width() * TIMELINE_SHARE)
        self._window.resizeDocks([self._timeline_dock], [width], Qt.Horizontal)

    def words_changed(self) -> None:
        """The language changed: measure the toolbar's words again, keep the table usable."""
        self._set_table_minimum()
        if self._toolbar_text_width:
            style = self._toolbar.toolButtonStyle()
            self._toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            self._toolbar_text_width = self._toolbar.sizeHint().width()
            self._toolbar.setToolButtonStyle(style)
            self._fit_toolbar()

    def window_resized(self) -> None:
        self._fit_toolbar()
        self._make_the_docks_give_way()

    def _dock_shown(self, visible: bool) -> None:
        if visible:
            # Once the window has laid the dock out.
            QTimer.singleShot(0, self._make_the_docks_give_way)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Resize and watched is self._table.viewport():
            self._fit_progress_column()
        return super().eventFilter(watched, event)

    def _set_table_minimum(self) -> None:
        """Wide enough for the columns up to Progress and a readable bar; three rows high."""
        table = self._table
        header = table.horizontalHeader()
        frame = 2 * table.frameWidth()
        before_progress = sum(
            header.sectionSize(header.logicalIndex(visual))
            for visual in range(header.visualIndex(PROGRESS))
        )
        table.setMinimumWidth(
            before_progress
            + MIN_PROGRESS_WIDTH
            + table.verticalScrollBar().sizeHint().width()
            + frame
        )
        table.setMinimumHeight(
            header.sizeHint().height()
            + 3 * table.verticalHeader().defaultSectionSize()
            + table.horizontalScrollBar().sizeHint().height()
            + frame
        )

    def _column_resized(self, column: int) -> None:
        if column != PROGRESS:
            self._fit_progress_column()

    def _fit_progress_column(self) -> None:
        """Progress gets the width the other columns leave, never less than a readable bar.

        A stretched column would do the first half; but when the table is
        narrow it keeps the bar and the columns after it move out of view.
        """
        header = self._table.horizontalHeader()
        others = sum(
            header.sectionSize(column)
            for column in range(header.count())
            if column != PROGRESS and not header.isSectionHidden(column)
        )
        width = max(self._table.viewport().width() - others, MIN_PROGRESS_WIDTH)
        header.resizeSection(PROGRESS, width)

    def _make_the_docks_give_way(self) -> None:
        """Once the table is down to its minimum width (or height), the timeline (or the log)
        goes back to its share of the window, and the table gets the rest."""
        window, table = self._window, self._table
        for dock, share, orientation, table_size, table_minimum, dock_size, window_size in (
            (
                self._timeline_dock,
                TIMELINE_SHARE,
                Qt.Horizontal,
                table.width(),
                table.minimumWidth(),
                self._timeline_dock.width(),
                window.width(),
            ),
            (
                self._log_dock,
                LOG_SHARE,
                Qt.Vertical,
                table.height(),
                table.minimumHeight(),
                self._log_dock.height(),
                window.height(),
            ),
        ):
            if dock.isFloating() or not dock.isVisible() or table_size > table_minimum + SQUEEZED:
                continue
            wanted = round(window_size * share)
            if dock_size > wanted:
                window.resizeDocks([dock], [wanted], orientation)

    def _fit_toolbar(self) -> None:
        """Words beside the icons where they fit; icons alone (names in tooltips) where not.

        An overflowing toolbar hides its last actions behind », and those
        are Retry Failed and Save Poem As; icons alone keep all of them.
        """
        toolbar = self._toolbar
        if self._toolbar_text_width == 0:
            self._toolbar_text_width = toolbar.sizeHint().width()
        wanted = (
            Qt.ToolButtonTextBesideIcon
            if self._window.width() >= self._toolbar_text_width
            else Qt.ToolButtonIconOnly
        )
        if toolbar.toolButtonStyle() != wanted:
            toolbar.setToolButtonStyle(wanted)
