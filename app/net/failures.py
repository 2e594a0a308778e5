"""The ways a download fails, and the few plain words that say each.

A download's Deferred fails with one of Twisted's connection errors (refused,
host not found, connect timeout) or, once connected, with one of the
:class:`PoetryError` subclasses here. :func:`describe_failure` turns any of
them into the words the command line and the window show.
"""

from __future__ import annotations

import errno
import os

from twisted.internet import error
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

from app.i18n import N_, _, ngettext, source_language
from app.i18n.units import format_size, seconds_text


class PoetryError(Exception):
    """Base of the ways a download fails after the connection was made.

    ``str()`` of one is English, as a traceback and the log read it;
    :meth:`words` says the same in the language being spoken.
    """

    def words(self) -> str:
        """What went wrong, in a few plain words of the current language."""
        return str(self)

    def _english(self) -> str:
        with source_language():
            return self.words()


class ConnectionLostError(PoetryError):
    """The connection ended some other way than a clean close: the poem is incomplete."""

    def __init__(self, received: int, cause: Failure | None = None) -> None:
        self.received = received
        self.cause = cause
        super().__init__(self._english())

    def words(self) -> str:
        return ngettext(
            "connection lost after {n} byte", "connection lost after {n} bytes", self.received
        ).format(n=self.received)


class IdleTimeoutError(PoetryError):
    """No byte arrived for ``idle_timeout`` seconds."""

    def __init__(self, seconds: float, received: int) -> None:
        self.seconds = seconds
        self.received = received
        super().__init__(self._english())

    def words(self) -> str:
        return _("no data for {seconds}").format(seconds=seconds_text(f"{self.seconds:g}"))


class DeadlineError(PoetryError):
    """The whole download was not over ``seconds`` after it began, so it was given up.

    Unlike :class:`IdleTimeoutError`, bytes arriving do not put it off: it
    bounds a server that drips a poem for ever as well as one that is silent.
    """

    def __init__(self, seconds: float, received: int) -> None:
        self.seconds = seconds
        self.received = received
        super().__init__(self._english())

    def words(self) -> str:
        return _("gave up after {seconds}").format(seconds=seconds_text(f"{self.seconds:g}"))


class PoemTooLargeError(PoetryError):
    """The server sent more than ``max_bytes``; the connection was aborted at once."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        super().__init__(self._english())

    def words(self) -> str:
        return _("larger than {size}").format(size=format_size(self.max_bytes))


class EmptyPoemError(PoetryError):
    """The server closed the connection cleanly without sending a byte."""

    def __init__(self) -> None:
        super().__init__(self._english())

    def words(self) -> str:
        return _("empty poem")


def describe_failure(failure: Failure) -> str:
    """The reason a download failed, in the few plain words a person reads.

    In the language being spoken when it is called: the window and
    ``poetry-get`` call it when they show the reason. The log wants English,
    and calls it inside :func:`app.i18n.source_language`.
    """
    value = failure.value
    if isinstance(value, PoetryError):
        return value.words()
    if isinstance(value, CancelledError):
        return _("cancelled")
    if isinstance(value, error.ConnectionRefusedError):
        return _("connection refused")
    if isinstance(value, error.TimeoutError | error.TCPTimedOutError):
        return _("timed out")
    if isinstance(value, error.DNSLookupError | error.UnknownHostError):
        return _("host not found")
    if isinstance(value, error.NoRouteError):
        return _("no route to host")
    if isinstance(value, error.ConnectError):
        why = connect_error_words(value) or type(value).__name__
        return _("could not connect ({why})").format(why=why)
    return _("unexpected error: {kind}: {message}").format(kind=type(value).__name__, message=value)


#: The OS's words for the errors a connection meets, for a language other than
#: English; in English the OS's own words are used, as the OS spells them.
_OS_ERROR_WORDS = {
    errno.ECONNRESET: N_("connection reset by peer"),
    errno.ECONNREFUSED: N_("connection refused"),
    errno.ECONNABORTED: N_("software caused connection abort"),
    errno.ETIMEDOUT: N_("connection timed out"),
    errno.EHOSTUNREACH: N_("no route to host"),
    errno.ENETUNREACH: N_("network is unreachable"),
    errno.ENETDOWN: N_("network is down"),
    errno.EHOSTDOWN: N_("host is down"),
    errno.EADDRNOTAVAIL: N_("cannot assign requested address"),
    errno.EADDRINUSE: N_("address already in use"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"),
    errno.EMFILE: N_("too many open files"),
    errno.EPIPE: N_("broken pipe"),
}


def connect_error_words(value: error.ConnectError) -> str:
    """ "connection reset by peer" rather than Twisted's "104: Connection reset by peer.".

    The OS's words for its error number, else what Twisted said without the
    number; "" when there is neither, so each caller says that its own way.
    The common errors are said in the current language (the OS speaks English).
    """
    number: int | None = None
    if isinstance(value.osError, int):
        number = value.osError
        words = os.strerror(value.osError)
    elif value.args and isinstance(value.args[0], str):
        words = value.args[0].strip().rstrip(".")
        # getConnectError's "104: Connection reset by peer": the number says nothing more.
        code, _sep, rest = words.partition(": ")
        if code.isdigit() and rest:
            number, words = int(code), rest
    else:
        return ""
    known = _OS_ERROR_WORDS.get(number) if number is not None else None
    if known is not None and _(known) != known:
        return _(known)
    return words[:1].lower() + words[1:]
