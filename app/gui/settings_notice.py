"""The status bar's "Servers not saved: disk full — Retry": settings the disk would not take.

A save that fails leaves the file older than what the window shows, so the
servers added since would be gone after a restart. That must not scroll
away with a status message: the notice stays, in the status bar beside the
counts, until a save succeeds (the window retries on each change and on a
timer), and a click retries at once. It is hidden while the file is current.
"""

from __future__ import annotations

import errno
from pathlib import Path

from PyQt5.QtWidgets import QWidget

from app.gui.status_bar import StatusNotice
from app.i18n import _


def short_reason(error: OSError) -> str:
    """A few words for why a save failed: "disk full" rather than the system's sentence."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return _("disk full")
    if error.errno == errno.EROFS:
        return _("read-only disk")
    if error.errno in (errno.EACCES, errno.EPERM):
        return _("no permission")
    return error.strerror or str(error)


class SettingsNotice(StatusNotice):
    """A flat button reading "Servers not saved: REASON — Retry"; ``clicked`` asks to retry."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("settingsNotSavedNotice", parent)
        self._folder: Path | None = None
        self._error: OSError | None = None

    def show_failure(self, folder: Path, error: OSError) -> None:
        """Say that the settings in ``folder`` are not saved, and why; stays until :meth:`clear`."""
        self._folder, self._error = folder, error
        self.retranslate()
        self.setVisible(True)

    def clear(self) -> None:
        """The settings are saved: hide."""
        self._folder = self._error = None
        self.setVisible(False)

    def retranslate(self) -> None:
        """The notice's words in the current language."""
        if self._error is None or self._folder is None:
            return
        self.setText(
            _("Servers not saved: {reason} — Retry").format(reason=short_reason(self._error))
        )
        self.setToolTip(
            _(
                "Could not save settings in {folder}: {reason}. The window keeps trying "
                "and says so here until the list is saved; click to try now."
            ).format(folder=self._folder, reason=self._error.strerror or self._error)
        )
        self.setAccessibleName(self.text())
