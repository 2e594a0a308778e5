"""The reactor dock's list: one row per recorded turn, newest last, worded when shown.

A ``QAbstractListModel`` over the turns taken from the record
(:class:`app.net.turns.TurnRecord`) on the dock's refresh, not a widget per
row. It keeps at most as many turns as the record does; the oldest rows go
as new ones come. A row's text is made in :meth:`TurnListModel.data`, in
the language spoken, so a change of language is one ``dataChanged``.
"""

from __future__ import annotations

from collections import deque

from PyQt5.QtCore import QAbstractListModel, QModelIndex, QObject, Qt

from app.net.turns import KEEP_TURNS, Turn
from app.views.reactor_turns import turn_words


class TurnListModel(QAbstractListModel):
    """The turns shown, oldest first; ``Qt.UserRole`` is the :class:`Turn` itself."""

    def __init__(self, parent: QObject | None = None, keep: int = KEEP_TURNS) -> None:
        super().__init__(parent)
        self.keep = keep
        self._turns: deque[Turn] = deque()

    @property
    def last_number(self) -> int:
        """The newest turn's number; 0 before any."""
        return self._turns[-1].number if self._turns else 0

    def turn(self, row: int) -> Turn | None:
        return self._turns[row] if 0 <= row < len(self._turns) else None

    def add(self, turns: list[Turn]) -> None:
        """Append ``turns`` (newer than any shown); drop the oldest past ``keep``."""
        if not turns:
            return
        turns = turns[-self.keep :]
        drop = max(0, len(self._turns) + len(turns) - self.keep)
        if drop:
            self.beginRemoveRows(QModelIndex(), 0, drop - 1)
            for _ in range(drop):
                self._turns.popleft()
            self.endRemoveRows()
        first = len(self._turns)
        self.beginInsertRows(QModelIndex(), first, first + len(turns) - 1)
        self._turns.extend(turns)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._turns.clear()
        self.endResetModel()

    def retranslate(self) -> None:
        if self._turns:
            self.dataChanged.emit(self.index(0), self.index(len(self._turns) - 1))

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008  (Qt's signature)
        return 0 if parent.isValid() else len(self._turns)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole) -> object:
        turn = self.turn(index.row()) if index.isValid() else None
        if turn is None:
            return None
        if role in (Qt.DisplayRole, Qt.ToolTipRole):
            return turn_words(turn)
        if role == Qt.UserRole:
            return turn
        return None
