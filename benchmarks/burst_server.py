"""The burst benchmark's server: every connection is written to in the same instant.

``python -m benchmarks.burst_server [--iface IP] [--delay S] [--num-bytes N] FILE...``
serves like ``poetry-server`` (a port per FILE on IP, the same
``Serving FILE on HOST:PORT`` lines, the connection closed after the last
byte), with one difference. ``poetry-server`` gives each connection its own
timer, started when it connects, so thousands of connections spread their
writes over the delay. Here every write happens on a tick of a clock all
processes share (the multiples of ``S`` on ``CLOCK_MONOTONIC``), and none
before every port has its client (or none has come for ``GRACE`` seconds):
from then on, all of them, in every process, get ``N`` bytes within a few
milliseconds of each other, every ``S`` seconds, until the poem ends.

The clients that connect first wait silently while the rest connect. A
port takes one client per round; the next round starts once this one has
ended. Plain non-blocking sockets and one selector, no Twisted, so a tick
is a loop of ``send`` calls as short as Python makes it.
"""

from __future__ import annotations

import argparse
import math
import selectors
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from app.startup.file_limit import raise_open_file_limit

GRACE = 5.0
BACKLOG = 4096


@dataclass
class Connection:
    sock: socket.socket
    poem: bytes
    offset: int = 0

    def write(self, size: int) -> bool:
        """Send the next ``size`` bytes (as many as fit); False once it is finished or gone."""
        try:
            self.offset += self.sock.send(self.poem[self.offset : self.offset + size])
        except BlockingIOError:
            return True  # the client is behind: it gets this part at the next tick
        except OSError:
            self.sock.close()
            return False
        if self.offset >= len(self.poem):
            self.sock.close()
            return False
        return True


def serve(listeners: dict[socket.socket, bytes], delay: float, num_bytes: int) -> None:
    """Accept on every listener and write on the shared ticks, forever."""
    selector = selectors.DefaultSelector()
    for listener in listeners:
        selector.register(listener, selectors.EVENT_READ)
    waiting: list[Connection] = []
    writing: list[Connection] = []
    last_accept = time.monotonic()
    tick = _next_tick(delay)
    while True:
        for key, _ in selector.select(max(0.0, tick - time.monotonic())):
            listener = key.fileobj
            assert isinstance(listener, socket.socket)
            while True:
                try:
                    sock, _ = listener.accept()
                except BlockingIOError:
                    break
                sock.setblocking(False)
                waiting.append(Connection(sock, listeners[listener]))
                last_accept = time.monotonic()
        now = time.monotonic()
        if now < tick:
            continue
        tick = _next_tick(delay)
        everyone_here = len(waiting) >= len(listeners) or now - last_accept >= GRACE
        if not writing and waiting and everyone_here:
            writing, waiting = waiting, []
        writing = [connection for connection in writing if connection.write(num_bytes)]


def _next_tick(delay: float) -> float:
    return (math.floor(time.monotonic() / delay) + 1) * delay


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.burst_server")
    parser.add_argument("files", metavar="FILE", nargs="+", type=Path)
    parser.add_argument("--iface", default="127.0.0.1", metavar="IP")
    parser.add_argument("--delay", type=float, default=0.25, metavar="S")
    parser.add_argument("--num-bytes", type=int, default=80, metavar="N")
    options = parser.parse_args(argv)
    if options.delay <= 0:
        parser.error("--delay must be more than 0: a burst needs a tick")
    raise_open_file_limit()
    poems = {path: path.read_bytes() for path in set(options.files)}
    listeners: dict[socket.socket, bytes] = {}
    for path in options.files:
        listener = socket.socket()
        listener.bind((options.iface, 0))
        listener.listen(BACKLOG)
        listener.setblocking(False)
        listeners[listener] = poems[path]
        host, port = listener.getsockname()
        print(f"Serving {path} on {host}:{port}", flush=True)
    serve(listeners, options.delay, options.num_bytes)


if __name__ == "__main__":
    main(sys.argv[1:])
