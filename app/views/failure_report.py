"""The technical half of a failure's report: its traceback, or why it has none.

Twisted hands a refused connection to the errback as a Failure made from an
exception nobody raised, so it has no frames, and ``Failure.getTraceback()``
prints ``Traceback (most recent call last):`` with nothing under it, which
reads like a broken report. The same holds for the download's own verdicts
(a lost connection, an idle server), made from what the network did. Here
such a Failure says where it came from instead; a Failure that was raised
keeps its traceback. A lost connection is followed by its cause: what the
network actually did. Nothing here imports Qt.
"""

from __future__ import annotations

from twisted.internet import error
from twisted.python.failure import Failure

from app.i18n import N_, _
from app.net.failures import PoetryError

# In English; shown through _() (the report is built when it is shown).
NETWORK = N_("No Python traceback: this error was reported by the network, not raised by code.")
VERDICT = N_(
    "No Python traceback: the download ended itself because of what the server did "
    "(or did not do); no code raised this."
)
RECORDED = N_("No Python traceback: this error was recorded, not raised by code.")


def traceback_text(failure: Failure) -> str:
    """``failure``'s traceback, or a line saying why there is none; then its cause, if any."""
    if failure.frames:
        text = failure.getTraceback()
    else:
        text = f"{_origin(failure)}\n\n{_exception_line(failure)}\n"
    cause = getattr(failure.value, "cause", None)
    if isinstance(cause, Failure):
        text += "\n" + _("Caused by:") + "\n" + traceback_text(cause)
    return text


def _origin(failure: Failure) -> str:
    if isinstance(failure.value, PoetryError):
        return _(VERDICT)
    if failure.value is not None and _from_the_network(failure.value):
        return _(NETWORK)
    return _(RECORDED)


def _from_the_network(value: BaseException) -> bool:
    """Twisted's connection errors, and the OS's: what a socket reports, not what code raises."""
    return isinstance(value, OSError) or type(value).__module__ == error.__name__


def _exception_line(failure: Failure) -> str:
    """``module.Class: message``, as the last line of a traceback names it."""
    kind = failure.type if isinstance(failure.type, type) else type(failure.value)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    message = str(failure.value)
    return f"{name}: {message}" if message else name
