"""Small real servers on 127.0.0.1 that misbehave in one way each.

Every server listens on a free port of the test reactor and is closed by
the ``servers`` fixture (see ``tests/conftest.py``). They are the network a
downloader meets in the wild: resets, stalls, floods, drips, bad bytes.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Sequence

from twisted.internet import protocol
from twisted.internet.interfaces import IListeningPort

LOCALHOST = "127.0.0.1"


class _Behaviour(protocol.Protocol):
    """Base: remembers its timers so a closed connection leaves none behind."""

    def connectionMade(self) -> None:
        self.factory.connections += 1
        self.timers = []
        self.start()

    def start(self) -> None:
        raise NotImplementedError

    def later(self, delay: float, fn, *args) -> None:
        from twisted.internet import reactor

        self.timers.append(reactor.callLater(delay, fn, *args))

    def connectionLost(self, reason: object = None) -> None:
        for timer in self.timers:
            if timer.active():
                timer.cancel()


class _Factory(protocol.ServerFactory):
    def __init__(self, behaviour: type[_Behaviour], **options: object) -> None:
        self.protocol = behaviour
        self.options = options
        self.connections = 0

    def buildProtocol(self, addr: object) -> protocol.Protocol:
        proto = super().buildProtocol(addr)
        proto.__dict__.update(self.options)
        return proto


class Chunks(_Behaviour):
    """Writes each chunk ``gap`` seconds apart, then closes cleanly."""

    chunks: Sequence[bytes] = ()
    gap = 0.0

    def start(self) -> None:
        self.transport.getHandle().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = list(self.chunks)
        self.later(0, self.next)

    def next(self) -> None:
        if self.pending:
            self.transport.write(self.pending.pop(0))
            self.later(self.gap, self.next)
        else:
            self.transport.loseConnection()


class ResetMidPoem(_Behaviour):
    """Sends ``prefix``, then resets the connection (RST, SO_LINGER 0)."""

    prefix = b"Half a poem is"

    def start(self) -> None:
        self.transport.write(self.prefix)
        self.later(0.1, self.reset)

    def reset(self) -> None:
        self.transport.getHandle().setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
        )
        self.transport.abortConnection()


class Stall(_Behaviour):
    """Sends ``prefix`` and then nothing, never closing."""

    prefix = b"And then"

    def start(self) -> None:
        self.transport.write(self.prefix)


class Flood(_Behaviour):
    """Sends bytes forever, as fast as the client takes them."""

    block = b"All work and no play makes Jack a dull boy.\n" * 1500

    def start(self) -> None:
        self.transport.registerProducer(self, False)

    def resumeProducing(self) -> None:
        self.transport.write(self.block)

    def stopProducing(self) -> None:
        pass


class Drip(_Behaviour):
    """Sends ``payload`` one byte every ``gap`` seconds, then closes cleanly."""

    payload = b"drip, drip, drip\n"
    gap = 0.005

    def start(self) -> None:
        self.offset = 0
        self.later(self.gap, self.next)

    def next(self) -> None:
        if self.offset < len(self.payload):
            self.transport.write(self.payload[self.offset : self.offset + 1])
            self.offset += 1
            self.later(self.gap, self.next)
        else:
            self.transport.loseConnection()


class CloseAtOnce(_Behaviour):
    """Accepts and closes cleanly without a byte: an empty poem."""

    def start(self) -> None:
        self.transport.loseConnection()


def serve(behaviour: type[_Behaviour], **options: object) -> IListeningPort:
    """Listen on a free port of 127.0.0.1 with one behaviour; the caller closes it."""
    from twisted.internet import reactor

    return reactor.listenTCP(0, _Factory(behaviour, **options), interface=LOCALHOST)


def serve_bytes(payload: bytes, chunk: int | None = None, gap: float = 0.0) -> IListeningPort:
    """Serve ``payload`` (in ``chunk``-sized writes ``gap`` s apart) and close cleanly."""
    size = chunk or max(len(payload), 1)
    chunks = [payload[i : i + size] for i in range(0, len(payload), size)]
    return serve(Chunks, chunks=chunks, gap=gap)


class FullBacklog:
    """A listening socket whose accept queue is full: new connections never complete.

    Linux drops the SYN of a connection to a listener whose queue is full, so
    the client sits in "connecting" until its own timeout fires.
    """

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind((LOCALHOST, 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.fillers: list[socket.socket] = []
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex((LOCALHOST, self.port))
            self.fillers.append(filler)

    def close(self) -> None:
        for sock in [*self.fillers, self.listener]:
            sock.close()
