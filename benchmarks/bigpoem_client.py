"""The big-poem benchmark's client: ``python -m benchmarks.bigpoem_client HOST PORT SIZE``.

Opens ``MainWindow`` (shown, offscreen), adds the server, selects its row
so the poem pane shows the poem the moment it is whole, then jumps to the
poem's end (Ctrl+End, as a reader would) and lets the window settle. A 10 ms
heartbeat records every stall of the event loop from the start to the end.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.measure import report_result
from benchmarks.report import percentile
from benchmarks.window import install_qt_reactor, open_window, when_finished

SETTLE_SECONDS = 0.3
AFTER_SHOWN_SECONDS = 1.0


def main(argv: list[str]) -> None:
    host, port_text, size_text = argv
    app = install_qt_reactor()  # noqa: F841  (kept alive for the whole run)
    from PyQt5.QtGui import QTextCursor
    from twisted.internet import reactor

    from app.net.address import Address
    from benchmarks.heartbeat import Heartbeat

    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as config:
        window = open_window(Path(config))
        view = window.poem_pane.view
        heartbeat = Heartbeat()
        marks: dict[str, float] = {}

        def begin() -> None:
            heartbeat.start()
            marks["start"] = time.monotonic()
            rows = window.add_servers([Address(host, int(port_text))], start=True)
            window.table.selectRow(0)
            when_finished(window, rows).addBoth(shown, rows[0])

        def shown(_: object, row: Any) -> None:
            marks["done"] = time.monotonic()
            result["poem_size"] = row.poem.size if row.poem is not None else 0
            reactor.callLater(AFTER_SHOWN_SECONDS / 2, view.moveCursor, QTextCursor.End)
            reactor.callLater(AFTER_SHOWN_SECONDS, end)

        def end() -> None:
            heartbeat.stop()
            lags = heartbeat.lags
            result.update(
                seconds=marks["done"] - marks["start"],
                lag_max=max(lags, default=0.0),
                lag_p99=percentile(lags, 0.99),
                shown_characters=view.document().characterCount() - 1,
                shown_lines=view.document().blockCount(),
            )
            reactor.callLater(0, reactor.stop)

        reactor.callLater(SETTLE_SECONDS, begin)
        reactor.run()
        window.shutdown()
    if result.get("poem_size") != int(size_text):
        raise SystemExit(f"poem not downloaded whole: {result}")
    report_result(result)


if __name__ == "__main__":
    main(sys.argv[1:])
