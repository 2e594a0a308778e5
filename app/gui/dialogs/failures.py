"""The Download Failures window: what failed, what it means, what to try, and the details.

The window listens to the downloads' events. A batch's first failure (a
``Failed``, or an ``InternalError``: a bug of ours while handling a row)
opens it *beside* the work (see :mod:`app.gui.dialogs.placement`), without taking
the keyboard from the main window, so Esc there still cancels. Later
failures join its list, and the newest is always the current one: it is
what just happened. The list (:mod:`app.gui.dialogs.failure_list`) takes
each failure at once and lists a reactor turn's failures together, the
newest made current once per turn, so a storm of failures costs each the
same. Once the person closes the window, the rest of that
batch's failures wait in the status bar's notice ("2 new failures — Show",
:mod:`app.gui.failure_notice`) instead of opening it over their work
again; the next batch's first failure opens it again.

Each entry reads "HOST:PORT — reason". Entries are never dropped from
under the reader's eyes: when the row is started again (``Queued``) or
removed (``Forgotten``) its entry stays, greyed, with "(retried)" or
"(removed)" after it. Below the list, the current entry is said in plain
words (:func:`app.views.failure_hints.hint`), then its traceback, or why it has
none (:func:`app.views.failure_report.traceback_text`), wrapped to the window's
width so a long one-line message is read whole. All of it is plain text.

Never ``exec_()``: inside an errback that would stall the reactor's timers
and the other errbacks while the window is open. Closing the window
acknowledges what it lists; the rows keep their failures, and Show Error…
brings one back.
"""

from __future__ import annotations

from collections import Counter

from PyQt5.QtCore import QEvent, QMargins, QModelIndex, QPoint, QRect, QSize, Qt
from PyQt5.QtGui import QFontDatabase, QPalette, QTextOption
from PyQt5.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from twisted.python.failure import Failure

from app.downloads.events import (
    BatchStarted,
    EventStream,
    Failed,
    Forgotten,
    InternalError,
    Queued,
)
from app.downloads.rows import ServerRow
from app.gui.dialogs.failure_entries import (
    ENTRY_ROLE,
    FATE_ROLE,
    FATE_SENTENCES,
    REMOVED,
    RETRIED,
    Entry,
    address_of,
)
from app.gui.dialogs.failure_list import FailureListModel, failure_list_view
from app.gui.dialogs.placement import beside_the_work, frame_margins, screen_of
from app.gui.failure_notice import FailureNotice
from app.gui.labels import plain_label
from app.i18n import _, ngettext
from app.views.failure_report import traceback_text

#: The window's size when the screen has room for it; it shrinks to fit beside the work.
PREFERRED_SIZE = QSize(640, 460)
#: Smaller than this it would be no use: it overlaps the work instead.
SMALLEST_USEFUL = QSize(360, 280)
#: A move or resize by more than this is the person's doing, not the window manager's.
_MOVED_BY_HAND = 24


class FailureDialog(QDialog):
    """Failures by server and reason; the current one in plain words and in full; Copy."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("failureDialog")
        self.setModal(False)
        # A failure arriving while you work must not take the keyboard from the
        # window (Esc would stop cancelling). Once you click into this window it
        # has the keyboard, and Esc closes it as in any dialog.
        self.setAttribute(Qt.WA_ShowWithoutActivating)
        self.resize(PREFERRED_SIZE)

        self.summary = plain_label(name="failureSummary")
        self.entries = FailureListModel(self)
        self.entries.faded = self.palette().brush(QPalette.Disabled, QPalette.Text)
        self.failure_list = failure_list_view(self.entries)
        self.hint_label = plain_label(name="failureHint")
        self.hint_label.setWordWrap(True)
        self.hint_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.traceback_view = QPlainTextEdit()
        self.traceback_view.setObjectName("tracebackView")
        self.traceback_view.setReadOnly(True)
        # A long one-line message is a sentence: wrapped, it is read whole; a
        # horizontal scrollbar would hide its end. Paths without spaces break anywhere.
        self.traceback_view.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        self.traceback_view.setWordWrapMode(QTextOption.WrapAtWordBoundaryOrAnywhere)
        self.traceback_view.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.copy_button = QPushButton()
        self.copy_button.setObjectName("copyButton")
        buttons.addButton(self.copy_button, QDialogButtonBox.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_traceback)

        # No splitter: a splitter pane ignores a wrapped label's height for its
        # width and cuts the hint off, and the hint is what a person reads first.
        lines = self.fontMetrics().lineSpacing()
        self.failure_list.setMinimumHeight(3 * lines)
        self.traceback_view.setMinimumHeight(4 * lines)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.failure_list, 2)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.traceback_view, 3)
        layout.addWidget(buttons)
        self.failure_list.selectionModel().currentChanged.connect(
            lambda current, _previous: self._show_current(current)
        )
        self.entries.rowsInserted.connect(self._listed)

        #: The status bar's "N new failures — Show"; the window puts it in its status bar.
        self.notice = FailureNotice()
        self.notice.clicked.connect(self.show_all)
        self._work: QWidget | None = None
        self._closed_this_batch = False
        self._latest: dict[ServerRow, Entry] = {}  # each row's last failure, for Show Error…
        self._fates: Counter[str] = Counter()  # how many entries taken were retried, removed
        self._placed: QRect | None = None  # where this window last put itself
        self._put_by_hand: QRect | None = None  # where the person last put it, this session
        self._retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.LanguageChange:
            self._retranslate()
        elif event.type() == QEvent.PaletteChange:
            self.entries.faded = self.palette().brush(QPalette.Disabled, QPalette.Text)
        super().changeEvent(event)

    def _retranslate(self) -> None:
        """Say it all again in the current language: this window lives as long as the main one."""
        self.setWindowTitle(_("Download Failures"))
        self.copy_button.setText(_("&Copy"))
        self.copy_button.setToolTip(_("Copy this failure's report: server, what happened, details"))
        self.entries.reword()
        if self.summary.text():  # empty until the first failure
            self._update_summary()
        self._show_current(self.failure_list.currentIndex())

    # Following the downloads

    def follow(self, events: EventStream) -> None:
        events.on(Failed, self._failed)
        events.on(InternalError, self._failed)
        events.on(Queued, self._queued)
        events.on(Forgotten, self._forgotten)
        events.on(BatchStarted, self._batch_started)

    def keep_clear_of(self, work: QWidget) -> None:
        """Never open over ``work`` (the table): nor over its rows' band, across the window."""
        self._work = work

    def _failed(self, event: Failed | InternalError) -> None:
        row = event.row
        internal = isinstance(event, InternalError)
        fatal = isinstance(event, InternalError) and event.fatal
        entry = Entry(
            row.address, event.failure, row.expected_size, row, internal=internal, fatal=fatal
        )
        if row.failure is event.failure:
            self._latest[row] = entry
        self._append(entry)
        if self.isVisible():
            return
        if self._closed_this_batch:
            self.notice.set_count(self._waiting())
        else:
            self._open(activate=False)

    def _queued(self, event: Queued) -> None:
        self._mark(event.row, RETRIED)

    def _forgotten(self, event: Forgotten) -> None:
        self._mark(event.row, REMOVED)
        self._latest.pop(event.row, None)

    def _batch_started(self, event: BatchStarted) -> None:
        """A new batch: its first failure opens the window again, even if it was closed."""
        self._closed_this_batch = False

    # The list

    def _append(self, entry: Entry) -> None:
        """Take ``entry``; the list shows it, current, once this reactor turn's failures are in."""
        self.entries.take(entry)
        self._update_summary()

    def _listed(self, _parent: QModelIndex, _first: int, last: int) -> None:
        """A turn's failures are listed: the newest becomes current, once for them all.

        Shown, the view scrolls to it as it becomes current; hidden, it is
        scrolled to when the window opens.
        """
        self.failure_list.setCurrentIndex(self.entries.index(last))

    def _mark(self, row: ServerRow, fate: str) -> None:
        """Grey ``row``'s entries not yet marked, and say what became of the row since."""
        marked = self.entries.mark(row, fate)
        if not marked:
            return
        current = self.failure_list.currentIndex()
        if current.isValid() and current.data(ENTRY_ROLE).row is row:
            self._show_current(current)
        self._fates[fate] += marked
        self._update_summary()
        if not self.isVisible():
            self.notice.set_count(self._waiting())

    def _waiting(self) -> int:
        """Failures taken whose rows were neither retried nor removed since."""
        return self.entries.taken - sum(self._fates.values())

    def _update_summary(self) -> None:
        count = self.entries.taken
        failed = ngettext("{n} download failed", "{n} downloads failed", count).format(n=count)
        retried, removed = self._fates[RETRIED], self._fates[REMOVED]
        if retried and removed:
            text = _("{failed}; {retried} retried since, {removed} removed.")
        elif retried:
            text = _("{failed}; {retried} retried since.")
        elif removed:
            text = _("{failed}; {removed} removed.")
        else:
            text = _("{failed}.")
        self.summary.setText(text.format(failed=failed, retried=retried, removed=removed))

    def _show_current(self, index: QModelIndex) -> None:
        entry: Entry | None = index.data(ENTRY_ROLE) if index.isValid() else None
        if entry is None:
            self.hint_label.clear()
            self.traceback_view.clear()
            return
        words = entry.hint()
        fate = index.data(FATE_ROLE)
        if fate:
            words += "\n" + _(FATE_SENTENCES[fate])
        self.hint_label.setText(words)
        self.traceback_view.setPlainText(traceback_text(entry.failure))

    # Showing

    def show_failure(self, server: str, failure: Failure) -> None:
        """Select ``failure`` (listing it again if acknowledged); bring the window up, focused."""
        number = self.entries.row_of(failure)
        if number is None:
            known = [entry for entry in self._latest.values() if entry.failure is failure]
            entry = known[0] if known else Entry(address_of(server), failure, None, None)
            self._append(entry)
            self.entries.list_waiting()  # the person asked for it: listed and current at once
        else:
            self.failure_list.setCurrentIndex(self.entries.index(number))
        self._open(activate=True)

    def show_all(self) -> None:
        """The notice's Show: bring the window up with what waited, the newest current."""
        self.entries.list_waiting()
        count = self.entries.rowCount()
        if count:
            self.failure_list.setCurrentIndex(self.entries.index(count - 1))
        self._open(activate=True)

    def _open(self, *, activate: bool) -> None:
        """Show beside the work; take the keyboard only if ``activate`` (the person asked)."""
        if not self.isVisible():
            self._place()
        self.notice.set_count(0)
        if activate:
            self.show()
            self.raise_()
            self.activateWindow()
        else:
            working_in = QApplication.activeWindow()
            self.show()
            # Platforms that activate every new window anyway: give the keyboard back.
            if working_in is not None and working_in is not self:
                working_in.activateWindow()
        self.failure_list.scrollTo(self.failure_list.currentIndex())

    def _place(self) -> None:
        """Where the person last put it, else beside the main window, else beside the table."""
        main = self.parentWidget()
        if main is None or not main.isVisible():
            return  # nothing to keep clear of: where Qt puts dialogs will do
        screen = screen_of(main)
        if self._put_by_hand is not None and screen.contains(self._put_by_hand.center()):
            self.setGeometry(self._put_by_hand)
            self._placed = self.geometry()
            return
        margins = frame_margins(self) or frame_margins(main) or QMargins()
        grown = QSize(margins.left() + margins.right(), margins.top() + margins.bottom())
        smallest = SMALLEST_USEFUL.expandedTo(self.minimumSizeHint())
        layout = self.layout()
        if layout is not None:  # the hint, wrapped at the narrowest, must still fit whole
            needed = layout.minimumHeightForWidth(smallest.width())
            smallest.setHeight(max(smallest.height(), needed))
        window = main.frameGeometry()
        work = self._work
        if work is not None and work.isVisible():
            # The table's rows, across the whole window: their bars, and the
            # timeline's lanes level with them, however the docks share the width.
            top = work.mapToGlobal(QPoint(0, 0)).y()
            rows = QRect(window.left(), top, window.width(), work.height())
        else:
            rows = window
        frame = beside_the_work(PREFERRED_SIZE + grown, smallest + grown, window, rows, screen)
        self.setGeometry(frame.marginsRemoved(margins))
        self._placed = self.geometry()

    def copy_traceback(self) -> None:
        """Copy the current failure's whole report: its line, what it means, its details."""
        current = self.failure_list.currentIndex()
        if not current.isValid():
            return
        report = "\n\n".join(
            (current.data(), self.hint_label.text(), self.traceback_view.toPlainText())
        )
        QApplication.clipboard().setText(report)

    def done(self, result: int) -> None:
        """Closing (button, Esc, title bar) acknowledges the list; rows keep their failures.

        The rest of this batch's failures then wait in the status bar's notice.
        """
        if self.isVisible():
            self._closed_this_batch = True
            self._remember_if_moved()
        self.entries.clear()
        self._fates.clear()
        self._show_current(QModelIndex())
        self._update_summary()
        self.notice.set_count(0)
        super().done(result)

    def _remember_if_moved(self) -> None:
        placed, now = self._placed, self.geometry()
        if placed is None:
            return
        moved = (now.topLeft() - placed.topLeft()).manhattanLength() > _MOVED_BY_HAND
        resized = abs(now.width() - placed.width()) + abs(now.height() - placed.height())
        if moved or resized > _MOVED_BY_HAND:
            self._put_by_hand = QRect(now)
