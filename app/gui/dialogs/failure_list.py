"""The Download Failures window's list: failures taken one by one, listed a turn's worth at a time.

Thousands of servers refusing at once reach the window one errback at a
time. Listing each failure as it came and making it the current entry cost
the whole list each time (to show the new current entry the view laid out
every entry again), so a storm cost the square of its size. Here a failure
is taken at once (:meth:`FailureListModel.take`) and waits; the failures
of one reactor turn are listed together when the event loop next turns,
with one ``rowsInserted``, after which the window makes the newest one
current: once per turn, whether the window is shown or hidden.

Each entry is one line, and the view sizes every entry as its longest one
(:class:`_AsLongestEntry`), so laying out thousands of entries asks one of
them its size instead of each. An entry keeps its fate ("retried",
"removed") beside it and is greyed with a tooltip saying what became of
its row since.
"""

from __future__ import annotations

from itertools import chain

from PyQt5.QtCore import QAbstractListModel, QModelIndex, QObject, QSize, Qt, QTimer
from PyQt5.QtGui import QBrush
from PyQt5.QtWidgets import QListView, QStyledItemDelegate, QStyleOptionViewItem, QWidget
from twisted.python.failure import Failure

from app.downloads.rows import ServerRow
from app.gui.dialogs.failure_entries import ENTRY_ROLE, FATE_ROLE, FATE_SENTENCES, Entry, entry_text
from app.i18n import _


class Listed:
    """One entry of the list: the failure, what became of its row since, and its line."""

    __slots__ = ("entry", "fate", "number", "text")

    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        self.fate: str | None = None
        #: Its row in the list; -1 while it waits for the end of the turn.
        self.number = -1
        self.text = ""
        self.reword()

    def reword(self) -> None:
        """Its line in the current language, on one line whatever the failure's message holds."""
        self.text = " ".join(entry_text(self.entry, self.fate).splitlines())


class FailureListModel(QAbstractListModel):
    """The entries the window lists, and those taken this turn that join them when it ends."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._listed: list[Listed] = []
        self._waiting: list[Listed] = []
        self._unmarked: dict[ServerRow, list[Listed]] = {}  # taken, not yet retried or removed
        self._longest = (-1, -1)  # (row, length) of the longest line listed
        #: How a retried or removed entry's text is drawn: the window sets its palette's grey.
        self.faded = QBrush()
        self._turn = QTimer(self)
        self._turn.setSingleShot(True)
        self._turn.setInterval(0)
        self._turn.timeout.connect(self.list_waiting)

    # What the view reads

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._listed)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole) -> object:
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._listed):
            return None
        listed = self._listed[row]
        if role == Qt.DisplayRole:
            return listed.text
        if role == Qt.ForegroundRole:
            return self.faded if listed.fate else None
        if role == Qt.ToolTipRole:
            return _(FATE_SENTENCES[listed.fate]) if listed.fate else None
        if role == ENTRY_ROLE:
            return listed.entry
        if role == FATE_ROLE:
            return listed.fate
        return None

    @property
    def taken(self) -> int:
        """Every entry taken: those listed and those waiting for the end of the turn."""
        return len(self._listed) + len(self._waiting)

    @property
    def longest_row(self) -> int:
        """The row whose line is the longest listed (-1 while nothing is listed)."""
        return self._longest[0]

    def row_of(self, failure: Failure) -> int | None:
        """The row listing ``failure``, after listing what waits; None if it is not there."""
        self.list_waiting()
        for listed in self._listed:
            if listed.entry.failure is failure:
                return listed.number
        return None

    # What the window does to it

    def take(self, entry: Entry) -> None:
        """Take ``entry`` now; it is listed with the rest of this turn's as the loop next turns."""
        listed = Listed(entry)
        self._waiting.append(listed)
        if entry.row is not None:
            self._unmarked.setdefault(entry.row, []).append(listed)
        if not self._turn.isActive():
            self._turn.start()

    def list_waiting(self) -> None:
        """List every entry taken since the last time, in one insertion."""
        self._turn.stop()
        waiting, self._waiting = self._waiting, []
        if not waiting:
            return
        first = len(self._listed)
        self.beginInsertRows(QModelIndex(), first, first + len(waiting) - 1)
        for number, listed in enumerate(waiting, first):
            listed.number = number
            self._note_length(listed)
        self._listed.extend(waiting)
        self.endInsertRows()

    def mark(self, row: ServerRow, fate: str) -> int:
        """Give ``row``'s entries not yet marked ``fate``; returns how many there were."""
        marked = self._unmarked.pop(row, [])
        for listed in marked:
            listed.fate = fate
            listed.reword()
            if listed.number >= 0:
                self._note_length(listed)
                index = self.index(listed.number)
                self.dataChanged.emit(index, index)
        return len(marked)

    def reword(self) -> None:
        """Every line again, in the current language."""
        self._longest = (-1, -1)
        for listed in chain(self._listed, self._waiting):
            listed.reword()
            self._note_length(listed)
        if self._listed:
            self.dataChanged.emit(self.index(0), self.index(len(self._listed) - 1))

    def clear(self) -> None:
        """Forget every entry, those waiting too: the person has acknowledged them."""
        self._turn.stop()
        self.beginResetModel()
        self._listed, self._waiting = [], []
        self._unmarked.clear()
        self._longest = (-1, -1)
        self.endResetModel()

    def _note_length(self, listed: Listed) -> None:
        if listed.number >= 0 and len(listed.text) > self._longest[1]:
            self._longest = (listed.number, len(listed.text))


class _AsLongestEntry(QStyledItemDelegate):
    """Sizes every entry as the longest one, so one size serves them all and none is cut short.

    The view asks one entry its size for all of them (uniform item sizes):
    asking each of thousands would cost the whole list at every insertion.
    """

    def __init__(self, model: FailureListModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        longest = self._model.longest_row
        if longest >= 0 and longest != index.row():
            index = self._model.index(longest)
        return super().sizeHint(option, index)


def failure_list_view(model: FailureListModel, parent: QWidget | None = None) -> QListView:
    """The list as the window shows it: ``failureList``, one line per entry, all one size."""
    view = QListView(parent)
    view.setObjectName("failureList")
    view.setModel(model)
    view.setUniformItemSizes(True)
    view.setItemDelegate(_AsLongestEntry(model, view))
    return view
