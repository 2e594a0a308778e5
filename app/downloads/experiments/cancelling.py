"""Cancelling: ``d.cancel()`` on a slow download, its ``CancelledError``, the closed connection.

A Deferred's canceller is how its maker stops the work behind it; ours
(:class:`app.net.client.PoetryClientFactory`) aborts the connection. The
experiment starts a slow download from its own server, cancels it once a
few bytes came, and shows the errback receiving ``CancelledError`` and the
server seeing the connection close.
"""

from __future__ import annotations

from collections.abc import Callable

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTCP
from twisted.python.failure import Failure

from app.downloads.experiments.experiment import LOCALHOST, Experiment, LocalPoetryServer
from app.i18n import _
from app.i18n.units import count_bytes, format_seconds
from app.net.client import get_poetry

#: The server's pace: slow enough that the poem would take seconds.
DELAY, NUM_BYTES = 0.1, 8
#: Bytes to wait for before cancelling: the download is well under way.
CANCEL_AFTER = 24


class Cancelling(Experiment):
    """Cancels a slow download and reports what reached the errback and the server."""

    name = "Cancelling"  # untranslated: an object name

    def __init__(
        self, reactor: IReactorTCP | None = None, changed: Callable[[], object] | None = None
    ) -> None:
        super().__init__(reactor, changed)
        self.received = 0
        self.poem_size = 0
        self.cancelled_after: float | None = None
        self.failure: Failure | None = None
        self.closed_after: float | None = None

    @staticmethod
    def title() -> str:
        return _("Cancelling a Download")

    @staticmethod
    def explanation() -> str:
        return _(
            "A slow download starts, and once a few bytes have come the experiment calls "
            "d.cancel() on its Deferred. The Deferred's canceller aborts the connection, and "
            "the errback receives a Failure of CancelledError."
        )

    def _progress(self, received: int, under_way: Deferred[None]) -> None:
        self.received = received
        self.changed()
        if received >= CANCEL_AFTER and not under_way.called:
            under_way.callback(None)

    def the_download_errback(self, failure: Failure) -> None:
        """The download's errback: keeps the Failure the cancel brings."""
        self.failure = failure

    async def _run(self) -> None:
        async with LocalPoetryServer(self.reactor, DELAY, NUM_BYTES) as server:
            self.poem_size = len(server.factory.poem)
            under_way: Deferred[None] = Deferred()
            d = get_poetry(
                LOCALHOST,
                server.port,
                progress=lambda received: self._progress(received, under_way),
                reactor=self.reactor,
            )
            d.addErrback(self.the_download_errback)
            try:
                started = self.clock.seconds()
                await self.wait(under_way)
                d.cancel()
                self.cancelled_after = self.clock.seconds() - started
                self.changed()
                await self.wait(d)
                cancelled = self.clock.seconds()
                await self.until(lambda: server.factory.clients == 0, every=0.005)
                self.closed_after = self.clock.seconds() - cancelled
            finally:
                if not d.called:
                    d.cancel()

    def findings(self) -> list[str]:
        parts = [
            _("Received {received} of the poem's {size}.").format(
                received=count_bytes(self.received), size=count_bytes(self.poem_size)
            )
        ]
        if self.cancelled_after is not None:
            parts.append(
                _("d.cancel() was called {seconds} after the download started.").format(
                    seconds=format_seconds(self.cancelled_after)
                )
            )
        failure = self.failure
        if failure is not None and failure.type is not None:
            parts.append(
                _("The errback {errback} received a Failure of {exception}:").format(
                    errback=self.the_download_errback.__name__, exception=failure.type.__name__
                )
            )
            parts.append(failure.getTraceback().rstrip())
        if self.closed_after is not None:
            parts.append(
                _(
                    "The connection is closed: the server saw it end {seconds} after the cancel."
                ).format(seconds=format_seconds(self.closed_after))
            )
        return ["\n\n".join(parts)]
