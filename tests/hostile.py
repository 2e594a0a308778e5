"""Small real servers on 127.0.0.1 that misbehave in one way each.

Every server listens on a free port of the test reactor and is closed by
the ``servers`` fixture (see ``tests/conftest.py``). They are the network a
downloader meets in the wild: resets, stalls, floods, drips, bad bytes.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from twisted.internet import error, protocol
from twisted.internet.interfaces import IListeningPort

from app.net.failures import (
    ConnectionLostError,
    EmptyPoemError,
    IdleTimeoutError,
    PoemTooLargeError,
)

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
    """Sends ``payload`` one byte every ``gap`` seconds, then closes cleanly.

    With ``stall`` it goes silent instead, never closing.
    """

    payload = b"drip, drip, drip\n"
    gap = 0.005
    stall = False

    def start(self) -> None:
        self.offset = 0
        self.later(self.gap, self.next)

    def next(self) -> None:
        if self.offset < len(self.payload):
            self.transport.write(self.payload[self.offset : self.offset + 1])
            self.offset += 1
            self.later(self.gap, self.next)
        elif not self.stall:
            self.transport.loseConnection()


class HalfClose(_Behaviour):
    """Sends ``payload``, then shuts down only its sending side and keeps the socket open.

    The client reads end-of-file: that is the poem's end, as a clean close is.
    """

    payload = b"half closed, wholly sent\n"

    def start(self) -> None:
        self.transport.write(self.payload)
        self.transport.loseWriteConnection()


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


# Payloads that are poems, but awkward ones.

INVALID_UTF8 = b"caf\xc3\xa9 \xff\xfe broken \xc3 end\n"
GB18030_POEM = "床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n"
MARKUP_POEM = "<b>bold</b> <a href='file:///etc/passwd'>link</a> &amp; <script>alert(1)</script>\n"
#: NUL, a bell, ANSI colour and screen-clear escapes, bidi overrides (U+202E, U+2066..2069).
CONTROL_POEM = "nul\x00 bell\x07 \x1b[31mred\x1b[0m \x1b[2J \u202etxt.exe\u202c \u2066iso\u2069\n"


class _Ports(Protocol):
    """What a case needs to start its server: the ``servers`` fixture of tests/conftest.py."""

    def hostile(self, behaviour: type, **options: object) -> int: ...
    def bytes(self, payload: bytes, chunk: int | None = None, gap: float = 0.0) -> int: ...
    def full_backlog(self) -> int: ...
    def refused(self) -> int: ...


@dataclass(frozen=True)
class Case:
    """One way a server can behave, and what a download from it must end in.

    ``serve`` starts the server and returns its port. A case ends either in
    ``text`` (the poem, decoded with ``encoding``) or in a failure of type
    ``failure`` whose plain-words reason is ``reason``. The reasons assume
    the short limits in :data:`LIMITS`.
    """

    name: str
    serve: Callable[[_Ports], int]
    text: str | None = None
    failure: type[Exception] | None = None
    reason: str | None = None
    encoding: str = "utf-8"
    replaced: int = 0


#: Short limits under which every case ends within about a second.
LIMITS = {"timeout": 1.0, "idle_timeout": 0.5, "max_bytes": 100_000}


CASES: list[Case] = [
    Case(
        "reset mid-poem (RST)",
        lambda s: s.hostile(ResetMidPoem, prefix=b"Half a poem is"),
        failure=ConnectionLostError,
        reason="connection lost after 14 bytes",
    ),
    Case(
        "close before sending (RST, no byte)",
        lambda s: s.hostile(ResetMidPoem, prefix=b""),
        failure=ConnectionLostError,
        reason="connection lost after 0 bytes",
    ),
    Case(
        "stall after 8 bytes",
        lambda s: s.hostile(Stall, prefix=b"And then"),
        failure=IdleTimeoutError,
        reason="no data for 0.5 s",
    ),
    Case(
        "flood forever",
        lambda s: s.hostile(Flood),
        failure=PoemTooLargeError,
        reason="larger than 97.7 KiB",
    ),
    Case(
        "accept and close (empty poem)",
        lambda s: s.hostile(CloseAtOnce),
        failure=EmptyPoemError,
        reason="empty poem",
    ),
    Case(
        "full accept queue (connect never completes)",
        lambda s: s.full_backlog(),
        failure=error.TimeoutError,
        reason="timed out",
    ),
    Case(
        "nothing listening (refused)",
        lambda s: s.refused(),
        failure=error.ConnectionRefusedError,
        reason="connection refused",
    ),
    Case(
        "drip one byte every 5 ms",
        lambda s: s.hostile(Drip, payload=b"drip, drip, drip\n", gap=0.005),
        text="drip, drip, drip\n",
    ),
    Case(
        "half-close after the poem",
        lambda s: s.hostile(HalfClose, payload=b"half closed, wholly sent\n"),
        text="half closed, wholly sent\n",
    ),
    Case(
        "invalid UTF-8",
        lambda s: s.bytes(INVALID_UTF8, chunk=3),
        text=INVALID_UTF8.decode("utf-8", "replace"),
        replaced=3,
    ),
    Case(
        "UTF-16 declared, cut in the middle of a character",
        lambda s: s.bytes("a poem".encode("utf-16") + b"\x00", chunk=3),
        text="a poem\ufffd",
        encoding="utf-16",
        replaced=1,
    ),
    Case(
        "GB18030 text, declared",
        lambda s: s.bytes(GB18030_POEM.encode("gb18030"), chunk=5),
        text=GB18030_POEM,
        encoding="gb18030",
    ),
    Case(
        "markup",
        lambda s: s.bytes(MARKUP_POEM.encode()),
        text=MARKUP_POEM,
    ),
    Case(
        "NUL, ANSI and bidi control characters",
        lambda s: s.bytes(CONTROL_POEM.encode(), chunk=4),
        text=CONTROL_POEM,
    ),
]
