"""The server table's view: a ``QTableView`` set up as the window shows it.

The rows come from the model (:mod:`app.gui.table.model`, usually through its
sort proxy); the Progress column is painted by
:class:`~app.gui.table.delegate.ProgressDelegate`.
"""

from __future__ import annotations

from PyQt5.QtCore import QAbstractItemModel, Qt
from PyQt5.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.downloads.rows import Status
from app.gui.table.delegate import ProgressDelegate
from app.gui.table.model import POEM, PROGRESS, SERVER, STATUS


def server_table(model: QAbstractItemModel) -> QTableView:
    """The ``serverTable`` over ``model``: whole rows selected, no editing, sorted on a click."""
    table = QTableView()
    table.setObjectName("serverTable")
    table.setModel(model)
    table.setItemDelegateForColumn(PROGRESS, ProgressDelegate(table))
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setSelectionMode(QAbstractItemView.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setContextMenuPolicy(Qt.CustomContextMenu)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.Interactive)
    header.setStretchLastSection(False)
    # Progress takes the room the other columns leave (app/gui/window_sizing.py).
    metrics = table.fontMetrics()
    table.setColumnWidth(SERVER, metrics.horizontalAdvance("255.255.255.255:65535") + 16)
    table.setColumnWidth(STATUS, status_width(table))
    # The title comes right after the bar that brings it (the model keeps it
    # last); in a small window it scrolls away with the columns after it,
    # leaving Server, Status and Progress.
    header.moveSection(header.visualIndex(POEM), header.visualIndex(PROGRESS) + 1)
    table.setColumnWidth(POEM, metrics.horizontalAdvance("x" * 18))
    # No sort until the user clicks a header: rows stay in the order added.
    header.setSortIndicator(-1, Qt.AscendingOrder)
    table.setSortingEnabled(True)
    return table


def status_width(table: QTableView) -> int:
    """Room for the longest status word, in English or the language spoken now."""
    metrics = table.fontMetrics()
    words = [word for status in Status for word in (status.value, status.words)]
    return max(metrics.horizontalAdvance(word) for word in words) + 28
