"""The throughput benchmark's clients, one per process: ``python -m benchmarks.throughput_clients``.

``KIND HOST PORT SIZE``: download one poem of ``SIZE`` bytes, check its size,
print the seconds from connecting to the poem being whole, with the
process's RSS before the download and its peak. Kinds:

* ``get_poetry``: the project's client on the default (epoll) reactor, as ``poetry-get`` runs it;
* ``get_poetry_text``: the same, the clock running until ``poem.text`` is decoded;
* ``get_poetry_qt``: the same on qt5reactor without a window (the window's reactor cost alone);
* ``window``: ``MainWindow`` shown offscreen, the server added as a row and started;
* ``twisted``: a bare ``Protocol`` appending chunks to a list (the baseline);
* ``twisted_text``: the same, then ``b"".join`` and decode: what any client returning text must do;
* ``tutorial``: the tutorial's ``self.poem += data`` (quadratic copying);
* ``socket``: a blocking ``recv`` loop, no reactor (the practical ceiling).
"""

from __future__ import annotations

import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.measure import current_rss_bytes, peak_rss_bytes, report_result

RECV_SIZE = 256 * 1024


def _measure(download: Callable[[], tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """Run ``download`` (returns bytes received and extras), timing it and its memory."""
    baseline = current_rss_bytes()
    started = time.monotonic()
    received, extras = download()
    seconds = time.monotonic() - started
    return {
        "seconds": seconds,
        "bytes": received,
        "baseline_rss": baseline,
        "peak_rss": peak_rss_bytes(),
        **extras,
    }


def socket_client(host: str, port: int) -> dict[str, Any]:
    def download() -> tuple[int, dict[str, Any]]:
        chunks = []
        with socket.create_connection((host, port)) as sock:
            while data := sock.recv(RECV_SIZE):
                chunks.append(data)
        return sum(map(len, chunks)), {"reactor": "none (blocking recv)"}

    return _measure(download)


def twisted_client(
    host: str, port: int, *, tutorial: bool = False, text: bool = False
) -> dict[str, Any]:
    """The bare baseline; with ``text``, joined and decoded; with ``tutorial``, ``bytes +=``."""
    from twisted.internet import protocol, reactor

    class ListProtocol(protocol.Protocol):
        def connectionMade(self) -> None:
            self.chunks: list[bytes] = []

        def dataReceived(self, data: bytes) -> None:
            self.chunks.append(data)

        def connectionLost(self, reason: object = None) -> None:
            data = b"".join(self.chunks) if text else b""
            self.text = data.decode("utf-8")  # what get_poetry hands back: the poem as text
            received.append(len(data) if text else sum(map(len, self.chunks)))
            reactor.stop()

    class TutorialProtocol(protocol.Protocol):
        poem = b""

        def dataReceived(self, data: bytes) -> None:
            self.poem += data

        def connectionLost(self, reason: object = None) -> None:
            received.append(len(self.poem))
            reactor.stop()

    received: list[int] = []

    def download() -> tuple[int, dict[str, Any]]:
        factory = protocol.ClientFactory.forProtocol(TutorialProtocol if tutorial else ListProtocol)
        reactor.connectTCP(host, port, factory)
        reactor.run()
        return received[0], {"reactor": type(reactor).__name__}

    return _measure(download)


def get_poetry_client(host: str, port: int, size: int, *, text: bool = False) -> dict[str, Any]:
    """``get_poetry`` on whichever reactor is installed (the default unless qt5reactor is).

    The poem's text is decoded on first use; with ``text`` the clock runs until it is.
    """
    from twisted.internet import reactor

    from app.net.client import get_poetry

    poems: list[Any] = []

    def download() -> tuple[int, dict[str, Any]]:
        d = get_poetry(host, port, max_bytes=size)
        d.addBoth(poems.append).addBoth(lambda _: reactor.callLater(0, reactor.stop))
        reactor.run()
        if text and hasattr(poems[0], "text"):
            poems[0].text  # noqa: B018  (decoding is what is measured)
        return _size_of(poems[0]), {"reactor": type(reactor).__name__}

    return _measure(download)


def window_client(host: str, port: int, size: int) -> dict[str, Any]:
    """The whole window path: a row in ``MainWindow``'s table, started, painted while it runs."""
    from twisted.internet import reactor

    from app.net.address import Address
    from benchmarks.heartbeat import PaintCounter
    from benchmarks.window import open_window, when_finished

    with tempfile.TemporaryDirectory() as config:
        window = open_window(Path(config))
        window.downloads.max_bytes = size
        paints = PaintCounter(window.table.viewport())

        def download() -> tuple[int, dict[str, Any]]:
            rows: list[Any] = []
            times: list[float] = []

            def begin() -> None:
                paints.count = 0
                times.append(time.monotonic())
                rows.extend(window.add_servers([Address(host, port)], start=True))
                when_finished(window, rows).addBoth(end)

            def end(_: object) -> None:
                times.append(time.monotonic())
                reactor.callLater(0, reactor.stop)

            # The window paints once before the clock starts, as a user would see it.
            reactor.callLater(0.2, begin)
            reactor.run()
            row = rows[0]
            extras = {
                "seconds": times[1] - times[0],
                "reactor": type(reactor).__name__,
                "paints": paints.count,
            }
            return _size_of(row.poem or row.failure), extras

        result = _measure(download)
        window.shutdown()
    return result


def _size_of(result: Any) -> int:
    from app.net.poem import Poem

    if isinstance(result, Poem):
        return result.size
    raise SystemExit(f"download failed: {result}")


def main(argv: list[str]) -> None:
    kind, host, port_text, size_text = argv
    port, size = int(port_text), int(size_text)
    if kind in ("get_poetry_qt", "window"):
        from benchmarks.window import install_qt_reactor

        app = install_qt_reactor()  # noqa: F841  (kept alive for the whole run)
    clients: dict[str, Callable[[], dict[str, Any]]] = {
        "socket": lambda: socket_client(host, port),
        "twisted": lambda: twisted_client(host, port),
        "twisted_text": lambda: twisted_client(host, port, text=True),
        "tutorial": lambda: twisted_client(host, port, tutorial=True),
        "get_poetry": lambda: get_poetry_client(host, port, size),
        "get_poetry_text": lambda: get_poetry_client(host, port, size, text=True),
        "get_poetry_qt": lambda: get_poetry_client(host, port, size),
        "window": lambda: window_client(host, port, size),
    }
    result = clients[kind]()
    if result["bytes"] != size:
        raise SystemExit(f"{kind}: received {result['bytes']} bytes, expected {size}")
    report_result(result)


if __name__ == "__main__":
    main(sys.argv[1:])
