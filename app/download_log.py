"""Each download's life in the log: connecting, connected, done or failed and why, cancelled.

:func:`log_download_event` observes the download events (:mod:`app.events`)
and writes one record per step in the ``poetry.download`` namespace, which
the log file and the window's log dock show. Records stay in English
whatever language the window speaks, so a log can be searched and quoted
in a report. Bytes are not logged: thousands of chunks a second would
drown everything else.

Ten thousand downloads make thirty thousand records, so they go to the
dock and the file by :func:`app.log.publish_record`, not through
``twisted.logger``: a record costs some 2 µs instead of 8.

:func:`log_line` gives the same words as one line of text, for whoever
tells a row's story elsewhere (:mod:`app.row_story`): the log and the
story never word a step two ways.
"""

from __future__ import annotations

import time
from typing import Any

from twisted.logger import LogLevel

from app.client import describe_failure
from app.events import (
    Cancelled,
    Connected,
    Connecting,
    Done,
    DownloadEvent,
    Failed,
    InternalError,
)
from app.i18n import source_language
from app.log import LogRecord, publish_record, traceback_of

#: The namespace the records are in, as a Twisted logger's would be.
NAMESPACE = "poetry.download"

#: The events :func:`download_record` words (every other kind is worth no line).
LOGGED_EVENTS = (Connecting, Connected, Done, Failed, Cancelled, InternalError)

#: A record: its level, its format string and the fields the format names.
Record = tuple[LogLevel, str, dict[str, Any]]


def log_download_event(event: DownloadEvent) -> None:
    """Write the record for ``event``, if it is one worth a line."""
    record = download_record(event)
    if record is None:
        return
    level, text, fields = record
    traceback = traceback_of(event.failure) if isinstance(event, InternalError) else None
    publish_record(LogRecord(time.time(), level, NAMESPACE, text.format(**fields), traceback))


def log_line(event: DownloadEvent) -> str | None:
    """The record's words for ``event`` as plain text, or ``None`` if it is worth no line."""
    record = download_record(event)
    if record is None:
        return None
    _, text, fields = record
    return text.format(**fields)


def download_record(event: DownloadEvent) -> Record | None:
    """What the log says about ``event``, or ``None`` (Progress, batches, steps...)."""
    # The records stay English whatever the window speaks: the module doc says why.
    match event:
        case Connecting(row=row):
            text = "{address}: connecting"  # untranslated: log record
            return LogLevel.info, text, {"address": str(row.address)}
        case Connected(row=row):
            text = "{address}: connected"  # untranslated: log record
            return LogLevel.info, text, {"address": str(row.address)}
        case Done(row=row, poem=poem):
            fields = {"address": str(row.address), "size": poem.size, "elapsed": poem.elapsed}
            text = "{address}: done, {size} bytes in {elapsed:.2f} s"  # untranslated: log record
            return LogLevel.info, text, fields
        case Failed(row=row, failure=failure):
            # The event's reason is in the language the window spoke; the log's is English.
            with source_language():
                reason = describe_failure(failure)
            fields = {"address": str(row.address), "reason": reason}
            return LogLevel.warn, "{address}: failed: {reason}", fields  # untranslated: log record
        case Cancelled(row=row):
            fields = {"address": str(row.address), "reason": event.reason}
            return LogLevel.info, "{address}: {reason}", fields  # untranslated: log record
        case InternalError(row=row):
            text = "Internal error while handling the download from {address}"  # untranslated: log
            return LogLevel.critical, text, {"address": str(row.address)}
    return None
