"""The stalls benchmark's client: ``python -m benchmarks.stalls_client MEASURE SIZE``.

Opens ``MainWindow`` (shown, offscreen) and does one thing a person does,
with a 10 ms heartbeat recording every stall of the event loop:

- ``paste``: opens Add Servers, pastes ``SIZE`` addresses (the clipboard,
  Ctrl+V), waits for the check, presses OK with *Start downloading at once*
  unchecked, and waits until every row is in the table;
- ``paste-start``: the same with the box checked: the rows are queued and
  the first ones connect (to listening sockets that never answer);
- ``poem``: selects a row whose ``SIZE``-byte poem has just arrived, waits
  until the pane shows it whole, and jumps to its end (Ctrl+End);
- ``ticks``: ``SIZE`` rows downloading at once, their chunks published as
  the controller would (no network: only the window's cost is measured),
  4 chunks a second per row and some rows ending and starting again each
  tick, for a few seconds.

Prints one ``RESULT`` line: the lags, and what the person ends up seeing.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.measure import cpu_seconds, report_result
from benchmarks.report import percentile
from benchmarks.window import install_qt_reactor, open_window

SETTLE_SECONDS = 0.3
AFTER_SECONDS = 1.0
TICK_SECONDS = 5.0
QUICK_TICK_SECONDS = 1.0  # under 1,000 rows: the smoke test
TICK_MS = 50
CHUNKS_PER_SECOND = 4
ENDINGS_PER_TICK = 20
LISTENERS = 64  # more than the default connection limit: every connection waits, none fails


def main(argv: list[str]) -> None:
    measure, size_text = argv
    size = int(size_text)
    app = install_qt_reactor()  # noqa: F841  (kept alive for the whole run)
    from twisted.internet import reactor

    from benchmarks.heartbeat import Heartbeat

    result: dict[str, Any] = {}
    listeners: list[socket.socket] = []
    with tempfile.TemporaryDirectory() as config:
        window = open_window(Path(config))
        heartbeat = Heartbeat()
        marks: dict[str, float] = {}

        def finish(**seen: Any) -> None:
            heartbeat.stop()
            lags = heartbeat.lags
            result.update(
                seen,
                seconds=marks["shown"] - marks["start"],
                cpu=cpu_seconds() - marks["cpu"],
                lag_p50=percentile(lags, 0.5),
                lag_p99=percentile(lags, 0.99),
                lag_max=max(lags, default=0.0),
            )
            reactor.callLater(0, reactor.stop)

        def act() -> None:
            """The person starts: from here on every stall counts."""
            marks.update(start=time.monotonic(), cpu=cpu_seconds())
            heartbeat.start()

        def begin() -> None:
            if measure in ("paste", "paste-start"):
                _paste(window, size, measure == "paste-start", listeners, act, marks, finish)
            elif measure == "poem":
                _poem(window, size, act, marks, finish)
            elif measure == "ticks":
                _ticks(window, size, act, marks, finish)
            else:
                raise SystemExit(f"unknown measure {measure!r}")

        reactor.callLater(SETTLE_SECONDS, begin)
        reactor.run()
        window.shutdown()
    for listener in listeners:
        listener.close()
    report_result(result)


def _paste(
    window: Any,
    size: int,
    start: bool,
    listeners: list[socket.socket],
    act: Any,
    marks: dict[str, float],
    finish: Any,
) -> None:
    from PyQt5.QtCore import Qt
    from PyQt5.QtTest import QTest
    from PyQt5.QtWidgets import QApplication, QDialogButtonBox
    from twisted.internet import reactor
    from twisted.internet.task import LoopingCall

    # The first rows to start connect to sockets that listen and never answer;
    # the rest wait in the queue, on addresses nothing is asked of meanwhile.
    for _ in range(LISTENERS if start else 0):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listeners.append(listener)
    lines = [f"127.0.0.1:{s.getsockname()[1]}" for s in listeners]
    lines += [f"127.0.0.2:{port}" for port in range(1, size - len(lines) + 1)]
    QApplication.clipboard().setText("\n".join(lines) + "\n")
    dialog = window.open_add_dialog()
    dialog.start_check.setChecked(start)
    act()
    QTest.keyClick(dialog.addresses_edit, Qt.Key_V, Qt.ControlModifier)
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    state = {"pressed": False}

    def watch() -> None:
        if not state["pressed"]:
            if not dialog.checking and ok.isEnabled():
                state["pressed"] = True
                marks["checked"] = time.monotonic()
                ok.click()
            return
        if window.model.rowCount() >= size:
            poll.stop()
            marks["shown"] = time.monotonic()
            reactor.callLater(AFTER_SECONDS, done)

    def done() -> None:
        rows = window.model.rows
        finish(
            rows=window.table.model().rowCount(),
            last_row=rows[-1].address.port if rows else None,
            queued_or_running=sum(row.status.active for row in rows),
            check_seconds=marks["checked"] - marks["start"],
        )

    poll = LoopingCall(watch)
    poll.start(0.005)


def _poem(window: Any, size: int, act: Any, marks: dict[str, float], finish: Any) -> None:
    from PyQt5.QtGui import QTextCursor
    from twisted.internet import reactor
    from twisted.internet.task import LoopingCall

    from app.downloads.events import (
        BatchEnded,
        BatchStarted,
        Connected,
        Connecting,
        Done,
        Mode,
        Queued,
    )
    from app.net.address import Address
    from app.net.poem import Poem
    from benchmarks.poems import poem_bytes

    (row,) = window.add_servers([Address("127.0.0.1", 10000)])
    data = poem_bytes(size)
    expected = len(data.decode())
    events = window.events
    act()
    for event in (BatchStarted(1, Mode.REACTOR), Queued(row, 1), Connecting(row), Connected(row)):
        events.publish(event)
    events.publish(Done(row, Poem([data[i : i + 65536] for i in range(0, size, 65536)])))
    events.publish(BatchEnded(1, None))
    window.table.selectRow(0)
    view = window.poem_pane.view

    def watch() -> None:
        if view.document().characterCount() - 1 >= expected:
            poll.stop()
            marks["shown"] = time.monotonic()
            view.moveCursor(QTextCursor.End)
            reactor.callLater(AFTER_SECONDS, done)

    def done() -> None:
        finish(
            shown_characters=view.document().characterCount() - 1,
            poem_characters=expected,
            shown_lines=view.document().blockCount(),
        )

    poll = LoopingCall(watch)
    poll.start(0.005)


def _ticks(window: Any, size: int, act: Any, marks: dict[str, float], finish: Any) -> None:
    """``size`` rows on the wire; each tick brings chunks to a share of them, some end."""
    from twisted.internet import reactor
    from twisted.internet.task import LoopingCall

    from app.downloads.events import BatchStarted, Connected, Connecting, Done, Mode, Queued
    from app.net.address import Address
    from app.net.poem import Poem

    rows = window.add_servers([Address("127.0.0.2", port) for port in range(1, size + 1)])
    events = window.events
    events.publish(BatchStarted(1, Mode.REACTOR))
    for row in rows:
        for event in (Queued(row, 1), Connecting(row), Connected(row)):
            events.publish(event)
    per_tick = max(1, size * CHUNKS_PER_SECOND * TICK_MS // 1000)
    poem = Poem(b"x" * 2048)
    state = {"next": 0, "ticks": 0, "chunks": 0}
    seconds = TICK_SECONDS if size >= 1000 else QUICK_TICK_SECONDS

    def tick() -> None:
        state["ticks"] += 1
        first = state["next"]
        for n in range(first, first + per_tick):
            row = rows[n % size]
            events.bytes_arrived(row, row.received + 80)
        state["chunks"] += per_tick
        state["next"] = (first + per_tick) % size
        for n in range(first, first + ENDINGS_PER_TICK):
            row = rows[n % size]
            events.publish(Done(row, poem))
            for event in (Queued(row, 1), Connecting(row), Connected(row)):
                events.publish(event)
        if time.monotonic() - marks["start"] >= seconds:
            loop.stop()
            marks["shown"] = time.monotonic()
            reactor.callLater(0, done)

    def done() -> None:
        finish(ticks=state["ticks"], chunks=state["chunks"], rows=window.model.rowCount())

    # The rows' own start-up is not what is measured: the ticks are.
    act()
    loop = LoopingCall(tick)
    loop.start(TICK_MS / 1000)


if __name__ == "__main__":
    main(sys.argv[1:])
