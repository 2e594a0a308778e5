"""One non-modal dialog listing every failure the user has not yet acknowledged.

The dialog follows the download signals: each ``Failed`` (and each
``InternalError``, a bug of ours while handling a row) is appended with
:meth:`FailureDialog.add`, which shows the dialog without blocking: never
``exec_()``, which inside an errback would stall the reactor's timers and
the other errbacks while it is open. Fifty failures at once make one
dialog with fifty entries. Closing the dialog acknowledges what it lists;
the next failure starts a fresh list.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QFontDatabase
from PyQt5.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from twisted.python.failure import Failure

from app.client import describe_failure, failure_details
from app.events import Failed, InternalError
from app.gui.download_signals import DownloadSignals
from app.gui.labels import plain_label

_FAILURE_ROLE = Qt.UserRole


class FailureDialog(QDialog):
    """Failures by server and reason; the selected one's full traceback; Copy."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("failureDialog")
        self.setWindowTitle("Download Failures")
        self.setModal(False)
        # A failure arriving while you work must not take the keyboard from the
        # window (Esc would stop cancelling); Show Error… activates it on purpose.
        self.setAttribute(Qt.WA_ShowWithoutActivating)
        self.resize(640, 460)

        self.summary = plain_label(name="failureSummary")
        self.failure_list = QListWidget()
        self.failure_list.setObjectName("failureList")
        self.traceback_view = QPlainTextEdit()
        self.traceback_view.setObjectName("tracebackView")
        self.traceback_view.setReadOnly(True)
        self.traceback_view.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.traceback_view.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(self.failure_list)
        splitter.addWidget(self.traceback_view)
        splitter.setSizes([160, 300])

        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setObjectName("copyButton")
        self.copy_button.setToolTip("Copy the selected failure's traceback")
        buttons.addButton(self.copy_button, QDialogButtonBox.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_traceback)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter)
        layout.addWidget(buttons)
        self.failure_list.currentItemChanged.connect(self._show_selected)

    def follow(self, signals: DownloadSignals) -> None:
        signals.failed.connect(self._failed)
        signals.internalError.connect(self._failed)

    def _failed(self, event: Failed | InternalError) -> None:
        self.add(str(event.row.address), event.failure)

    def add(self, server: str, failure: Failure, *, select: bool = False) -> None:
        """List one failure and show the dialog (without taking focus from the window)."""
        item = QListWidgetItem(f"{server} — {describe_failure(failure)}")
        item.setData(_FAILURE_ROLE, failure)
        self.failure_list.addItem(item)
        if select or self.failure_list.currentItem() is None:
            self.failure_list.setCurrentItem(item)
        count = self.failure_list.count()
        self.summary.setText("1 download failed." if count == 1 else f"{count} downloads failed.")
        if not self.isVisible():
            working_in = QApplication.activeWindow()
            self.show()
            # Platforms that activate every new window anyway: give the keyboard back.
            if working_in is not None and working_in is not self:
                working_in.activateWindow()

    def show_failure(self, server: str, failure: Failure) -> None:
        """Select ``failure`` (listing it again if acknowledged) and bring the dialog up."""
        for position in range(self.failure_list.count()):
            item = self.failure_list.item(position)
            if item is not None and item.data(_FAILURE_ROLE) is failure:
                self.failure_list.setCurrentItem(item)
                break
        else:
            self.add(server, failure, select=True)
        self.show()
        self.raise_()
        self.activateWindow()

    def copy_traceback(self) -> None:
        QApplication.clipboard().setText(self.traceback_view.toPlainText())

    def done(self, result: int) -> None:
        """Closing (button, Esc, title bar) acknowledges the listed failures; rows keep theirs."""
        self.failure_list.clear()
        self.traceback_view.clear()
        super().done(result)

    def _show_selected(self, item: QListWidgetItem | None) -> None:
        failure = item.data(_FAILURE_ROLE) if item is not None else None
        self.traceback_view.setPlainText(failure_details(failure) if failure is not None else "")
