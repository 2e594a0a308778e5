"""A pasted list of addresses, read as the Add Servers dialog and a second launch read it.

Addresses are separated by spaces, commas or new lines. Reading never stops
at the first problem: it keeps every good address, in order, and one reason
per problem naming its line ("line 3: 'localhost:99999': port 99999 is
outside 1-65535"), refusing addresses already in the list or given twice.
A long list can be read in slices, so a window reading ten thousand pasted
addresses keeps painting between them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from itertools import islice

from app.i18n import _
from app.net.address import Address, parse_address

_SEPARATORS = re.compile(r"[\s,]+")


class AddressReader:
    """Reads a pasted list in slices: the addresses in order, one reason per problem.

    Lines are numbered as the editor shows them; a problem names its line.
    """

    def __init__(self, text: str, existing: Collection[Address] = ()) -> None:
        self.addresses: list[Address] = []
        self.problems: list[str] = []
        #: The line of each problem, counting from 1, so an editor can mark it.
        self.problem_lines: list[int] = []
        #: Each problem's reason without its line, for a caller that numbers otherwise.
        self.reasons: list[str] = []
        self.done = False
        self._existing = existing
        self._seen: set[Address] = set()
        self._words = _numbered_words(text)

    def read(self, count: int | None = None) -> bool:
        """Read up to ``count`` more addresses (all if None); return whether all is read."""
        read = 0
        for number, word in islice(self._words, count):
            read += 1
            try:
                address = parse_address(word)
            except ValueError as e:
                self._problem(number, str(e))
                continue
            if address in self._existing:
                self._problem(number, _("{address} is already in the list").format(address=address))
            elif address in self._seen:
                self._problem(number, _("{address} is given twice").format(address=address))
            else:
                self._seen.add(address)
                self.addresses.append(address)
        self.done = self.done or count is None or read < count
        return self.done

    def _problem(self, line: int, reason: str) -> None:
        self.problems.append(_("line {line}: {reason}").format(line=line, reason=reason))
        self.problem_lines.append(line)
        self.reasons.append(reason)


def _numbered_words(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.split("\n"), start=1):
        for word in _SEPARATORS.split(line):
            if word:
                yield number, word
