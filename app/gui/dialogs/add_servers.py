"""The Add Servers dialog: paste or type many addresses, pick their encoding.

OK stays disabled while anything typed is wrong, and the dialog says what
and where ("line 3: 'localhost:99999': port 99999 is outside 1-65535"), so a
person fixes the text instead of guessing. Addresses already in the table, or
given twice, are refused the same way. The dialog is opened with ``open()``
and reports through the ``serversChosen`` signal: nothing waits on it.

A short list is checked as it is typed. A long one (ten thousand pasted
addresses take tens of milliseconds to read) is checked once the typing
pauses, a slice of addresses per event-loop turn, so neither a paste nor
a keystroke in a huge list freezes the window; OK is disabled from the
change until the check is done.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from PyQt5.QtCore import QEvent, QMimeData, QObject, Qt, QTimer, pyqtSignal
from PyQt5.QtGui import QColor, QKeyEvent, QTextCharFormat, QTextCursor
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.gui.labels import plain_label
from app.i18n import _, ngettext
from app.i18n.units import shorten
from app.net.address import Address
from app.net.address_list import AddressReader
from app.net.poem import check_encoding

ENCODINGS = ("utf-8", "latin-1", "cp1252", "utf-16", "shift_jis", "euc-jp", "gb18030", "big5")
#: Reasons listed (they scroll); past that, how many more. Lines marked in the text, the same.
MAX_REASONS_SHOWN = 200
PROBLEM_LINES = 6  # the height of the reasons' place, in lines of text; it scrolls beyond
MAX_REASON_CHARS = 150  # a pasted megabyte of garbage is named, not shown
CHECK_AT_ONCE_CHARS = 20_000  # about a thousand addresses: read in a few milliseconds
PAUSE_MS = 250  # a longer list is read this long after the last change...
SLICE = 1_000  # ...this many addresses per event-loop turn (about 10 ms)


class AddressesEdit(QPlainTextEdit):
    """The list of addresses: plain text, where a paste goes in as one insertion.

    Qt pastes plain text by building a whole document fragment from it, then
    copying that in: twice the work of inserting the text, about 45 ms for
    ten thousand lines against 20. Inserting the text is the same edit (one
    step to undo, the selection replaced).
    """

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasText() and not self.isReadOnly():
            self.insertPlainText(source.text())
            self.ensureCursorVisible()
        else:
            super().insertFromMimeData(source)


class AddServersDialog(QDialog):
    """Emits ``serversChosen(addresses, encoding, start_now)`` when accepted."""

    serversChosen = pyqtSignal(list, str, bool)

    def __init__(self, existing: Callable[[], Collection[Address]], parent: QWidget | None) -> None:
        super().__init__(parent)
        self._existing = existing
        self.setObjectName("addServersDialog")
        self.setWindowTitle(_("Add Servers"))
        self.resize(560, 440)

        self.addresses_edit = AddressesEdit()
        self.addresses_edit.setObjectName("addressesEdit")
        self.addresses_edit.setPlaceholderText(
            "10000\nlocalhost:10001, example.org:10002\n[::1]:10003"  # untranslated: addresses
        )
        self.addresses_edit.setTabChangesFocus(True)
        self.encoding_combo = QComboBox()
        self.encoding_combo.setObjectName("encodingCombo")
        self.encoding_combo.setEditable(True)
        self.encoding_combo.addItems(ENCODINGS)
        self.start_check = QCheckBox(_("&Start downloading at once"))
        self.start_check.setObjectName("startNowCheck")
        self.start_check.setChecked(True)
        # What was typed or pasted is shown as it is, never as markup.
        self.problem_label = plain_label("")
        self.problem_label.setObjectName("problemLabel")
        self.problem_label.setWordWrap(True)
        self.problem_label.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        # A fixed-height, scrollable place for the reasons: however many lines
        # they wrap to, nothing is cut off and the list above does not jump.
        self.problem_area = QScrollArea()
        self.problem_area.setObjectName("problemArea")
        self.problem_area.setWidget(self.problem_label)
        self.problem_area.setWidgetResizable(True)
        self.problem_area.setFrameShape(QFrame.NoFrame)
        self.problem_area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.problem_area.setFixedHeight(self.fontMetrics().lineSpacing() * PROBLEM_LINES)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        # Alt+O presses OK, as people expect, instead of typing an "o" into the list.
        self.buttons.button(QDialogButtonBox.Ok).setText(_("&OK"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        intro = plain_label(
            _(
                "Addresses, separated by spaces, commas or new lines "
                "(PORT, HOST:PORT or [IPv6]:PORT):"
            )
        )
        intro.setWordWrap(True)
        intro.setBuddy(self.addresses_edit)
        encoding_label = plain_label(_("&Encoding:"))
        encoding_label.setBuddy(self.encoding_combo)
        form = QFormLayout()
        form.addRow(encoding_label, self.encoding_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.addresses_edit)
        layout.addLayout(form)
        layout.addWidget(self.start_check)
        layout.addWidget(self.problem_area)
        layout.addWidget(self.buttons)

        #: The reading of the text as it is now; None until the text changes and is read again.
        self._reader: AddressReader | None = None
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(PAUSE_MS)
        self._pause.timeout.connect(self._start_reading)
        self._slicer = QTimer(self)
        self._slicer.setInterval(0)
        self._slicer.timeout.connect(self._read_slice)

        self.addresses_edit.textChanged.connect(self._text_changed)
        self.encoding_combo.editTextChanged.connect(self._encoding_changed)
        # Ctrl+Return adds from the list itself, where Return starts a new line.
        self.addresses_edit.installEventFilter(self)
        # An editable combo box keeps Return for itself; here it means OK, the first time.
        self.encoding_combo.setInsertPolicy(QComboBox.NoInsert)
        encoding_edit = self.encoding_combo.lineEdit()
        if encoding_edit is not None:
            encoding_edit.returnPressed.connect(self.accept)
        self._accepted = False
        self.validate()

    @property
    def checking(self) -> bool:
        """True from a change of a long list until its check is done (OK is disabled meanwhile)."""
        return self._reader is None or not self._reader.done

    def validate(self) -> bool:
        """Check everything now; enable OK only if it all can be added. Returns that verdict."""
        self._pause.stop()
        self._slicer.stop()
        if self._reader is None:
            self._reader = AddressReader(self.addresses_edit.toPlainText(), self._existing())
        self._reader.read()
        return self._show_verdict()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.addresses_edit
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.KeyPress
            and event.key() in (Qt.Key_Return, Qt.Key_Enter)
            and event.modifiers() & Qt.ControlModifier
        ):
            self.accept()
            return True
        return super().eventFilter(watched, event)

    def accept(self) -> None:
        # Return in the encoding box reaches here twice (its own signal, then the default button).
        if self._accepted or not self.validate():
            return
        self._accepted = True
        assert self._reader is not None
        encoding = check_encoding(self.encoding_combo.currentText().strip())
        self.serversChosen.emit(self._reader.addresses, encoding, self.start_check.isChecked())
        super().accept()

    def _text_changed(self) -> None:
        self._reader = None
        self._slicer.stop()
        if self.addresses_edit.document().characterCount() <= CHECK_AT_ONCE_CHARS:
            self.validate()
        else:
            self._ok_button.setEnabled(False)
            self._pause.start()

    def _encoding_changed(self) -> None:
        if not self.checking:
            self._show_verdict()

    def _start_reading(self) -> None:
        self._reader = AddressReader(self.addresses_edit.toPlainText(), self._existing())
        self._slicer.start()

    def _read_slice(self) -> None:
        if self._reader is None or self._reader.read(SLICE):
            self._slicer.stop()
            self._show_verdict()

    def _show_verdict(self) -> bool:
        reader = self._reader
        assert reader is not None and reader.done
        problems = list(reader.problems)
        try:
            check_encoding(self.encoding_combo.currentText().strip())
        except ValueError as e:
            problems.append(_("encoding: {reason}").format(reason=e))
        if not reader.addresses and not problems:
            problems.append(_("Type or paste at least one address."))
        shown = [shorten(problem, MAX_REASON_CHARS) for problem in problems[:MAX_REASONS_SHOWN]]
        if len(problems) > MAX_REASONS_SHOWN:
            more = len(problems) - MAX_REASONS_SHOWN
            shown.append(_("… and {n} more").format(n=f"{more:,}"))
        ok = not problems
        if ok:
            count = len(reader.addresses)
            added = ngettext("{n} server will be added.", "{n} servers will be added.", count)
            shown = [added.format(n=f"{count:,}")]
        self.problem_label.setText("\n".join(shown))
        self._mark_lines(reader.problem_lines[:MAX_REASONS_SHOWN])
        self._ok_button.setEnabled(ok)
        return ok

    def _mark_lines(self, lines: list[int]) -> None:
        """Underline the lines that have a problem, as a spelling checker would."""
        marks = []
        document = self.addresses_edit.document()
        for line in sorted(set(lines)):
            block = document.findBlockByNumber(line - 1)
            if not block.isValid():
                continue
            mark = QTextEdit.ExtraSelection()
            mark.format.setUnderlineStyle(QTextCharFormat.SpellCheckUnderline)
            mark.format.setUnderlineColor(QColor(222, 56, 43))
            mark.cursor = QTextCursor(block)
            mark.cursor.movePosition(QTextCursor.EndOfBlock, QTextCursor.KeepAnchor)
            marks.append(mark)
        self.addresses_edit.setExtraSelections(marks)

    @property
    def _ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.Ok)
