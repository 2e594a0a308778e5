"""The scale benchmark's client: ``python -m benchmarks.scale_client ADDRESSES POEM TIMEOUT``.

Opens ``MainWindow`` (shown, offscreen), lifts its connection limit to the
number of addresses, adds them all as rows and starts them at once, then
watches: heartbeat lag, table repaints, CPU time, RSS, and whether every
row ends Done with exactly the poem served. Gives up after ``TIMEOUT``
seconds and reports how many finished.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.measure import cpu_seconds, current_rss_bytes, peak_rss_bytes, report_result
from benchmarks.report import percentile
from benchmarks.window import install_qt_reactor, open_window, when_finished

SETTLE_SECONDS = 0.3


def main(argv: list[str]) -> None:
    address_file, poem_file, timeout_text = argv
    app = install_qt_reactor()  # noqa: F841  (kept alive for the whole run)
    from twisted.internet import reactor

    from app.address import parse_address
    from app.rows import Status
    from benchmarks.heartbeat import Heartbeat, PaintCounter

    addresses = [parse_address(line) for line in Path(address_file).read_text().split()]
    expected = Path(poem_file).read_text(encoding="utf-8")
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as config:
        window = open_window(Path(config))
        window.downloads.set_limit(len(addresses))
        heartbeat = Heartbeat()
        paints = PaintCounter(window.table.viewport())
        rows: list[Any] = []
        marks: dict[str, float] = {}

        def begin() -> None:
            marks.update(rss=current_rss_bytes(), cpu=cpu_seconds(), start=time.monotonic())
            paints.count = 0
            heartbeat.start()
            rows.extend(window.add_servers(addresses, start=True))
            when_finished(window, rows).addBoth(end)
            reactor.callLater(float(timeout_text), end, None)

        def end(_: object) -> None:
            if "end" in marks:
                return
            marks["end"] = time.monotonic()
            heartbeat.stop()
            seconds = marks["end"] - marks["start"]
            lags = heartbeat.lags
            done = sum(row.status is Status.DONE for row in rows)
            correct = sum(
                row.status is Status.DONE and row.poem is not None and row.poem.text == expected
                for row in rows
            )
            result.update(
                connections=len(rows),
                done=done,
                correct=correct,
                seconds=seconds,
                cpu=cpu_seconds() - marks["cpu"],
                rss_per_connection=(peak_rss_bytes() - marks["rss"]) / len(rows),
                lag_p50=percentile(lags, 0.5),
                lag_p99=percentile(lags, 0.99),
                lag_max=max(lags, default=0.0),
                repaints_per_second=paints.count / seconds,
            )
            reactor.callLater(0, reactor.stop)

        reactor.callLater(SETTLE_SECONDS, begin)
        reactor.run()
        window.shutdown()
    report_result(result)


if __name__ == "__main__":
    main(sys.argv[1:])
