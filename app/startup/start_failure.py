"""Tell a person why the window did not open, wherever they will look.

From a terminal the line on stderr is enough. Started from the application
menu there is no terminal, so the same line also goes to the log file (where
the window's own records go) and, if the desktop has a notification server,
into a notification. Neither may fail the report or delay it more than a
moment: the line on stderr is written first, and the others are best effort.
"""

from __future__ import annotations

import sys

from app import APP_NAME, DISPLAY_NAME
from app.i18n import _


def report_start_failure(problem: str) -> None:
    """Write ``problem`` as one line on stderr, in the log file and in a desktop notification."""
    line = f"{APP_NAME}: {problem}"
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
    _log(line)
    from app.startup.notification import notify

    summary = _("Poetry Downloader cannot start")
    notify(summary, problem, app_name=DISPLAY_NAME, icon=APP_NAME)


def _log(line: str) -> None:
    # The window's own log file, through the same observer the window uses,
    # so the line reads like every other record there.
    try:
        from app.log import log, start_file_log

        path, _problem = start_file_log()
        if path is not None:
            log.error("{line}", line=line)
    except Exception:  # the log is a courtesy here: the line is already on stderr
        return
