"""The Demo Server Pace dialog: slow one demo server down and watch its download stretch.

Each running demo server gets a row: its poem and address, the seconds
between writes, the bytes per write, and how long one download takes at
that pace. Apply (or OK) hands the new paces to :class:`DemoServers`, and
downloads already in progress follow them from their next write. The
dialog is non-modal, even when opened with ``open()``: the point is to
watch the window's progress bars while changing a pace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PyQt5.QtCore import QEvent, Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.downloads.demo import DemoServer, DemoServers
from app.gui.labels import plain_label
from app.i18n import N_, _
from app.i18n.units import format_seconds

MAX_DELAY = 5.0
DELAY_STEP = 0.05
MAX_NUM_BYTES = 65536
HINT = N_(
    "A slower server's download stretches; the others are not held up "
    "— that is the reactor at work."
)
NO_SERVERS = N_(
    "No demo servers are running, so there is no pace to change. "
    "They run on a first start, or when the program is started with --demo."
)
#: The grid's column headers.
HEADERS = (N_("Server"), N_("Between writes"), N_("Bytes per write"), N_("One download"))


def download_time(server: DemoServer, delay: float, num_bytes: int) -> str:
    """What one download from ``server`` takes at this pace, in words."""
    if delay == 0:
        return _("full speed")
    seconds = format_seconds(math.ceil(server.bytes_sent / num_bytes) * delay)
    if server.fails:
        return _("≈ {time}, then breaks off").format(time=seconds)
    return _("≈ {time}").format(time=seconds)


@dataclass
class _PaceRow:
    server: DemoServer
    delay: QDoubleSpinBox
    num_bytes: QSpinBox
    estimate: QLabel
    name: QLabel | None = None

    @property
    def chosen(self) -> tuple[float, int]:
        return self.delay.value(), self.num_bytes.value()

    @property
    def changed(self) -> bool:
        return self.chosen != self.server.pace


class DemoPaceDialog(QDialog):
    """Paces for the running demo servers; emits ``paceApplied(address, delay, num_bytes)``
    for each server whose pace Apply or OK changed."""

    paceApplied = pyqtSignal(str, float, int)

    def __init__(self, demo: DemoServers, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoPaceDialog")
        self.setModal(False)
        self.demo = demo
        self.rows = [self._make_row(server) for server in demo.servers]

        self._headers: list[QLabel] = []
        layout = QVBoxLayout(self)
        if self.rows:
            self.hint = plain_label("")
            self.hint.setObjectName("paceHint")
            self.hint.setWordWrap(True)
            layout.addWidget(self.hint)
            layout.addLayout(self._make_grid())
            buttons = QDialogButtonBox(
                QDialogButtonBox.Ok | QDialogButtonBox.Apply | QDialogButtonBox.Close
            )
            self.apply_button = buttons.button(QDialogButtonBox.Apply)
            self.apply_button.setEnabled(False)
            self.apply_button.clicked.connect(self.apply)
            buttons.accepted.connect(self.accept)
        else:
            self.hint = plain_label("")
            self.hint.setObjectName("paceNoServers")
            self.hint.setWordWrap(True)
            layout.addWidget(self.hint)
            buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        self.status = plain_label("")
        self.status.setObjectName("paceStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self._retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        """Say everything in the current language; what Apply reported stays as it was said."""
        self.setWindowTitle(_("Demo Server Pace"))
        self.hint.setText(_(HINT) if self.rows else _(NO_SERVERS))
        for label, header in zip(self._headers, HEADERS, strict=False):  # none without rows
            label.setText(_(header))
        for row in self.rows:
            server = row.server
            row.delay.setAccessibleName(
                _("Seconds between writes for {poem}").format(poem=server.poem_name)
            )
            row.delay.setSuffix(_(" s"))
            row.delay.setSpecialValueText(_("full speed"))  # shown at 0
            row.num_bytes.setAccessibleName(
                _("Bytes per write for {poem}").format(poem=server.poem_name)
            )
            if row.name is not None:
                name = (
                    _("{poem} — {address} (breaks off on purpose)")
                    if server.fails
                    else "{poem} — {address}"  # untranslated: names and punctuation only
                )
                row.name.setText(name.format(poem=server.poem_name, address=server.address))
            self._show_estimate(row)

    def _make_row(self, server: DemoServer) -> _PaceRow:
        port = server.address.port
        delay, num_bytes = server.pace
        delay_spin = QDoubleSpinBox()
        delay_spin.setObjectName(f"paceDelay-{port}")
        delay_spin.setRange(0.0, MAX_DELAY)
        delay_spin.setSingleStep(DELAY_STEP)
        delay_spin.setDecimals(2)
        delay_spin.setValue(delay)
        bytes_spin = QSpinBox()
        bytes_spin.setObjectName(f"paceBytes-{port}")
        bytes_spin.setRange(1, MAX_NUM_BYTES)
        bytes_spin.setValue(num_bytes)
        estimate = plain_label("")
        estimate.setObjectName(f"paceEstimate-{port}")
        row = _PaceRow(server, delay_spin, bytes_spin, estimate)
        delay_spin.valueChanged.connect(lambda _value: self._edited(row))
        bytes_spin.valueChanged.connect(lambda _value: self._edited(row))
        self._show_estimate(row)
        return row

    def _make_grid(self) -> QGridLayout:
        grid = QGridLayout()
        for column in range(len(HEADERS)):
            header = plain_label("")
            self._headers.append(header)
            grid.addWidget(header, 0, column)
        for number, row in enumerate(self.rows, start=1):
            server = row.server
            label = plain_label("")
            row.name = label
            label.setObjectName(f"paceServer-{server.address.port}")
            label.setBuddy(row.delay)
            grid.addWidget(label, number, 0)
            grid.addWidget(row.delay, number, 1)
            grid.addWidget(row.num_bytes, number, 2)
            grid.addWidget(row.estimate, number, 3)
        return grid

    def open(self) -> None:
        """Show the dialog and return, leaving the window usable (QDialog's own
        ``open()`` would make it window-modal)."""
        self.setWindowModality(Qt.NonModal)
        self.show()

    def apply(self) -> None:
        """Give each changed pace to its server; downloads in progress follow at the next write."""
        applied: list[str] = []
        stopped: list[str] = []
        for row in self.rows:
            if not row.changed:
                continue
            delay, num_bytes = row.chosen
            try:
                self.demo.set_pace(row.server.address, delay, num_bytes)
            except LookupError:
                stopped.append(row.server.poem_name)
                continue
            applied.append(row.server.poem_name)
            self.paceApplied.emit(str(row.server.address), delay, num_bytes)
        lines = []
        if applied:
            lines.append(
                _(
                    "New pace for {poems}; downloads in progress follow it from their next write."
                ).format(poems=_(", ").join(applied))
            )
        if stopped:
            lines.append(_("No longer running: {poems}.").format(poems=_(", ").join(stopped)))
        self.status.setText("\n".join(lines))
        self._update_apply()

    def accept(self) -> None:
        self.apply()
        super().accept()

    def _edited(self, row: _PaceRow) -> None:
        self._show_estimate(row)
        self._update_apply()

    def _show_estimate(self, row: _PaceRow) -> None:
        row.estimate.setText(download_time(row.server, *row.chosen))

    def _update_apply(self) -> None:
        self.apply_button.setEnabled(any(row.changed for row in self.rows))
