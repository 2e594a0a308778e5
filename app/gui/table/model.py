"""The server table's model: one row per server, repainted on the window's tick, not per chunk.

The model listens to the downloads' status events (:meth:`ServerListModel.follow`):
an event only marks its row dirty. On the window's tick
(:mod:`app.gui.window_tick`), :meth:`ServerListModel.refresh` turns the
dirty rows into ``dataChanged`` signals, one per run of adjacent rows (one
over them all when they make more than :data:`MAX_RUNS` runs), so a
thousand events a second cost a few repaints (repainting per chunk melts
a view at a few hundred rows).

Bytes mark no row: they change only the columns from Progress to
Elapsed, and a tick after bytes came refreshes those columns of every
row with one ``dataChanged``, as it does twice a second anyway while
anything is on the wire (the rates and times move with the clock). The
view repaints only what it shows, so one signal over the columns costs
what the screen holds, however many rows got bytes. The rows' counts by
status are kept as events arrive
(:class:`~app.downloads.status_counts.StatusCounts`), so no tick walks the rows.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable
from typing import Any

from PyQt5.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
    pyqtSignal,
)

from app.downloads.events import STATUS_EVENTS, DownloadEvent, EventStream
from app.downloads.rows import ServerRow, Status
from app.downloads.status_counts import StatusCounts
from app.i18n import pgettext
from app.i18n.units import format_rate, format_seconds, format_size
from app.net.address import Address
from app.views.progress_words import progress_short_text, progress_text

# Poem came last, so the columns before it keep their numbers; the window
# shows it next to Server (a view may move sections, the model never does).
# These are names for code; the header shows column_titles(), in the person's language.
COLUMNS = ("server", "status", "progress", "received", "rate", "elapsed", "poem")
SERVER, STATUS, PROGRESS, RECEIVED, RATE, ELAPSED, POEM = range(len(COLUMNS))


def column_titles() -> tuple[str, ...]:
    """The header's words, in the current language, in :data:`COLUMNS` order."""
    return (
        pgettext("column", "Server"),
        pgettext("column", "Status"),
        pgettext("column", "Progress"),
        pgettext("column", "Received"),
        pgettext("column", "Rate"),
        pgettext("column", "Elapsed"),
        pgettext("column", "Poem"),
    )


#: Progress column: True while the bar can only say "busy" (size unknown, bytes flowing).
BUSY_ROLE = Qt.UserRole + 1
#: Progress column: the row's :class:`~app.downloads.rows.Status`, so a failed bar can look failed.
STATUS_ROLE = Qt.UserRole + 2
#: Progress column: the bar's words without the reason, for when the whole do not fit.
SHORT_TEXT_ROLE = Qt.UserRole + 3

#: While rows run, their rates and elapsed times are refreshed at least this often.
CLOCK_INTERVAL_S = 0.5
#: The roles :meth:`ServerListModel.data` answers. A repaint asks each cell for
#: a dozen (font, colours, icon, check state...): the rest get ``None`` at once.
ANSWERED_ROLES = frozenset(
    {Qt.DisplayRole, Qt.ToolTipRole, Qt.UserRole, STATUS_ROLE, BUSY_ROLE, SHORT_TEXT_ROLE}
    | {Qt.TextAlignmentRole}
)
#: The most ``dataChanged`` signals one tick sends for dirty rows; more runs make one range.
MAX_RUNS = 64


class ServerListModel(QAbstractTableModel):
    """Rows of :class:`ServerRow`; column 2's ``Qt.UserRole`` is the fraction or ``None``.

    ``statusesChanged`` is emitted (coalesced, on the window's tick) when
    any row's status changed, so the window can re-enable its actions without
    listening to every byte; ``refreshed`` after every tick that changed rows.
    ``counts`` counts the rows listed, by status, as they change.
    """

    statusesChanged = pyqtSignal()
    refreshed = pyqtSignal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ServerRow] = []
        self._position: dict[int, int] = {}
        #: Each address's row (the first, in the rare case one is listed twice).
        self._by_address: dict[Address, ServerRow] = {}
        self._dirty: set[int] = set()
        self.counts = StatusCounts()
        self._statuses_changed = False
        self._last_clock = 0.0

    # Reading

    @property
    def rows(self) -> list[ServerRow]:
        """The rows in insertion order (a copy: callers may remove while iterating)."""
        return list(self._rows)

    def row_at(self, position: int) -> ServerRow:
        return self._rows[position]

    def position_of(self, row: ServerRow) -> int | None:
        return self._position.get(id(row))

    def row_for(self, address: Address) -> ServerRow | None:
        """The row listed for ``address``, if any; costs the same however many rows there are."""
        return self._by_address.get(address)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole
    ) -> str | None:
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(COLUMNS):
            return column_titles()[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole) -> Any:
        if role not in ANSWERED_ROLES or not index.isValid():
            return None
        if not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.DisplayRole:
            return display_text(row, column)
        if role == Qt.ToolTipRole:
            return tooltip(row, column)
        if column == STATUS and role == Qt.UserRole:
            return row.status.value  # the English word, in every language (automation)
        if column == PROGRESS and role == Qt.UserRole:
            return row.fraction
        if column == PROGRESS and role == STATUS_ROLE:
            return row.status
        if column == PROGRESS and role == SHORT_TEXT_ROLE:
            return progress_short_text(row)
        if column == PROGRESS and role == BUSY_ROLE:
            return row.fraction is None and row.status in (Status.CONNECTING, Status.DOWNLOADING)
        if role == Qt.TextAlignmentRole and column in (RECEIVED, RATE, ELAPSED):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def sort_key(self, position: int, column: int) -> tuple[str | int | float, ...]:
        """What the Sort proxy compares: numbers as numbers, unknowns first."""
        row = self._rows[position]
        # Only the column asked for: a sort of ten thousand rows asks often.
        if column == SERVER:
            return (row.address.host, row.address.port)
        if column == STATUS:
            return (row.status.value,)
        if column == PROGRESS:
            fraction = row.fraction
            return (fraction if fraction is not None else -1.0,)
        if column == RECEIVED:
            return (row.received,)
        if column == RATE:
            return (row.rate or 0.0,)
        if column == ELAPSED:
            return (row.elapsed or 0.0,)
        return (row.title.casefold(), row.title)

    # Following the downloads

    def follow(self, events: EventStream) -> None:
        """Hear the events that change a row's status; the window's tick brings the bytes."""
        events.subscribe(self._heard, STATUS_EVENTS)

    def _heard(self, event: DownloadEvent) -> None:
        self.counts.observe(event)
        if isinstance(event, STATUS_EVENTS):
            self._touch(event.row, status_changed=True)

    # Changing

    def add_rows(self, rows: Iterable[ServerRow]) -> None:
        new = list(rows)
        if not new:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        for offset, row in enumerate(new):
            self._position[id(row)] = first + offset
            self._by_address.setdefault(row.address, row)
            self._rows.append(row)
        self.counts.add(new)
        self.endInsertRows()
        self.statusesChanged.emit()

    def remove_rows(self, rows: Iterable[ServerRow]) -> list[tuple[int, ServerRow]]:
        """Remove rows, one ``beginRemoveRows`` per run of adjacent positions.

        Returns ``(position, row)`` for each row removed, in position order:
        what :meth:`insert_rows` needs to put them back where they were.
        """
        positions = sorted({p for p in map(self.position_of, rows) if p is not None})
        removed = [(p, self._rows[p]) for p in positions]
        for first, last in reversed(_runs(positions)):
            self.beginRemoveRows(QModelIndex(), first, last)
            for row in self._rows[first : last + 1]:
                self._dirty.discard(id(row))
            del self._rows[first : last + 1]
            self.endRemoveRows()
        if positions:
            self.counts.remove(row for _position, row in removed)
            self._index()
            self.statusesChanged.emit()
        return removed

    def insert_rows(self, placed: Iterable[tuple[int, ServerRow]]) -> None:
        """Put rows back at their former positions (as :meth:`remove_rows` returned them)."""
        placed = sorted(placed, key=lambda item: item[0])
        if not placed:
            return
        for position, row in placed:
            at = min(position, len(self._rows))
            self.beginInsertRows(QModelIndex(), at, at)
            self._rows.insert(at, row)
            self.endInsertRows()
        self.counts.add(row for _position, row in placed)
        self._index()
        self.statusesChanged.emit()

    def _index(self) -> None:
        """Find the rows again by position and by address, after rows moved."""
        self._position = {id(row): p for p, row in enumerate(self._rows)}
        self._by_address = {}
        for row in self._rows:
            self._by_address.setdefault(row.address, row)

    def _touch(self, row: ServerRow, *, status_changed: bool = False) -> None:
        """Note that ``row`` changed; the view hears of it on the window's next tick."""
        if id(row) not in self._position:
            return
        self._dirty.add(id(row))
        if status_changed:
            self._statuses_changed = True

    def refresh(self, bytes_came: bool) -> bool:
        """Emit ``dataChanged`` for the dirty rows, and for the clock columns while rows run.

        The window's tick calls it, after the counts heard the tick's bytes.
        The cost follows what changed: the dirty rows, sorted, in at most
        :data:`MAX_RUNS` signals; the clocks and bytes are one signal over
        their columns, however many rows there are. Returns whether rows
        still run, so the tick goes on.
        """
        positions = sorted(self._position[key] for key in self._dirty if key in self._position)
        self._dirty.clear()
        last_column = len(COLUMNS) - 1
        runs = _runs(positions)
        if len(runs) > MAX_RUNS:
            runs = [(positions[0], positions[-1])]
        for first, last in runs:
            # Every column but the Server's: a row's address never changes while
            # it is listed, and a view sorted by Server re-sorts the rows of a
            # signal only when the signal spans that column (10,000 rows: 80 ms).
            self.dataChanged.emit(self.index(first, STATUS), self.index(last, last_column))
        now = time.monotonic()
        clocks = bool(self.counts.active) and (
            bytes_came or now - self._last_clock >= CLOCK_INTERVAL_S
        )
        if clocks:
            self._last_clock = now
            last_row = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, PROGRESS), self.index(last_row, ELAPSED))
        if positions or clocks:
            self.refreshed.emit()
        if self._statuses_changed:
            self._statuses_changed = False
            self.statusesChanged.emit()
        return bool(self.counts.active)

    def retranslate(self) -> None:
        """The language changed: the view asks again for the header and the cells with words."""
        self.headerDataChanged.emit(Qt.Horizontal, 0, len(COLUMNS) - 1)
        if self._rows:
            last = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, 0), self.index(last, len(COLUMNS) - 1))

    def stop(self) -> None:
        """Forget what waits to be shown (the window is closing)."""
        self._dirty.clear()


#: The columns whose values move with the bytes and the clock.
MOVING_COLUMNS = frozenset({PROGRESS, RECEIVED, RATE, ELAPSED})


class ServerSortModel(QSortFilterProxyModel):
    """Sorts by :meth:`ServerListModel.sort_key`, so sizes sort as numbers, not as text.

    A sort by Server, Status or Poem stays live: a row moves to its place
    when its status or title changes. A sort by a column that moves with
    the bytes and the clock (:data:`MOVING_COLUMNS`) is made when asked (a
    click on the header) and then holds while the values change: those
    columns change on every tick while downloads run, and re-sorting
    thousands of rows through ``lessThan`` on every tick would keep the
    window busy and make rows jump from under the pointer.
    """

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        self.setDynamicSortFilter(column not in MOVING_COLUMNS)
        super().sort(column, order)

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        source = self.sourceModel()
        assert isinstance(source, ServerListModel)
        return source.sort_key(left.row(), left.column()) < source.sort_key(
            right.row(), right.column()
        )


def display_text(row: ServerRow, column: int) -> str:
    """The text of one cell, as a person reads it."""
    if column == SERVER:
        return str(row.address)
    if column == STATUS:
        return row.status.words
    if column == PROGRESS:
        return progress_text(row)
    if column == RECEIVED:
        return format_size(row.received) if row.received or row.started else ""
    if column == RATE:
        rate = row.rate
        return format_rate(rate) if rate is not None else ""
    if column == ELAPSED:
        elapsed = row.elapsed
        return format_seconds(elapsed) if elapsed is not None else ""
    if column == POEM:
        return row.title
    return ""


def tooltip(row: ServerRow, column: int) -> str | None:
    if row.status is Status.FAILED:
        return literal_tooltip(row.reason)
    if column == SERVER and row.note:
        return literal_tooltip(row.note())
    if column == POEM and row.title:
        return literal_tooltip(row.title)
    return None


def literal_tooltip(text: str | None) -> str | None:
    """``text`` as a tooltip shows it: as written, even where it looks like markup.

    A tooltip guesses its format (``Qt.mightBeRichText``) and would render
    ``<b>`` as bold; text with a ``<`` or ``&`` is escaped into a paragraph
    instead, so the tooltip reads exactly as the text. Plain words stay as they are.
    """
    if text and ("<" in text or "&" in text):
        escaped = html.escape(text, quote=False)
        return f"<p style='white-space:pre-wrap'>{escaped}</p>"  # untranslated: markup
    return text


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Sorted positions as (first, last) runs of adjacent ones: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for p in positions:
        if runs and runs[-1][1] == p - 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    return runs
