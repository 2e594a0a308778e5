"""The scale and burst benchmarks' client, one per process.

``python -m benchmarks.scale_client KIND ADDRESSES POEM TIMEOUT [IDLE]``

Downloads the poem from every address in ``ADDRESSES`` (a file, one a
line) at once, on the window's reactor (``app.gui.reactor.qt_reactor`` under a
``QApplication``), and watches: heartbeat lag over time, CPU time, RSS, the
most connections open at once, and whether every download ended with
exactly the poem served. Gives up after ``TIMEOUT`` seconds and reports how
many finished. ``KIND`` is what downloads:

* ``window``: ``MainWindow`` (shown, offscreen), its connection limit lifted,
  every address added as a row and started; table repaints are counted;
* ``window-dock``: the same window with its reactor dock open, so every
  reactor turn is recorded and listed;
* ``bare``: no window: a bare Twisted ``Protocol`` that keeps the chunks it
  receives, connecting as the window does, ``START_BATCH`` per reactor turn.
  The yardstick for what the window costs on top of the network.

``IDLE`` replaces the window's idle timeout (seconds without a byte).
Either raises its own open-file limit (as the window does) and opens at
most as many connections at once as that limit leaves room for; the rest
wait their turn, like rows beyond the window's connection limit.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import typing
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.downloads.events import EventStream
from app.startup.file_limit import raise_open_file_limit
from benchmarks.measure import cpu_seconds, current_rss_bytes, peak_rss_bytes, report_result
from benchmarks.report import percentile
from benchmarks.window import install_qt_reactor

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred

    from app.downloads.rows import ServerRow
    from app.net.address import Address

SETTLE_SECONDS = 0.3
#: Descriptors kept free for everything but the downloads (Qt, pipes, logs).
SPARE_FILES = 64


class Crowd(typing.Protocol):
    """What the measuring loop needs of whatever downloads: the window or the bare client."""

    first_byte: float | None  # time.monotonic() of the first byte received, if any

    @property
    def running(self) -> int: ...

    def start(self, limit: int) -> Deferred[None]:
        """Start every download, at most ``limit`` at once; fires when all have ended."""

    def tally(self, expected: bytes) -> dict[str, Any]:
        """``done``, ``correct`` (exactly ``expected``) and ``failed`` counts, and extras."""

    def close(self) -> None: ...


class FirstByteStream(EventStream):
    """The window's event stream, noting when the first chunk came, as the bare client notes it."""

    first_byte: float | None = None

    def bytes_arrived(self, row: ServerRow, received: int) -> None:
        if self.first_byte is None:
            self.first_byte = time.monotonic()
        super().bytes_arrived(row, received)


class WindowCrowd:
    """The real window: rows in its table, its ``DownloadController`` doing the connecting."""

    def __init__(
        self, config_dir: Path, addresses: list[Address], idle_timeout: float | None
    ) -> None:
        from benchmarks.heartbeat import PaintCounter
        from benchmarks.window import open_window

        self.addresses = addresses
        self.stream = FirstByteStream()
        self.window = open_window(config_dir, self.stream)
        if idle_timeout is not None:
            self.window.downloads.idle_timeout = idle_timeout
        self.paints = PaintCounter(self.window.table.viewport())
        self.rows: list[Any] = []

    @property
    def first_byte(self) -> float | None:
        return self.stream.first_byte

    @property
    def running(self) -> int:
        return self.window.downloads.running

    def start(self, limit: int) -> Deferred[None]:
        from benchmarks.window import when_finished

        self.window.downloads.set_limit(limit)
        self.paints.count = 0
        self.rows.extend(self.window.add_servers(self.addresses, start=True))
        return when_finished(self.window, self.rows)

    def tally(self, expected: bytes) -> dict[str, Any]:
        from app.downloads.rows import Status

        text = expected.decode("utf-8")
        done = [row for row in self.rows if row.status is Status.DONE]
        return {
            "done": len(done),
            "correct": sum(row.poem is not None and row.poem.text == text for row in done),
            "failed": sum(row.status is Status.FAILED for row in self.rows),
            "paints": self.paints.count,
        }

    def close(self) -> None:
        self.window.shutdown()


class BareCrowd:
    """A bare Twisted client: one ``Protocol`` per connection appending chunks to a list."""

    def __init__(self, addresses: list[Address]) -> None:
        from twisted.internet import protocol

        crowd = self

        class Collector(protocol.Protocol):
            def __init__(self) -> None:
                self.chunks: list[bytes] = []

            def dataReceived(self, data: bytes) -> None:
                if crowd.first_byte is None:
                    crowd.first_byte = time.monotonic()
                self.chunks.append(data)

            def connectionLost(self, reason: object = None) -> None:
                crowd.ended(self.chunks)

        class Factory(protocol.ClientFactory):
            protocol = Collector

            def clientConnectionFailed(self, connector: object, reason: object) -> None:
                crowd.ended(None)

        self.factory = Factory()
        self.addresses = addresses
        self.first_byte: float | None = None
        self.received: list[list[bytes]] = []
        self.failed = 0
        self._queue: deque[Address] = deque()
        self._running = 0
        self._limit = 0
        self._refill: Any = None
        self._finished: Deferred[None] | None = None

    @property
    def running(self) -> int:
        return self._running

    def start(self, limit: int) -> Deferred[None]:
        from twisted.internet.defer import Deferred

        self._limit = limit
        self._queue.extend(self.addresses)
        self._finished = Deferred()
        self._fill()
        return self._finished

    def _fill(self) -> None:
        from twisted.internet import reactor

        from app.downloads.controller import START_BATCH

        self._refill = None
        for _ in range(START_BATCH):
            if not self._queue or self._running >= self._limit:
                return
            address = self._queue.popleft()
            self._running += 1
            reactor.connectTCP(address.host, address.port, self.factory)
        if self._queue:
            self._refill = reactor.callLater(0, self._fill)

    def ended(self, chunks: list[bytes] | None) -> None:
        from twisted.internet import reactor

        self._running -= 1
        if chunks is None:
            self.failed += 1
        else:
            self.received.append(chunks)
        if self._queue and self._refill is None:
            self._refill = reactor.callLater(0, self._fill)
        elif not self._queue and not self._running and self._finished is not None:
            finished, self._finished = self._finished, None
            finished.callback(None)

    def tally(self, expected: bytes) -> dict[str, Any]:
        return {
            "done": len(self.received),
            "correct": sum(b"".join(chunks) == expected for chunks in self.received),
            "failed": self.failed,
        }

    def close(self) -> None:
        if self._refill is not None and self._refill.active():
            self._refill.cancel()


def connection_budget() -> int:
    """How many sockets this process may still open, keeping ``SPARE_FILES`` for the rest."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return sys.maxsize
    return max(1, soft - len(os.listdir("/proc/self/fd")) - SPARE_FILES)


def measure(crowd: Crowd, count: int, timeout: float, expected: bytes) -> dict[str, Any]:
    """Run the reactor while ``crowd`` downloads; what it cost and how smooth the loop stayed."""
    from twisted.internet import reactor

    from benchmarks.heartbeat import Heartbeat

    heartbeat = Heartbeat()
    marks: dict[str, float] = {}
    peak = [0]
    limit = [count]

    def sample() -> None:
        peak[0] = max(peak[0], crowd.running)

    def begin() -> None:
        limit[0] = min(count, connection_budget())
        marks.update(rss=current_rss_bytes(), cpu=cpu_seconds(), start=time.monotonic())
        heartbeat.on_tick = sample
        heartbeat.start()
        crowd.start(limit[0]).addBoth(end)
        reactor.callLater(timeout, end, None)

    def end(_: object) -> None:
        if "end" in marks:
            return
        marks.update(end=time.monotonic(), cpu_end=cpu_seconds(), peak_rss=peak_rss_bytes())
        heartbeat.stop()
        reactor.callLater(0, reactor.stop)

    reactor.callLater(SETTLE_SECONDS, begin)
    reactor.run()
    start = marks["start"]
    seconds = marks["end"] - start
    lags = heartbeat.lags
    samples = list(zip(heartbeat.times, lags, strict=True))
    first_byte = None if crowd.first_byte is None else crowd.first_byte - start
    # The lag once bytes flow: in the burst benchmark, while every server writes at once.
    flowing = [lag for t, lag in samples if crowd.first_byte is not None and t >= crowd.first_byte]
    tally = crowd.tally(expected)
    paints = tally.pop("paints", None)
    return {
        "connections": count,
        **tally,
        "limit": limit[0],
        "peak_connections": peak[0],
        "seconds": seconds,
        "cpu": marks["cpu_end"] - marks["cpu"],
        "rss_per_connection": (marks["peak_rss"] - marks["rss"]) / count,
        "lag_p50": percentile(lags, 0.5),
        "lag_p99": percentile(lags, 0.99),
        "lag_max": max(lags, default=0.0),
        "flowing_lag_p99": percentile(flowing, 0.99),
        "flowing_lag_max": max(flowing, default=0.0),
        "first_byte": first_byte,
        "repaints_per_second": None if paints is None else paints / seconds,
        # For the lag-over-time chart: seconds since the start, and the lag then.
        "trace": [[round(t - start, 4), round(lag, 5)] for t, lag in samples],
    }


def main(argv: list[str]) -> None:
    kind, address_file, poem_file, timeout_text, *idle_text = argv
    if kind not in ("window", "window-dock", "bare"):
        raise SystemExit(f"unknown client kind {kind!r}: window, window-dock or bare")
    raise_open_file_limit()
    app = install_qt_reactor()  # noqa: F841  (kept alive for the whole run)

    from app.net.address import parse_address

    addresses = [parse_address(line) for line in Path(address_file).read_text().split()]
    expected = Path(poem_file).read_bytes()
    with tempfile.TemporaryDirectory() as config:
        crowd: Crowd = (
            WindowCrowd(Path(config), addresses, float(idle_text[0]) if idle_text else None)
            if kind.startswith("window")
            else BareCrowd(addresses)
        )
        if kind == "window-dock":
            assert isinstance(crowd, WindowCrowd)
            crowd.window.reactor_dock.show()
        result = measure(crowd, len(addresses), float(timeout_text), expected)
        crowd.close()
    report_result(result)


if __name__ == "__main__":
    main(sys.argv[1:])
