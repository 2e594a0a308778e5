"""A whole download's deadline: the tutorial's ``callLater`` plus ``cancel``, with its own reason.

The idle timeout bounds the silence between bytes; a server that drips a
byte a second for ever never trips it. The deadline bounds the whole
download: unless the Deferred has fired ``seconds`` after it began, a timer
cancels it (closing the connection, or the attempt, as a cancel always
does) and the ``CancelledError`` becomes a :class:`DeadlineError`, so the
window and ``poetry-get`` say "gave up after 2 s", not "cancelled".

Twisted ships that pattern as :meth:`Deferred.addTimeout`: the timer is
cancelled as soon as the Deferred fires, so none outlives the download.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime
from twisted.python.failure import Failure

from app.net.failures import DeadlineError

T = TypeVar("T")

#: The longest deadline Preferences and the settings file take: a day.
LONGEST_MAX_TIME = 86_400.0


def give_up_after(
    d: Deferred[T], seconds: float, clock: IReactorTime, received: Callable[[], int]
) -> Deferred[T]:
    """Fail ``d`` with :class:`DeadlineError` unless it fires within ``seconds`` on ``clock``.

    Call it before anyone else adds callbacks, so that they all see the
    deadline's reason. ``received()`` says how many bytes had come when the
    time ran out (the reason carries it). Returns ``d``.
    """

    def gave_up(_cancelled: T | Failure, timeout: float) -> Failure:
        return Failure(DeadlineError(timeout, received()))

    d.addTimeout(seconds, clock, onTimeoutCancel=gave_up)
    return d
