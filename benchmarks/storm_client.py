"""The storm benchmark's client: ``python -m benchmarks.storm_client ADDRESSES TIMEOUT``.

Opens ``MainWindow`` (shown, offscreen, logging to its file as the program
does), lifts its connection limit, adds every address in ``ADDRESSES`` (a
file, one a line: ports that refuse) as a row, then starts them all at
once with Start All. A 10 ms heartbeat records how late the event loop gets
to a timer, which is how late it would get to a click or a menu, from the
start until the failure window lists every failure. Gives up after
``TIMEOUT`` seconds.

Prints one ``RESULT`` line: the seconds until every row had failed, the
CPU seconds to then, the heartbeat's lags, and how many failures the
failure window lists.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from app.startup.file_limit import raise_open_file_limit
from benchmarks.measure import cpu_seconds, report_result
from benchmarks.report import percentile
from benchmarks.scale_client import connection_budget
from benchmarks.window import install_qt_reactor

SETTLE_SECONDS = 0.3
#: After the last failure, how long the failure window may take to list them all.
LISTED_WITHIN = 5.0


def measure(window: Any, addresses: list[Any], timeout: float) -> dict[str, Any]:
    """Start every row at once; run the reactor until the failure window lists every failure."""
    from PyQt5.QtWidgets import QListView
    from twisted.internet import reactor
    from twisted.internet.task import LoopingCall

    from app.downloads.rows import Status
    from benchmarks.heartbeat import Heartbeat
    from benchmarks.window import when_finished

    heartbeat = Heartbeat()
    marks: dict[str, float] = {}
    # What a person sees: the failure window's list, through its view's model.
    listed = window.failure_dialog.findChild(QListView, "failureList").model()

    rows = window.add_servers(addresses)

    def begin() -> None:
        window.downloads.set_limit(min(len(addresses), connection_budget()))
        marks.update(cpu=cpu_seconds(), start=time.monotonic())
        heartbeat.start()
        window.commands.start_all.trigger()
        when_finished(window, rows).addCallback(failed)
        reactor.callLater(timeout, end)

    def failed(_: object) -> None:
        marks.update(failed=time.monotonic(), cpu_failed=cpu_seconds())
        watch.start(0.005)
        reactor.callLater(LISTED_WITHIN, end)

    def look() -> None:
        if listed.rowCount() >= len(rows):
            end()

    def end() -> None:
        if "end" in marks:
            return
        marks["end"] = time.monotonic()
        heartbeat.stop()
        if watch.running:
            watch.stop()
        reactor.callLater(0, reactor.stop)

    watch = LoopingCall(look)
    reactor.callLater(SETTLE_SECONDS, begin)
    reactor.run()
    start, lags = marks["start"], heartbeat.lags
    return {
        "count": len(addresses),
        "failed": sum(row.status is Status.FAILED for row in rows),
        "listed": listed.rowCount(),
        "seconds": marks["failed"] - start if "failed" in marks else None,
        "cpu": marks["cpu_failed"] - marks["cpu"] if "failed" in marks else None,
        "listed_seconds": marks["end"] - start,
        "lag_p50": percentile(lags, 0.5),
        "lag_p99": percentile(lags, 0.99),
        "lag_max": max(lags, default=0.0),
    }


def main(argv: list[str]) -> None:
    address_file, timeout_text = argv
    raise_open_file_limit()
    app = install_qt_reactor()  # noqa: F841  (kept alive for the whole run)

    from app.net.address import parse_address
    from benchmarks.window import open_window

    addresses = [parse_address(line) for line in Path(address_file).read_text().split()]
    with tempfile.TemporaryDirectory() as config:
        window = open_window(Path(config))
        result = measure(window, addresses, float(timeout_text))
        window.shutdown()
    report_result(result)


if __name__ == "__main__":
    main(sys.argv[1:])
