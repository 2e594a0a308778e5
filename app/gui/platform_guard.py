"""Qt's fatal word at start becomes one line and exit 1, not an abort.

The start-up check (:mod:`app.startup.display_check`) asks what it can before Qt
loads, but some answers only Qt gets: Qt asks the X server for the screen
``DISPLAY`` names (``:0.7``), which the check does not, and its plugin can
fail in ways no check foresees. Qt then reports through ``qFatal`` and
aborts with a core dump. While the
``QApplication`` is being made, :func:`platform_guard` holds Qt's messages
back; a fatal one is reported like the check's findings, naming Qt's own
reason, and the process exits 1 before Qt can abort. If Qt starts, the
messages it held are written out as Qt would have.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator

from PyQt5.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

from app.i18n import _


@contextlib.contextmanager
def platform_guard(report: Callable[[str], None]) -> Iterator[None]:
    """Around making the ``QApplication``: a fatal Qt message is ``report``-ed, then exit 1."""
    held: list[str] = []

    def handle(kind: QtMsgType, context: QMessageLogContext, message: str | None) -> None:
        text = message or ""
        if kind == QtMsgType.QtFatalMsg:
            # Qt's first complaint is the cause; its fatal message only says
            # that no platform could start, and suggests reinstalling.
            reason = held[0] if held else text.split("\n", 1)[0]
            report(
                _(
                    "cannot open a window: Qt could not start ({reason}); check that DISPLAY"
                    " names a display this user may use (XAUTHORITY for another user's),"
                    " or set QT_QPA_PLATFORM=offscreen to run without a screen"
                ).format(reason=reason)
            )
            os._exit(1)
        category = context.category
        held.append(f"{category}: {text}" if category and category != "default" else text)

    qInstallMessageHandler(handle)
    try:
        yield
    finally:
        qInstallMessageHandler(None)
        for line in held:
            sys.stderr.write(line + "\n")
