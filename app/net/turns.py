"""The reactor's turns, recorded while somebody listens: the tutorial's loop, seen turning.

A *turn* is what the reactor does between two waits: it waits (on epoll)
until sockets are ready or the next timer is due, then reads or writes a
batch of the ready sockets and runs the timers that are due, and with them
whatever those trigger: a protocol's ``dataReceived``, a factory's
``clientConnectionFailed``, a Deferred's callbacks. :class:`TurnRecord`
keeps each turn as data (which sockets were ready, what ran, in order), and
the words are made when it is shown, in the language spoken then
(:mod:`app.views.reactor_turns`).

Recording costs nothing while nobody listens: the reactor and the protocol
look at :data:`recording` once per event, and it is ``None``. A reactor
that knows about turns (``app.gui.reactor.qt_reactor.PoetryQtReactor``)
calls :meth:`TurnRecord.sockets_ready` when it takes a batch of ready
sockets, :meth:`TurnRecord.timers_due` before it runs its timers and
:meth:`TurnRecord.turn_ended` after; the protocol and the timers call
:meth:`TurnRecord.ran`. A turn in which nothing was ready and nothing ran
(the reactor also turns to re-arm its Qt timer) is not kept.

Memory is bounded: the record keeps the last :data:`KEEP_TURNS` turns, and
a turn keeps its first :data:`CALLS_PER_TURN` calls and counts the rest.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, cast

from twisted.internet import tcp
from twisted.internet.interfaces import IListeningPort, ITCPTransport

from app.net.address import Address

#: Turns kept; older ones are dropped as new ones come.
KEEP_TURNS = 2000
#: Calls a turn keeps; past that it only counts them ("… and 812 more").
CALLS_PER_TURN = 100

#: What ran: a protocol's or factory's method, a timer, or a step of a Deferred's chain.
CallKind: TypeAlias = Literal[
    "connectionMade",
    "dataReceived",
    "connectionLost",
    "clientConnectionFailed",
    "timer",
    "callback",
    "errback",
]
#: Whose socket was ready: a client connection (named by its server), a server-side
#: connection or a listening port of a server in this process, or something else.
Role: TypeAlias = Literal["client", "server", "listening", "other"]


@dataclass(frozen=True, slots=True)
class Ready:
    """One ready socket: ``address`` is its server's ``HOST:PORT`` ("other": a class name)."""

    role: Role
    address: str


@dataclass(frozen=True, slots=True)
class Call:
    """One thing that ran in a turn.

    ``detail`` is the byte count of a ``dataReceived``; the reason's class
    name of a ``connectionLost`` or ``clientConnectionFailed``; a timer's
    function (its ``__qualname__``); a callback's or errback's handler name.
    """

    kind: CallKind
    detail: str | int = ""


@dataclass(slots=True, eq=False)
class Turn:
    """One turn of the reactor: ``waited`` seconds after the previous turn ended."""

    started: float
    waited: float
    #: Counting from 1, in the order the turns were kept; 0 until it is kept.
    number: int = 0
    ended: float | None = None
    ready: list[Ready] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    #: Calls past :data:`CALLS_PER_TURN`, counted but not kept.
    more: int = 0

    @property
    def empty(self) -> bool:
        return not (self.ready or self.calls or self.more)


class TurnRecord:
    """The last ``keep`` turns, newest last, as the reactor reports them.

    ``clock`` (``time.monotonic`` by default) is the window's clock, which
    the timeline also reads: a turn's time can be marked on its lanes.
    """

    def __init__(
        self,
        keep: int = KEEP_TURNS,
        calls_per_turn: int = CALLS_PER_TURN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.turns: deque[Turn] = deque(maxlen=keep)
        self.calls_per_turn = calls_per_turn
        self.clock = clock
        #: Turns kept so far: the newest turn's number.
        self.count = 0
        self._open: Turn | None = None
        self._last_end: float | None = None

    def sockets_ready(self, ready: list[Ready]) -> None:
        """A batch of ready sockets is about to be served: a turn begins.

        A turn takes one batch; a second batch before the timers ran begins
        the next turn.
        """
        if not ready:
            return
        turn = self._open
        if turn is not None and turn.ready:
            self.turn_ended()
            turn = None
        if turn is None:
            turn = self._begin()
        turn.ready.extend(ready)

    def timers_due(self) -> None:
        """The reactor is about to run its due timers: the turn goes on, or one begins."""
        if self._open is None:
            self._begin()

    def ran(self, kind: CallKind, detail: str | int = "") -> None:
        """Something ran in the open turn (nothing is kept outside a turn)."""
        turn = self._open
        if turn is None:
            return
        if len(turn.calls) < self.calls_per_turn:
            turn.calls.append(Call(kind, detail))
        else:
            turn.more += 1

    def turn_ended(self) -> Turn | None:
        """The timers ran: the open turn ends, and is kept unless nothing happened in it."""
        turn, self._open = self._open, None
        if turn is None or turn.empty:
            return None
        turn.ended = self.clock()
        self.count += 1
        turn.number = self.count
        self._last_end = turn.ended
        self.turns.append(turn)
        return turn

    def since(self, number: int) -> list[Turn]:
        """The turns kept after turn ``number``, oldest first."""
        newer = self.count - number
        if newer <= 0:
            return []
        turns = self.turns
        return list(turns)[-newer:] if newer < len(turns) else list(turns)

    def _begin(self) -> Turn:
        now = self.clock()
        waited = 0.0 if self._last_end is None else max(0.0, now - self._last_end)
        self._open = Turn(now, waited)
        return self._open


#: The record kept now, or ``None`` while nobody listens (the reactor and protocol look here).
recording: TurnRecord | None = None


def listen() -> TurnRecord:
    """Start recording turns (or go on, if somebody already listens); the record kept."""
    global recording
    if recording is None:
        recording = TurnRecord()
    return recording


def stop_listening() -> None:
    """Stop recording: the reactor and the protocol go back to one ``is None`` per event."""
    global recording
    recording = None


def ready_socket(descriptor: object) -> Ready:
    """Who ``descriptor`` (a socket the reactor found ready) is, by its server's ``HOST:PORT``."""
    try:
        if isinstance(descriptor, tcp.Client):
            return Ready("client", _address_text(cast(ITCPTransport, descriptor).getPeer()))
        if isinstance(descriptor, tcp.Server):
            return Ready("server", _address_text(cast(ITCPTransport, descriptor).getHost()))
        if IListeningPort.providedBy(descriptor):
            return Ready("listening", _address_text(descriptor.getHost()))
    except (OSError, AttributeError, TypeError):
        pass  # a socket closing under us: named by its kind below
    return Ready("other", type(descriptor).__name__)


def _address_text(address: Any) -> str:
    """``HOST:PORT`` as the table's first column spells it (``[V6]:PORT`` for IPv6)."""
    return Address(str(address.host), int(address.port)).text


def timed(function: Callable[..., object]) -> Callable[..., object]:
    """``function`` as a timer that notes it ran in the open turn, while recording.

    The reactor wraps what ``callLater`` is given only while somebody listens.
    """
    name = getattr(function, "__qualname__", None) or type(function).__name__

    def fired(*args: object, **kwargs: object) -> object:
        if (record := recording) is not None:
            record.ran("timer", name)
        return function(*args, **kwargs)

    fired.__qualname__ = name
    fired.__wrapped__ = function  # type: ignore[attr-defined]
    return fired
