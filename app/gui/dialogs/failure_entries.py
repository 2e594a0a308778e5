"""The Download Failures window's entries: one failed row each, and what became of it since.

An entry keeps what its row knew when it failed (its address, the failure,
the size it expected), so its words and hint stay true after the row moves
on. What became of the row since (started again, removed) is its *fate*,
kept beside the entry and said after its line.
"""

from __future__ import annotations

from dataclasses import dataclass

from PyQt5.QtCore import Qt
from twisted.python.failure import Failure

from app.downloads.rows import ServerRow
from app.i18n import N_, _
from app.net.address import Address, parse_address
from app.net.failures import describe_failure
from app.views.failure_hints import hint, internal_hint

#: Where a list item keeps its entry, and its fate.
ENTRY_ROLE = Qt.UserRole
FATE_ROLE = Qt.UserRole + 1

#: What became of a failed row since (kept in the entry's data, never shown as such).
RETRIED = "retried"
REMOVED = "removed"
#: Each fate's entry, the failure's line with the fate after it, and the sentence under it.
FATE_LINES = {RETRIED: N_("{failure} (retried)"), REMOVED: N_("{failure} (removed)")}
FATE_SENTENCES = {
    RETRIED: N_("Since then, this server was started again."),
    REMOVED: N_("Since then, this server was removed from the list."),
}


@dataclass(frozen=True, eq=False)
class Entry:
    """One listed failure and what its row knew when it happened."""

    address: Address
    failure: Failure
    expected_size: int | None
    row: ServerRow | None
    internal: bool = False
    fatal: bool = False

    def line(self) -> str:
        return f"{self.address} — {describe_failure(self.failure)}"

    def hint(self) -> str:
        if self.internal:
            return internal_hint(self.address, fatal=self.fatal)
        return hint(self.failure, self.address, self.expected_size)


def entry_text(entry: Entry, fate: str | None) -> str:
    """An entry's line in the list: the failure, and what became of its row since."""
    return _(FATE_LINES[fate]).format(failure=entry.line()) if fate else entry.line()


def address_of(server: str) -> Address:
    """The address a row's name spells; a name that is not one still reads as itself."""
    try:
        return parse_address(server)
    except ValueError:
        return Address(server, 0)
