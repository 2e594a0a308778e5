"""Firing a Deferred twice: the careless client's mistake, and the idiom that prevents it.

A Deferred fires once. A client that fires its Deferred where the poem ends
and again where the connection is lost, without taking the Deferred off
itself first, meets ``AlreadyCalledError`` on the second firing. Ours
(:class:`app.net.client.PoetryClientFactory`) takes it off before firing
(``d, self.deferred = self.deferred, None``), so a late event finds nothing
to fire. Both download the same poem from the experiment's own server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from twisted.internet import protocol
from twisted.internet.defer import AlreadyCalledError, Deferred
from twisted.internet.interfaces import IConnector, IReactorTCP
from twisted.python.failure import Failure

from app.downloads.experiments.experiment import LOCALHOST, Experiment, LocalPoetryServer
from app.i18n import _
from app.i18n.units import count_bytes
from app.net.client import get_poetry
from app.net.poem import Poem

#: The tutorial's idiom, as our client writes it.
IDIOM = "d, self.deferred = self.deferred, None"  # untranslated: code


class _CarelessProtocol(protocol.Protocol):
    """Keeps the bytes; the connection's end is the poem's end."""

    factory: CarelessFactory

    def dataReceived(self, data: bytes) -> None:
        self.factory.chunks.append(data)

    def connectionLost(self, reason: Failure = protocol.connectionDone) -> None:
        self.factory.poem_finished(b"".join(self.factory.chunks))


if TYPE_CHECKING:
    _ClientFactory = protocol.ClientFactory[_CarelessProtocol]
else:
    _ClientFactory = protocol.ClientFactory  # subscriptable only from Twisted 26.4


class CarelessFactory(_ClientFactory):
    """The mistake on purpose: fires ``deferred`` twice, and keeps what the second firing raised."""

    protocol = _CarelessProtocol
    noisy = False

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.deferred: Deferred[bytes] = Deferred()
        self.second_firing: Failure | None = None

    def poem_finished(self, poem: bytes) -> None:
        self.deferred.callback(poem)

    def clientConnectionLost(self, connector: IConnector, reason: Failure) -> None:
        # Twisted tells the factory of the lost connection after the protocol,
        # whose poem_finished has fired the Deferred already.
        try:
            self.deferred.errback(reason)
        except AlreadyCalledError:
            # Caught here so it is shown, not left to the reactor to log as unhandled.
            self.second_firing = Failure()


class FiredTwice(Experiment):
    """The careless client's AlreadyCalledError beside our client's one firing."""

    name = "FiredTwice"

    def __init__(
        self, reactor: IReactorTCP | None = None, changed: Callable[[], object] | None = None
    ) -> None:
        super().__init__(reactor, changed)
        self.careless_poem: bytes | None = None
        self.second_firing: Failure | None = None
        self.ours: Poem | None = None

    @staticmethod
    def title() -> str:
        return _("Firing a Deferred Twice")

    @staticmethod
    def explanation() -> str:
        return _(
            "A Deferred fires once: a careless client fires its Deferred when the poem ends and "
            "again when the connection is lost, and the second firing raises "
            "AlreadyCalledError. Our client takes the Deferred off itself before firing it, "
            "so a late event finds nothing left to fire."
        )

    async def _run(self) -> None:
        async with LocalPoetryServer(self.reactor) as server:
            careless = CarelessFactory()
            self.reactor.connectTCP(LOCALHOST, server.port, careless)
            self.careless_poem = await self.wait(careless.deferred)
            await self.until(lambda: careless.second_firing is not None)
            self.second_firing = careless.second_firing
            self.changed()
            self.ours = await self.wait(get_poetry(LOCALHOST, server.port, reactor=self.reactor))

    def findings(self) -> list[str]:
        parts: list[str] = []
        if self.careless_poem is not None:
            parts.append(
                _(
                    "The careless client's Deferred fired with the poem ({size}); then "
                    "clientConnectionLost fired it again:"
                ).format(size=count_bytes(len(self.careless_poem)))
            )
        if self.second_firing is not None:
            parts.append(self.second_firing.getTraceback().rstrip())
            parts.append(
                _(
                    "Why: a Deferred fires once, and this one had fired. Take it off the object "
                    "before firing it,\n\n    {idiom}\n\nand a second event finds None."
                ).format(idiom=IDIOM)
            )
        if self.ours is not None:
            parts.append(
                _(
                    "Our client (PoetryClientFactory in app/net/client.py) does so: its Deferred "
                    "fired once, with the poem ({size}), and the lost connection found nothing "
                    "to fire."
                ).format(size=count_bytes(self.ours.size))
            )
        return ["\n\n".join(parts) if parts else _("Downloading with the careless client…")]
