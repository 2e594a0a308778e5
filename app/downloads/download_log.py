"""Each download's life in the log: connecting, connected, done or failed and why, cancelled.

:func:`log_download_event` observes the download events (:mod:`app.downloads.events`)
and writes one record per step in the ``poetry.download`` namespace, which
the log file and the window's log dock show. Records stay in English
whatever language the window speaks, so a log can be searched and quoted
in a report. Bytes are not logged: thousands of chunks a second would
drown everything else.

A download makes a few records, and a batch may hold thousands of
downloads, so each record is made here as a :class:`~app.log.LogRecord`
and published to :data:`app.log.record_hub`, which the dock and the file
read, rather than passed through ``twisted.logger``'s event dictionary
and publisher first.

:func:`log_line` gives the same words as one line of text, for whoever
tells a row's story elsewhere (:mod:`app.views.story`): the log and the
story never word a step two ways.
"""

from __future__ import annotations

import time

from twisted.logger import LogLevel

from app.downloads.events import (
    Cancelled,
    Connected,
    Connecting,
    Done,
    DownloadEvent,
    Failed,
    InternalError,
)
from app.i18n import source_language
from app.log import LogRecord, record_hub, traceback_of
from app.net.failures import describe_failure

#: The namespace the records are in, as a Twisted logger's would be.
NAMESPACE = "poetry.download"

#: The events :func:`download_record` words (every other kind is worth no line).
LOGGED_EVENTS = (Connecting, Connected, Done, Failed, Cancelled, InternalError)


def log_download_event(event: DownloadEvent) -> None:
    """Write the record for ``event``, if it is one worth a line."""
    record = download_record(event)
    if record is None:
        return
    level, text = record
    traceback = traceback_of(event.failure) if isinstance(event, InternalError) else None
    record_hub.publish(LogRecord(time.time(), level, NAMESPACE, text, traceback))


def log_line(event: DownloadEvent) -> str | None:
    """The record's words for ``event`` as plain text, or ``None`` if it is worth no line."""
    record = download_record(event)
    return None if record is None else record[1]


def download_record(event: DownloadEvent) -> tuple[LogLevel, str] | None:
    """How loud, and what the log says about ``event``; ``None`` for batches, steps."""
    # The records stay English whatever the window speaks: the module doc says why.
    match event:
        case Connecting(row=row):
            return LogLevel.info, f"{row.address.text}: connecting"  # untranslated: log record
        case Connected(row=row):
            return LogLevel.info, f"{row.address.text}: connected"  # untranslated: log record
        case Done(row=row, poem=poem):
            return (
                LogLevel.info,
                f"{row.address.text}: done, {poem.size} bytes in {poem.elapsed:.2f} s",
            )  # untranslated: log record
        case Failed(row=row, failure=failure):
            # The event's reason is in the language the window spoke; the log's is English.
            with source_language():
                reason = describe_failure(failure)
            return LogLevel.warn, f"{row.address}: failed: {reason}"  # untranslated: log record
        case Cancelled(row=row):
            return LogLevel.info, f"{row.address}: {event.reason}"  # untranslated: log record
        case InternalError(row=row):
            return (
                LogLevel.critical,
                f"Internal error while handling the download from {row.address}",
            )  # untranslated: log record
    return None
