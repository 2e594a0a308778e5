"""What a failed download means to a person, and what to try: one hint per cause.

:func:`app.net.failures.describe_failure` names a failure in a few words for a
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

from app.i18n import _, display_name, ngettext
from app.i18n.units import format_size, seconds_text
from app.net.address import Address
from app.net.failures import (
    ConnectionLostError,
    DeadlineError,
    EmptyPoemError,
    IdleTimeoutError,
    PoemTooLargeError,
    PoetryError,
    connect_error_words,
)


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
            return _("Cancelled on request: nothing went wrong, and there is nothing to fix.")
        case error.ConnectionRefusedError():
            return _(
                "Nothing is listening on {address}. Is the server running, and is the port right?"
            ).format(address=address)
        case error.TimeoutError() | error.TCPTimedOutError():
            return _(
                "{address} did not answer in time. The server may be down or too busy, or a "
                "firewall may be dropping the connection; check the address and try again later."
            ).format(address=address)
        case error.DNSLookupError() | error.UnknownHostError():
            return _(
                "No computer called “{host}” could be found. Check the spelling of the host name, "
                "and that this computer is connected to the network."
            ).format(host=host)
        case error.NoRouteError():
            return _(
                "There is no network route to {host}. Check this computer's network connection, "
                "and whether {host} can be reached from here."
            ).format(host=host)
        case error.ConnectError():
            return _(
                "Could not connect to {address} ({why}). "
                "Check the address, and try again in a moment."
            ).format(address=address, why=_turned_away(value))
        case ConnectionLostError(received=received):
            if received == 0:
                return _(
                    "{address} accepted the connection, then cut it off before sending a byte. "
                    "The server may have crashed or be turning work away; try again later."
                ).format(address=address)
            return _(
                "The connection to {address} was cut off after {so_far}, "
                "so the poem is incomplete. The server may have stopped or restarted mid-poem: "
                "press Start to try again."
            ).format(address=address, so_far=_so_far(received, expected_size))
        case IdleTimeoutError(seconds=seconds, received=received):
            waited = seconds_text(f"{seconds:g}")
            if received == 0:
                return _(
                    "{address} accepted the connection, then sent nothing for {seconds}, "
                    "so the download was stopped. "
                    "The server may be stuck or overloaded; try again later."
                ).format(address=address, seconds=waited)
            return _(
                "{address} sent {so_far}, then nothing for {seconds}, "
                "so the download was stopped. "
                "The server may be stuck or overloaded; try again later."
            ).format(address=address, so_far=_so_far(received, expected_size), seconds=waited)
        case DeadlineError(seconds=seconds, received=received):
            limit = seconds_text(f"{seconds:g}")
            if received == 0:
                return _(
                    "{address} had sent nothing when the download reached its limit of "
                    "{seconds}, so it was given up. The server may be slow to answer: raise "
                    "the limit, or switch it off, in Preferences."
                ).format(address=address, seconds=limit)
            return _(
                "{address} had sent {so_far} when the download reached its limit of {seconds}, "
                "so it was given up. The server may just be slow: raise the limit, or switch "
                "it off, in Preferences."
            ).format(address=address, so_far=_so_far(received, expected_size), seconds=limit)
        case PoemTooLargeError(max_bytes=max_bytes):
            return _(
                "{address} sent more than {size}, the most one poem may be, "
                "so the download was stopped. Check that {address} really is a poetry server."
            ).format(address=address, size=format_size(max_bytes))
        case EmptyPoemError():
            return _(
                "{address} accepted the connection and closed it without sending anything. "
                "Something is listening there, but it sent no poem: check that it is a poetry "
                "server with a poem to serve."
            ).format(address=address)
        case PoetryError():
            return _("The download from {address} failed: {reason}.").format(
                address=address, reason=value.words()
            )
    return _(
        "The download from {address} failed in a way {program} does not recognise "
        "({kind}: {message}). The details below say where; they are worth reporting."
    ).format(address=address, program=display_name(), kind=type(value).__name__, message=value)


def internal_hint(address: Address, *, fatal: bool) -> str:
    """A bug of ours, not the server's: say so, and whether the download went on."""
    if fatal:
        return _(
            "A bug in {program} stopped the download from {address}: its own code failed, "
            "not the server. Start may well work again; the details below are what to report."
        ).format(program=display_name(), address=address)
    return _(
        "A bug in {program} while it showed the download from {address}: its own code "
        "failed, not the server, and the download carried on. The details below are what to report."
    ).format(program=display_name(), address=address)


def _so_far(received: int, expected_size: int | None) -> str:
    """``14 of 612 bytes`` when the size is known and not yet reached, else ``14 bytes``."""
    if expected_size is not None and 0 < received < expected_size:
        return ngettext(
            "{received} of {expected} byte", "{received} of {expected} bytes", expected_size
        ).format(received=f"{received:,}", expected=f"{expected_size:,}")
    return ngettext("{n} byte", "{n} bytes", received).format(n=f"{received:,}")


def _turned_away(value: error.ConnectError) -> str:
    return connect_error_words(value) or _("the connection was turned away")
