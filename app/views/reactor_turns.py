"""A reactor turn in words a learner reads: how long the loop waited, what was ready, what ran.

"#1532 · waited 12 ms · ready: 127.0.0.1:10001, 127.0.0.1:10002 ·
dataReceived(10 bytes) ×2, idle check". The turn itself is data
(:class:`app.net.turns.Turn`); the words are made here when it is shown, in
the language spoken then. Method names stay as code (``dataReceived``);
the program's own timers are named by what they do (:data:`TIMER_NAMES`),
any other by its function's name.
"""

from __future__ import annotations

from app.i18n import N_, _
from app.i18n.units import count_bytes, format_seconds
from app.net.turns import Call, Ready, Turn

#: The program's timers, by the ``__qualname__`` of the function they call.
TIMER_NAMES: dict[str, str] = {
    "PoetryProtocol._idle_timer_due": N_("idle check"),  # untranslated: code
    "_IdleWatch._sweep_now": N_("idle sweep"),  # untranslated: code
    "PoetryServerProtocol._tick": N_("server write"),  # untranslated: code
    "DownloadController._refill_now": N_("next queued download"),  # untranslated: code
    "PacedStarts._next_slice": N_("paced start"),  # untranslated: code
    "FileLines._flush_due": N_("log flush"),  # untranslated: code
    "LaunchProtocol._timed_out": N_("launch hand-over timeout"),  # untranslated: code
    "PoetryQtReactor._lost_if_watched": N_("closed socket check"),  # untranslated: code
    "ReactorBase.stop": N_("reactor stop"),  # untranslated: code
    "_BaseBaseClient.resolveAddress": N_("start connecting"),  # untranslated: code
}
#: Ready sockets named in a row; the rest are counted.
READY_SHOWN = 8
#: Separates a row's parts (the same in every language).
PART = " · "  # untranslated: a separator


def explanation() -> str:
    """What a turn is, in one line above the list."""
    return _(
        "Each row is one turn of the reactor loop: it waits on epoll until sockets are ready "
        "or the next timer is due, then runs what they trigger."
    )


def turn_words(turn: Turn) -> str:
    """The turn as one line: number, wait, ready sockets, what ran."""
    parts = [f"#{turn.number}", _("waited {time}").format(time=wait_words(turn.waited))]
    if turn.ready:
        parts.append(_("ready: {sockets}").format(sockets=ready_words(turn.ready)))
    ran = calls_words(turn.calls, turn.more)
    if ran:
        parts.append(ran)
    return PART.join(parts)


def wait_words(seconds: float) -> str:
    """``12 ms`` under a second, ``1.5 s`` from one on."""
    if seconds < 1:
        return _("{ms} ms").format(ms=round(seconds * 1000))
    return format_seconds(seconds)


def ready_words(ready: list[Ready]) -> str:
    names = [ready_name(socket) for socket in ready[:READY_SHOWN]]
    if len(ready) > READY_SHOWN:
        names.append(_("… and {count} more").format(count=len(ready) - READY_SHOWN))
    return _(", ").join(names)


def ready_name(socket: Ready) -> str:
    """A client socket by its server's address; a server's own sockets say so."""
    if socket.role == "server":
        return _("server {address}").format(address=socket.address)
    if socket.role == "listening":
        return _("listening {address}").format(address=socket.address)
    if socket.role == "other" and socket.address.endswith("Waker"):  # untranslated: a class
        # TRANSLATORS: the pipe through which other threads wake the reactor.
        return _("waker")
    return socket.address


def calls_words(calls: list[Call], more: int = 0) -> str:
    """What ran, in order of first appearance, each call counted: "dataReceived(10 bytes) ×2"."""
    counts: dict[Call, int] = {}
    for call in calls:
        counts[call] = counts.get(call, 0) + 1
    words = [
        call_words(call) if count == 1 else f"{call_words(call)} ×{count}"  # untranslated: a count
        for call, count in counts.items()
    ]
    if more:
        words.append(_("… and {count} more").format(count=more))
    return _(", ").join(words)


def call_words(call: Call) -> str:
    detail = call.detail
    match call.kind:
        case "dataReceived":
            return f"dataReceived({count_bytes(int(detail))})"  # untranslated: a method's name
        case "connectionLost" | "clientConnectionFailed":
            return f"{call.kind}({detail})"  # untranslated: a method and a class
        case "timer":
            return timer_name(str(detail))
        case "callback":
            return _("callback {handler}").format(handler=detail)
        case "errback":
            return _("errback {handler}").format(handler=detail)
    return call.kind


def timer_name(qualname: str) -> str:
    """A timer by what it does; one of another package by its function's name."""
    name = TIMER_NAMES.get(qualname)
    return _(name) if name is not None else qualname
