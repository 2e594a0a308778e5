"""What a failed download means to a person, and what to try: one hint per cause.

:func:`app.client.describe_failure` names a failure in a few words for a
table cell ("connection refused"). Someone looking at the failure window
wants more: which server, what the network or the server did, and the one
thing worth trying next. A traceback answers none of that, so these
sentences go above it.

Every sentence is plain text, built from the failure and what the row knew
when it failed (its address and the size of the last poem it sent). Nothing
here imports Qt: the window shows these words, and tests read them as is.
"""

from __future__ import annotations

from twisted.internet import error
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

from app import DISPLAY_NAME
from app.address import Address
from app.client import (
    ConnectionLostError,
    EmptyPoemError,
    IdleTimeoutError,
    PoemTooLargeError,
    PoetryError,
    connect_error_words,
)
from app.units import format_size


def hint(failure: Failure, address: Address, expected_size: int | None) -> str:
    """What happened to the download from ``address`` and what to try, in one or two sentences.

    ``expected_size`` is the row's expected size when it failed (the last
    complete poem from that server), or ``None`` when unknown; it turns
    "after 14 bytes" into "after 14 of 612 bytes".
    """
    value = failure.value
    host = address.host
    match value:
        case CancelledError():
            return "Cancelled on request: nothing went wrong, and there is nothing to fix."
        case error.ConnectionRefusedError():
            return (
                f"Nothing is listening on {address}. Is the server running, and is the port right?"
            )
        case error.TimeoutError() | error.TCPTimedOutError():
            return (
                f"{address} did not answer in time. The server may be down or too busy, or a "
                "firewall may be dropping the connection; check the address and try again later."
            )
        case error.DNSLookupError() | error.UnknownHostError():
            return (
                f"No computer called “{host}” could be found. Check the spelling of the host name, "
                "and that this computer is connected to the network."
            )
        case error.NoRouteError():
            return (
                f"There is no network route to {host}. Check this computer's network connection, "
                f"and whether {host} can be reached from here."
            )
        case error.ConnectError():
            return (
                f"Could not connect to {address} ({_turned_away(value)}). "
                "Check the address, and try again in a moment."
            )
        case ConnectionLostError(received=received):
            if received == 0:
                return (
                    f"{address} accepted the connection, then cut it off before sending a byte. "
                    "The server may have crashed or be turning work away; try again later."
                )
            so_far = _so_far(received, expected_size)
            return (
                f"The connection to {address} was cut off after {so_far}, "
                "so the poem is incomplete. The server may have stopped or restarted mid-poem: "
                "press Start to try again."
            )
        case IdleTimeoutError(seconds=seconds, received=received):
            sent = (
                "accepted the connection, then sent nothing"
                if received == 0
                else f"sent {_so_far(received, expected_size)}, then nothing"
            )
            return (
                f"{address} {sent} for {seconds:g} s, so the download was stopped. "
                "The server may be stuck or overloaded; try again later."
            )
        case PoemTooLargeError(max_bytes=max_bytes):
            return (
                f"{address} sent more than {format_size(max_bytes)}, the most one poem may be, "
                f"so the download was stopped. Check that {address} really is a poetry server."
            )
        case EmptyPoemError():
            return (
                f"{address} accepted the connection and closed it without sending anything. "
                "Something is listening there, but it sent no poem: check that it is a poetry "
                "server with a poem to serve."
            )
        case PoetryError():
            return f"The download from {address} failed: {value}."
    return (
        f"The download from {address} failed in a way {DISPLAY_NAME} does not recognise "
        f"({type(value).__name__}: {value}). The details below say where; they are worth reporting."
    )


def internal_hint(address: Address, *, fatal: bool) -> str:
    """A bug of ours, not the server's: say so, and whether the download went on."""
    if fatal:
        return (
            f"A bug in {DISPLAY_NAME} stopped the download from {address}: its own code failed, "
            "not the server. Start may well work again; the details below are what to report."
        )
    return (
        f"A bug in {DISPLAY_NAME} while it showed the download from {address}: its own code "
        "failed, not the server, and the download carried on. The details below are what to report."
    )


def _so_far(received: int, expected_size: int | None) -> str:
    """``14 of 612 bytes`` when the size is known and not yet reached, else ``14 bytes``."""
    if expected_size is not None and 0 < received < expected_size:
        return f"{received:,} of {expected_size:,} bytes"
    return "1 byte" if received == 1 else f"{received:,} bytes"


def _turned_away(value: error.ConnectError) -> str:
    return connect_error_words(value) or "the connection was turned away"
