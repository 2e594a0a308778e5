"""Each download's life in the log: connecting, connected, done or failed and why, cancelled.

:func:`log_download_event` observes the download events (:mod:`app.events`)
and writes one record per step to the ``poetry.download`` namespace, which
the log file and the window's log dock show. Records stay in English
whatever language the window speaks, so a log can be searched and quoted
in a report. Progress is not logged: thousands of chunks a second would
drown everything else.
"""

from __future__ import annotations

from twisted.logger import Logger

from app.events import (
    Cancelled,
    Connected,
    Connecting,
    Done,
    DownloadEvent,
    Failed,
    InternalError,
)

log = Logger(namespace="poetry.download")


def log_download_event(event: DownloadEvent) -> None:
    """Write the record for ``event``, if it is one worth a line."""
    match event:
        case Connecting(row=row):
            log.info("{address}: connecting", address=str(row.address))
        case Connected(row=row):
            log.info("{address}: connected", address=str(row.address))
        case Done(row=row, poem=poem):
            log.info(
                "{address}: done, {size} bytes in {elapsed:.2f} s",
                address=str(row.address),
                size=poem.size,
                elapsed=poem.elapsed,
            )
        case Failed(row=row, reason=reason):
            log.warn("{address}: failed: {reason}", address=str(row.address), reason=reason)
        case Cancelled(row=row):
            log.info("{address}: {reason}", address=str(row.address), reason=event.reason)
        case InternalError(row=row, failure=failure):
            log.failure(
                "Internal error while handling the download from {address}",
                failure,
                address=str(row.address),
            )
