"""The Add Servers dialog: paste or type many addresses, pick their encoding.

OK stays disabled while anything typed is wrong, and the dialog says what
and where ("line 3: 'localhost:99999': port 99999 is outside 1-65535"), so a
person fixes the text instead of guessing. Addresses already in the table, or
given twice, are refused the same way. The dialog is opened with ``open()``
and reports through the ``serversChosen`` signal: nothing waits on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.address import Address, parse_address
from app.client import check_encoding

ENCODINGS = ("utf-8", "latin-1", "cp1252", "utf-16", "shift_jis", "euc-jp", "gb18030", "big5")
_SEPARATORS = re.compile(r"[\s,]+")
MAX_REASONS_SHOWN = 5


def read_addresses(
    text: str, existing: Collection[Address] = ()
) -> tuple[list[Address], list[str]]:
    """Parse a pasted list: addresses in order, and one reason per problem, naming its line."""
    addresses: list[Address] = []
    problems: list[str] = []
    seen: set[Address] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        for word in filter(None, _SEPARATORS.split(line)):
            try:
                address = parse_address(word)
            except ValueError as e:
                problems.append(f"line {number}: {e}")
                continue
            if address in existing:
                problems.append(f"line {number}: {address} is already in the list")
            elif address in seen:
                problems.append(f"line {number}: {address} is given twice")
            else:
                seen.add(address)
                addresses.append(address)
    return addresses, problems


class AddServersDialog(QDialog):
    """Emits ``serversChosen(addresses, encoding, start_now)`` when accepted."""

    serversChosen = pyqtSignal(list, str, bool)

    def __init__(self, existing: Callable[[], Collection[Address]], parent: QWidget | None) -> None:
        super().__init__(parent)
        self._existing = existing
        self.setObjectName("addServersDialog")
        self.setWindowTitle("Add Servers")
        self.resize(460, 340)

        self.addresses_edit = QPlainTextEdit()
        self.addresses_edit.setObjectName("addressesEdit")
        self.addresses_edit.setPlaceholderText(
            "10000\nlocalhost:10001, example.org:10002\n[::1]:10003"
        )
        self.addresses_edit.setTabChangesFocus(True)
        self.encoding_combo = QComboBox()
        self.encoding_combo.setObjectName("encodingCombo")
        self.encoding_combo.setEditable(True)
        self.encoding_combo.addItems(ENCODINGS)
        self.start_check = QCheckBox("Start downloading at once")
        self.start_check.setObjectName("startNowCheck")
        self.start_check.setChecked(True)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("problemLabel")
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.PlainText)  # what was typed is never markup
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        intro = QLabel(
            "Addresses, separated by spaces, commas or new lines (PORT, HOST:PORT or [IPv6]:PORT):"
        )
        intro.setWordWrap(True)
        intro.setBuddy(self.addresses_edit)
        form = QFormLayout()
        form.addRow("&Encoding:", self.encoding_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.addresses_edit)
        layout.addLayout(form)
        layout.addWidget(self.start_check)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)

        self.addresses_edit.textChanged.connect(self.validate)
        self.encoding_combo.editTextChanged.connect(self.validate)
        self.validate()

    def validate(self) -> bool:
        """Check everything typed; enable OK only if it all can be added. Returns that verdict."""
        addresses, problems = read_addresses(self.addresses_edit.toPlainText(), self._existing())
        try:
            check_encoding(self.encoding_combo.currentText().strip())
        except ValueError as e:
            problems.append(f"encoding: {e}")
        if not addresses and not problems:
            problems.append("Type or paste at least one address.")
        shown = problems[:MAX_REASONS_SHOWN]
        if len(problems) > MAX_REASONS_SHOWN:
            shown.append(f"… and {len(problems) - MAX_REASONS_SHOWN} more")
        self.problem_label.setText("\n".join(shown))
        ok = not problems
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(ok)
        return ok

    def accept(self) -> None:
        if not self.validate():
            return
        addresses, _ = read_addresses(self.addresses_edit.toPlainText(), self._existing())
        encoding = check_encoding(self.encoding_combo.currentText().strip())
        self.serversChosen.emit(addresses, encoding, self.start_check.isChecked())
        super().accept()
