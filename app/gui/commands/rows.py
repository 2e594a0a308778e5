"""What the window does to its rows: add, start, cancel, remove, retry, save a poem, show an error.

:class:`RowCommands` is a part of :class:`app.gui.window.MainWindow` (a
mixin): the commands need the window's table, model and download
controller, which the window builds; the window only composes. Each
command reads the rows it acts on from the selection as a person sees it
(sorted or not), asks the controller or the model to act, and keeps the
actions' enabled state true to what is selected.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PyQt5.QtCore import QItemSelectionModel
from PyQt5.QtWidgets import (
    QDialog,
    QFileDialog,
    QMessageBox,
    QStatusBar,
    QTableView,
    QWidget,
)

from app.atomic_file import write_document
from app.downloads.controller import DownloadController
from app.downloads.demo import DemoServers
from app.downloads.events import Mode
from app.downloads.rows import ServerRow, Status
from app.gui.actions import WindowActions
from app.gui.commands.paced_adds import PacedAdds
from app.gui.commands.paced_starts import PacedStarts
from app.gui.dialogs.failures import FailureDialog
from app.gui.table.model import ServerListModel, ServerSortModel
from app.i18n import _, ngettext
from app.net.address import Address
from app.views.file_names import poem_file_name


def demo_note(poem: str, fails: bool) -> str:
    """A demo row's tooltip: which poem it serves, and whether it breaks off on purpose."""
    if fails:
        return _("Embedded demo server: {poem} (breaks off on purpose)").format(poem=poem)
    return _("Embedded demo server: {poem}").format(poem=poem)


#: How many removals Undo can take back, one at a time (the oldest is forgotten first).
UNDO_LEVELS = 20


class RowCommands:
    """The row commands of the main window; the attributes below are the window's parts."""

    table: QTableView
    model: ServerListModel
    proxy: ServerSortModel
    downloads: DownloadController
    starts: PacedStarts
    adds: PacedAdds
    demo: DemoServers
    commands: WindowActions
    failure_dialog: FailureDialog
    #: What each Remove took, the latest last, each row with its position: for Undo.
    _removed: list[list[tuple[int, ServerRow]]]
    #: The selected rows as last read, for the actions' state; None once the selection changed.
    _selection: list[ServerRow] | None = None

    if TYPE_CHECKING:  # the window's own methods; at run time the window has them

        def window(self) -> QWidget: ...
        def statusBar(self) -> QStatusBar: ...
        def save_settings(self) -> None: ...
        def open_dialog(self, dialog: QDialog) -> None: ...
        def tell(
            self, title: str, text: str, icon: QMessageBox.Icon, *, status: bool = ...
        ) -> QMessageBox: ...

    # The rows acted on

    def selected_rows(self) -> list[ServerRow]:
        """The selected rows, top to bottom as the user sees them."""
        indexes = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [self.model.row_at(self.proxy.mapToSource(i).row()) for i in indexes]

    def current_row(self) -> ServerRow | None:
        index = self.table.selectionModel().currentIndex()
        if not index.isValid():
            return None
        return self.model.row_at(self.proxy.mapToSource(index).row())

    # Commands

    def add_servers(
        self, addresses: Iterable[Address], encoding: str = "utf-8", *, start: bool = False
    ) -> list[ServerRow]:
        """Add rows for addresses not yet listed; start them (and listed ones) if asked.

        Everything is listed before this returns: the way of a later launch,
        the tests and the benchmarks. A few hundred rows are queued at once
        too; more start in turns (:class:`~app.gui.commands.paced_starts.PacedStarts`),
        since queueing 10,000 at once held the loop for 300 ms. A person's
        OK in Add Servers is :meth:`add_chosen_servers`.
        """
        rows, new = self.list_rows(addresses, encoding)
        if new:
            self.save_settings()
        if start:
            self.starts.start(rows, self.commands.mode)
        return rows

    def add_chosen_servers(self, addresses: list[Address], encoding: str, start: bool) -> None:
        """OK in Add Servers: thousands of rows are listed, and started if asked, in turns.

        The rows go into the table a slice per event-loop turn
        (:class:`~app.gui.commands.paced_adds.PacedAdds`) and each slice starts in
        turns (:class:`~app.gui.commands.paced_starts.PacedStarts`), so OK never
        freezes the window; a short list is listed at once.
        """
        mode = self.commands.mode

        def start_in_turns(rows: list[ServerRow]) -> None:
            self.starts.start(rows, mode)

        self.adds.add(addresses, encoding, start_in_turns if start else None)

    def list_rows(
        self, addresses: Iterable[Address], encoding: str
    ) -> tuple[list[ServerRow], list[ServerRow]]:
        """The rows of ``addresses``, in order, listing those not yet listed: (rows, new rows)."""
        given: dict[Address, ServerRow] = {}
        rows: list[ServerRow] = []
        new: list[ServerRow] = []
        for address in addresses:
            row = given.get(address)
            if row is None:
                row = self.model.row_for(address)
                if row is None:
                    row = ServerRow(address, encoding)
                    new.append(row)
                given[address] = row
            rows.append(row)
        self.model.add_rows(new)
        return rows, new

    def start_demo(self) -> list[ServerRow]:
        """Start the embedded demo servers, list them and download from them at once."""
        known = {row.address for row in self.model.rows}
        rows = [
            ServerRow(
                server.address,
                expected_size=server.poem_size,
                demo=True,
                note=partial(demo_note, server.poem_name, server.fails),
            )
            for server in self.demo.start()
            if server.address not in known
        ]
        self.model.add_rows(rows)
        self.downloads.start(rows)
        return rows

    def start_selected(self) -> None:
        self.starts.start(self.selected_rows(), self.commands.mode)

    def start_all(self) -> None:
        self.starts.start(self.model.rows, self.commands.mode)

    def cancel_selected(self) -> None:
        rows = self.selected_rows()
        self.starts.withdraw(rows)
        self.downloads.cancel(rows)

    def remove_rows(self, rows: list[ServerRow]) -> None:
        """Cancel the rows' downloads (closing their sockets now), then drop the rows.

        Undo brings them back where they were, with their poems; the row
        that took the first one's place is selected, so a second Delete
        removes it too, as in a file manager.
        """
        if not rows:
            return
        first = min(
            (self.proxy.mapFromSource(self.model.index(p, 0)).row() for p in self._positions(rows)),
            default=0,
        )
        self.starts.withdraw(rows)
        self.downloads.forget(rows)
        removed = self.model.remove_rows(rows)
        self._removed.append(removed)
        # Removed rows keep their poems (up to the client's limit, 16 MiB each)
        # for as long as Undo can bring them back, so only the latest few
        # removals are kept: what a person may still want back, never the
        # memory of every removal since the window opened.
        del self._removed[:-UNDO_LEVELS]
        self.commands.undo.setEnabled(True)
        count = len(removed)
        notice = ngettext(
            "Removed {n} server; Ctrl+Z brings it back",
            "Removed {n} servers; Ctrl+Z brings them back",
            count,
        ).format(n=count)
        self.statusBar().showMessage(notice, 10_000)
        self._select_view_rows([min(first, self.proxy.rowCount() - 1)])
        self.save_settings()

    def remove_selected(self) -> None:
        self.remove_rows(self.selected_rows())

    def undo_remove(self) -> None:
        """Put the rows removed last back where they were, and select them.

        Each Undo takes back one Remove, the latest first, so the rows a
        Remove took go back to the places they had just before it: pressed
        again and again, it brings the list back as it was, step by step.
        """
        removed = self._removed.pop() if self._removed else []
        self.commands.undo.setEnabled(bool(self._removed))
        if not removed:
            return
        self.model.insert_rows(removed)
        rows = [row for _position, row in removed]
        self._select_view_rows(
            [self.proxy.mapFromSource(self.model.index(p, 0)).row() for p in self._positions(rows)]
        )
        self.save_settings()

    def _positions(self, rows: list[ServerRow]) -> list[int]:
        return [p for p in map(self.model.position_of, rows) if p is not None]

    def _select_view_rows(self, view_rows: list[int]) -> None:
        """Select exactly these rows of the table as shown (sorted), the first one current."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        valid = [r for r in view_rows if 0 <= r < self.proxy.rowCount()]
        for r in valid:
            selection.select(
                self.proxy.index(r, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows
            )
        if valid:
            selection.setCurrentIndex(self.proxy.index(valid[0], 0), QItemSelectionModel.NoUpdate)

    def retry_failed(self) -> None:
        failed = [row for row in self.model.rows if row.status is Status.FAILED]
        self.starts.start(failed, Mode.REACTOR)

    def show_error(self) -> None:
        row = self.current_row()
        if row is not None and row.failure is not None:
            self.failure_dialog.show_failure(str(row.address), row.failure)

    def open_save_dialog(self) -> QFileDialog | None:
        """Ask where to save the current row's poem (non-modal); written as UTF-8 when chosen."""
        row = self.current_row()
        if row is None or row.poem is None:
            return None
        poem = row.poem
        name = poem_file_name(row.title, row.address)
        dialog = QFileDialog(
            self.window(), _("Save Poem As"), str(Path.home() / name), _("Text files (*.txt)")
        )
        dialog.setObjectName("savePoemDialog")
        dialog.setAcceptMode(QFileDialog.AcceptSave)
        dialog.setOption(QFileDialog.DontUseNativeDialog)
        dialog.setDefaultSuffix("txt")
        dialog.fileSelected.connect(lambda path: self._write_poem(Path(path), poem.text))
        self.open_dialog(dialog)
        return dialog

    def _write_poem(self, path: Path, text: str) -> None:
        """Write the poem atomically: on a full disk the file it would replace stays as it was."""
        try:
            write_document(path, text.encode("utf-8"))
        except OSError as e:
            self.tell(
                _("Poem Not Saved"),
                _("Could not save {path}: {reason}").format(path=path, reason=e.strerror or e),
                QMessageBox.Warning,
            )
        else:
            self.statusBar().showMessage(_("Saved {path}").format(path=path), 5000)

    # Keeping the actions true to the selection and the statuses

    def update_actions(self) -> None:
        """Enable what can act: from the model's counts, and the selection as last read.

        Called on every refresh tick that changed a status, so it never walks
        the list: Start All and Retry Failed ask the counts; the selection is
        read again only after it changed (:meth:`selection_changed`).
        """
        a = self.commands
        if self._selection is None:
            self._selection = self.selected_rows()
        selected = self._selection
        counts = self.model.counts
        current = self.current_row()
        a.remove.setEnabled(bool(selected))
        # A row waiting for its turn to start counts as started: Cancel stops it.
        waiting = self.starts.is_waiting
        a.start.setEnabled(any(not (row.status.active or waiting(row)) for row in selected))
        a.cancel.setEnabled(any(row.status.active or waiting(row) for row in selected))
        a.start_all.setEnabled(len(counts) > counts.active + self.starts.waiting)
        a.retry_failed.setEnabled(counts[Status.FAILED] > 0)
        a.save_poem.setEnabled(current is not None and current.poem is not None)
        a.show_error.setEnabled(current is not None and current.failure is not None)

    def selection_changed(self) -> None:
        """The selected rows changed (or rows left the table): read them again, then the actions."""
        self._selection = None
        self.update_actions()
