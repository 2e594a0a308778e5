"""A download's life as one ordered sequence of typed events, and the stream that carries them.

Every row's download goes through the same events, in this order::

    Queued -> Connecting -> Connected -> DeferredStep -> Done
                                                      -> Failed
    (at any point before the end)        DeferredStep -> Cancelled
    (at any point, when our own code raised)             InternalError

A ``DeferredStep`` comes before every ending the row's Deferred brings: it
says which callback or errback is about to run, with what result, so the
path the Deferred took is recorded as it happens. (A row cancelled while
queued never had a Deferred: its Cancelled comes alone.)

and a *batch* (what one Start or Start All began, plus whatever joins it
while it runs) is bracketed by ``BatchStarted`` and ``BatchEnded``.
``Forgotten`` says a row was removed, so its record can go.

:class:`app.downloads.controller.DownloadController` is the only
producer. It publishes on an :class:`EventStream`, which first writes the
event onto its row (:meth:`app.downloads.rows.ServerRow.apply`, the one
place a row's state changes) and then calls the listeners of that kind of
event, in the order they asked: ``events.on(Done, listener)``, where the
listener takes a :class:`Done`. That is the one way anything hears a
download: the log, the command line, a test, and each part of the window.
Nothing here imports Qt.

A listener that raises does not stop the others, nor the download: the
stream logs the traceback and publishes an :class:`InternalError` for the
row, which the window shows like a failure.

The bytes between Connected and the end are no events: a download brings
dozens of chunks, and nobody looks at each. Each chunk is a count on its
row (:meth:`EventStream.bytes_arrived`), the stream notes the row, and
whoever shows bytes takes the rows that got some
(:meth:`EventStream.take_arrivals`) on its own tick, as the window does a
few times a second: a continuous value is read when it is shown, not
pushed whenever it changes.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple, TypeAlias, TypeVar, get_args

from twisted.logger import Logger
from twisted.python.failure import Failure

from app.i18n import N_, _

if TYPE_CHECKING:
    from app.downloads.rows import ServerRow
    from app.net.poem import Poem


class Mode(enum.Enum):
    """How a batch runs: every download at once, or each after the previous one.

    The value is the English name; :attr:`words` is the name a person reads.
    """

    REACTOR = N_("All at once")
    ONE_AT_A_TIME = N_("One at a time")

    @property
    def words(self) -> str:
        """The mode's name in the language being spoken."""
        return _(self.value)


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """How a batch went: its time against the sum of its downloads' times.

    ``elapsed`` runs from the batch's start to its last ending;
    ``individual_sum`` adds up each download's own time, which is what
    downloading them one after another would have taken; ``longest`` is
    the longest single download, what all at once would have taken.

    The ``poems_`` times are the same, counting only the downloads that
    brought a poem (``poems_elapsed`` from the batch's start to the last
    poem): a failure's time is a refusal's instant or a timeout's wait,
    which says nothing about what overlapping buys, so a batch with
    failures is compared on its poems alone.
    """

    poems: int
    failed: int
    mode: Mode
    elapsed: float
    individual_sum: float
    longest: float
    poems_elapsed: float = 0.0
    poems_sum: float = 0.0
    poems_longest: float = 0.0


# The events of one row's download.


@dataclass(frozen=True, slots=True)
class Queued:
    """The row waits for a free connection slot, in batch number ``batch``."""

    row: ServerRow
    batch: int


@dataclass(frozen=True, slots=True)
class ChainLevel:
    """One level of a row's Deferred, as the tutorial draws it: a callback beside an errback.

    ``added_by`` is the call that made the level (``addCallbacks``,
    ``addErrback``); ``callback`` and ``errback`` are the handlers' names,
    ``None`` for the side that passes its result on unchanged (Twisted's
    ``passthru``).
    """

    added_by: str
    callback: str | None
    errback: str | None


#: A Deferred's levels, first to last.
DeferredChain: TypeAlias = tuple[ChainLevel, ...]


@dataclass(frozen=True, slots=True)
class Connecting:
    """A connection attempt (name lookup, then TCP connect) began.

    ``chain`` is what the row's Deferred will run, level by level, once the
    download ends: the same for every row of a controller, published here
    so that whoever tells the download can draw it before it fires.
    """

    row: ServerRow
    chain: DeferredChain = ()


class Closing(NamedTuple):
    """The Twisted method that ended a connection and the class of the reason it was given.

    ``("connectionLost", "ConnectionDone")``, ``("clientConnectionFailed",
    "ConnectionRefusedError")``: what the protocol or the factory was told,
    not what was made of it.
    """

    method: str
    reason: str


@dataclass(frozen=True, slots=True)
class Connected:
    """The TCP connection is up; the poem's bytes may follow."""

    row: ServerRow


#: Which chain of a Deferred ran: the callbacks (a result) or the errbacks (a Failure).
StepKind: TypeAlias = Literal["callback", "errback"]


@dataclass(frozen=True, slots=True)
class DeferredStep:
    """The row's Deferred is about to run ``handler`` as a ``kind``, given ``result``.

    ``result`` is a few words, not the object: "Poem, 612 bytes" or
    "Failure ConnectionRefusedError". Published just before the handler
    runs, so what the handler publishes (Done, Failed...) comes after it.
    It changes nothing on the row.
    """

    row: ServerRow
    kind: StepKind
    handler: str
    result: str


@dataclass(frozen=True, slots=True)
class Done:
    """The server closed the connection cleanly: the whole poem is here.

    ``closing`` is what Twisted called as it closed (``None`` when not told).
    """

    row: ServerRow
    poem: Poem
    closing: Closing | None = None


@dataclass(frozen=True, slots=True)
class Failed:
    """The download failed; ``reason`` is the failure in a few plain words.

    The words are those :func:`app.net.failures.describe_failure` gave when the
    download failed, in the language spoken then; whoever shows the failure
    later words it again from ``failure``, as the log does in English.
    ``closing`` is what Twisted called as the connection or the attempt
    ended (``None`` when nothing was: bad arguments, say).
    """

    row: ServerRow
    failure: Failure
    reason: str
    closing: Closing | None = None


@dataclass(frozen=True, slots=True)
class Cancelled:
    """The user stopped the download; ``queued`` if it never got to connect."""

    row: ServerRow
    queued: bool

    @property
    def reason(self) -> str:
        """In English, as the log says it; :attr:`words` is the same in the language spoken."""
        return N_("cancelled before it started") if self.queued else N_("cancelled")

    @property
    def words(self) -> str:
        return _(self.reason)


@dataclass(frozen=True, slots=True)
class InternalError:
    """Our own code raised while handling one of the row's events; ``failure`` is that bug.

    ``fatal`` when the bug was in the download's own handling, which then
    cannot go on: the row ends as Failed. A bug in an observer (a widget, the
    log) leaves the download alone.
    """

    row: ServerRow
    failure: Failure
    fatal: bool = False


@dataclass(frozen=True, slots=True)
class Forgotten:
    """The row was removed from the list; nothing more will be said about it."""

    row: ServerRow


# The events of a batch.


@dataclass(frozen=True, slots=True)
class BatchStarted:
    """Batch number ``batch`` began: its clock starts now."""

    batch: int
    mode: Mode


@dataclass(frozen=True, slots=True)
class BatchEnded:
    """Every row of the batch ended (or was removed); ``summary`` is ``None`` if none is left."""

    batch: int
    summary: BatchSummary | None


RowEvent: TypeAlias = (
    Queued
    | Connecting
    | Connected
    | DeferredStep
    | Done
    | Failed
    | Cancelled
    | InternalError
    | Forgotten
)
DownloadEvent: TypeAlias = RowEvent | BatchStarted | BatchEnded
#: Anything that takes the events: a function, a bound method, an object with ``__call__``.
DownloadObserver: TypeAlias = Callable[[DownloadEvent], object]
#: One kind of event, as a listener to it is typed.
Event = TypeVar("Event", bound=DownloadEvent)  # untranslated: a type variable
#: Every kind of event: read off :data:`DownloadEvent`, so a new kind is never left out.
EVERY_KIND: tuple[type[DownloadEvent], ...] = get_args(DownloadEvent)
#: The events after which the row's download is over.
ENDINGS = (Done, Failed, Cancelled)
#: The events that may change a row's status: not a Deferred's step, a removal or a batch's.
STATUS_EVENTS = (Queued, Connecting, Connected, Done, Failed, Cancelled, InternalError)
#: Every event but a Deferred's step, which says nothing of a connection's times.
CONNECTION_EVENTS = (*STATUS_EVENTS, Forgotten, BatchStarted, BatchEnded)
#: The events about a batch, not about one row.
BATCH_EVENTS = (BatchStarted, BatchEnded)

log = Logger(namespace="poetry.download")


class EventStream:
    """Writes each event onto its row, then calls the listeners of its kind, in the order they came.

    Every listener hears the same events in the same order, even when a
    listener's own reaction publishes more (a restarted row, the report of
    a listener's bug): such events are written onto their rows at once, so
    the controller's next decision sees them, but they are delivered only
    after the event being delivered has reached everyone.
    """

    def __init__(self) -> None:
        #: Each kind's listeners: a tuple, replaced when one comes or goes, so
        #: delivery iterates it without a copy.
        self._listeners: dict[type, tuple[DownloadObserver, ...]] = {}
        self._undelivered: deque[DownloadEvent] = deque()
        self._delivering = False
        #: The rows that got bytes since :meth:`take_arrivals` last took them.
        self._arrived: set[ServerRow] = set()

    def on(self, kind: type[Event], listener: Callable[[Event], object]) -> None:
        """Call ``listener(event)`` for every event of ``kind``, from now on, in order."""
        # The listener takes ``kind``, and only events of ``kind`` are delivered to it.
        observer: DownloadObserver = listener  # type: ignore[assignment]
        self._listeners[kind] = (*self._listeners.get(kind, ()), observer)

    def off(self, kind: type[Event], listener: Callable[[Event], object]) -> None:
        """Stop calling ``listener`` for ``kind`` (it must have been given to :meth:`on`)."""
        listeners = list(self._listeners.get(kind, ()))
        listeners.remove(listener)  # type: ignore[arg-type]
        self._listeners[kind] = tuple(listeners)

    def subscribe(
        self, observer: DownloadObserver, kinds: Iterable[type[DownloadEvent]] = EVERY_KIND
    ) -> None:
        """:meth:`on` for each of ``kinds`` (every kind unless told), with one listener for all."""
        for kind in kinds:
            self.on(kind, observer)

    def unsubscribe(
        self, observer: DownloadObserver, kinds: Iterable[type[DownloadEvent]] = EVERY_KIND
    ) -> None:
        """Undo :meth:`subscribe`."""
        for kind in kinds:
            self.off(kind, observer)

    def publish(self, event: DownloadEvent) -> None:
        """Apply ``event`` to its row, then deliver it; an observer's exception is reported."""
        if not isinstance(event, BATCH_EVENTS):
            event.row.apply(event)
        if self._delivering:
            self._undelivered.append(event)
            return
        self._delivering = True
        try:
            self._deliver(event)
            while self._undelivered:
                self._deliver(self._undelivered.popleft())
        finally:
            self._delivering = False

    def bytes_arrived(self, row: ServerRow, received: int) -> None:
        """A chunk came for ``row``: ``received`` bytes in all. A count on the row, no event."""
        row.add_chunk(received)
        self._arrived.add(row)

    def take_arrivals(self) -> list[ServerRow]:
        """The rows that got bytes since the last call, each once; their counts are on the rows."""
        if not self._arrived:
            return []
        rows = list(self._arrived)
        self._arrived.clear()
        return rows

    def _deliver(self, event: DownloadEvent) -> None:
        for observer in self._listeners.get(type(event), ()):
            try:
                observer(event)
            except Exception:
                self._observer_failed(event, Failure())

    def _observer_failed(self, event: DownloadEvent, failure: Failure) -> None:
        if isinstance(event, (InternalError, *BATCH_EVENTS)):
            # Nothing left to tell a row about: the log has to do.
            text = "Internal error while handling {event!r}"  # untranslated: log record
            log.failure(text, failure, event=event)
            return
        self.publish(InternalError(event.row, failure))
