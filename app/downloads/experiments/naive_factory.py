"""A factory without ``clientConnectionFailed`` waits for ever; ours fails at once. Side by side.

The Twisted Introduction's part 6 client hangs on a server that is not
there: the connection is refused, Twisted tells the factory through
``clientConnectionFailed``, and ``ClientFactory``'s own does nothing, so
the Deferred the caller holds never fires. Here both factories connect to
the same port of 127.0.0.1 where nothing listens: the forgetful one is
watched for a few seconds, then the experiment stops, saying it would wait
for ever; ours (:class:`app.net.client.PoetryClientFactory`) errbacks with
``ConnectionRefusedError`` at once.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from twisted.internet import error, protocol
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTCP
from twisted.python.failure import Failure

from app.downloads.experiments.experiment import LOCALHOST, Experiment, RunState
from app.i18n import _
from app.i18n.units import format_seconds
from app.net.client import get_poetry

#: How long the forgetful factory is watched before the experiment gives up on it.
WATCH_SECONDS = 5.0
#: How often "still waiting" is told.
TELL_EVERY = 0.5

if TYPE_CHECKING:
    _ClientFactory = protocol.ClientFactory[protocol.Protocol]
else:
    _ClientFactory = protocol.ClientFactory  # subscriptable only from Twisted 26.4


class ForgetfulFactory(_ClientFactory):
    """Holds the caller's Deferred, lacks ``clientConnectionFailed``: a refusal never gets to it."""

    protocol = protocol.Protocol
    noisy = False

    def __init__(self) -> None:
        self.deferred: Deferred[bytes] = Deferred()


def refusing_port() -> socket.socket:
    """A socket bound to a free port of 127.0.0.1 that never listens: connecting is refused.

    Held until the experiment ends, so no other program can take the port meanwhile.
    """
    holder = socket.socket()
    holder.bind((LOCALHOST, 0))
    return holder


class NaiveFactory(Experiment):
    """The forgetful factory still waiting, beside ours refused at once."""

    name = "NaiveFactory"

    def __init__(
        self, reactor: IReactorTCP | None = None, changed: Callable[[], object] | None = None
    ) -> None:
        super().__init__(reactor, changed)
        self.port = 0
        self.waited = 0.0
        self.forgetful_fired = False
        self.ours: Failure | None = None
        self.ours_after: float | None = None

    @staticmethod
    def title() -> str:
        return _("A Factory Without clientConnectionFailed")

    @staticmethod
    def explanation() -> str:
        return _(
            "Two clients connect to a port of 127.0.0.1 where nothing listens, so both "
            "connections are refused. A ClientFactory without clientConnectionFailed is never "
            "told, and its Deferred never fires; ours errbacks with ConnectionRefusedError at "
            "once."
        )

    def _ours_failed(self, failure: Failure) -> None:
        self.ours = failure
        self.changed()

    async def _run(self) -> None:
        holder = refusing_port()
        try:
            self.port = holder.getsockname()[1]
            started = self.clock.seconds()
            forgetful = ForgetfulFactory()
            forgetful.deferred.addBoth(self._forgetful_fired)
            connector = self.reactor.connectTCP(LOCALHOST, self.port, forgetful)
            ours = get_poetry(LOCALHOST, self.port, reactor=self.reactor)
            ours.addErrback(self._ours_failed)
            ours.addBoth(self._ours_ended, started)
            try:
                while self.waited < WATCH_SECONDS and not self.forgetful_fired:
                    await self.sleep(TELL_EVERY)
                    self.waited = self.clock.seconds() - started
                    self.changed()
            finally:
                with contextlib.suppress(error.NotConnectingError):
                    connector.stopConnecting()  # refused long ago, unless the run was cut short
                if not ours.called:
                    ours.cancel()
        finally:
            holder.close()

    def _ours_ended(self, result: object, started: float) -> object:
        self.ours_after = self.clock.seconds() - started
        return result

    def _forgetful_fired(self, result: object) -> None:
        self.forgetful_fired = True

    def findings(self) -> list[str]:
        forgetful = [
            _(
                "A ClientFactory without clientConnectionFailed, connecting to 127.0.0.1:{port}:"
            ).format(port=self.port)
        ]
        if self.forgetful_fired:
            forgetful.append(_("Its Deferred fired after all."))
        elif self.state is RunState.RUNNING:
            forgetful.append(
                _("Refused, but never told: still waiting after {seconds}…").format(
                    seconds=format_seconds(self.waited)
                )
            )
        elif self.state is not RunState.NOT_STARTED:
            forgetful.append(
                _(
                    "Stopped after {seconds}: nothing will ever fire its Deferred, so it would "
                    "wait for ever."
                ).format(seconds=format_seconds(self.waited))
            )
        ours = [_("Ours, PoetryClientFactory, connecting to the same port:")]
        if self.ours is not None and self.ours.type is not None:
            ours.append(
                _(
                    "Its clientConnectionFailed errbacked the Deferred at once: {exception} "
                    "after {seconds}."
                ).format(
                    exception=self.ours.type.__name__,
                    seconds=format_seconds(self.ours_after or 0.0),
                )
            )
            ours.append(self.ours.getTraceback().rstrip())
        return ["\n\n".join(forgetful), "\n\n".join(ours)]
