"""The status bar's "2 new failures — Show": failures kept waiting after the window was closed.

Once a person has closed the failure window, more failures of the same
batch do not open it again over their work; they add up here instead,
and a click shows them. The notice is hidden while there is nothing to show.

It counts failures not yet looked at, which is not the status counts'
"4 failed" beside it (every row that reads Failed): so it says "new".
"""

from __future__ import annotations

from PyQt5.QtWidgets import QWidget

from app.gui.status_bar import StatusNotice
from app.i18n import _, ngettext


class FailureNotice(StatusNotice):
    """A flat button reading "N new failures — Show"; ``clicked`` asks for the failure window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("failureNotice", parent)
        self._count = 0
        self.set_count(0)

    def set_count(self, count: int) -> None:
        """Say how many failures wait; hidden at zero."""
        self._count = count
        self.retranslate()
        self.setVisible(count > 0)

    def retranslate(self) -> None:
        """The notice's words in the current language."""
        self.setToolTip(
            _(
                "Failures since you closed the Download Failures window, not yet seen: "
                "click to see them"
            )
        )
        self.setText(
            ngettext("{n} new failure — Show", "{n} new failures — Show", self._count).format(
                n=self._count
            )
        )
        self.setAccessibleName(self.text())
