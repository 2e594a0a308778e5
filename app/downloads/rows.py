"""One server's row: what the table shows and what a download leaves behind.

A :class:`ServerRow` owns what it says: :meth:`ServerRow.apply` is the one
place its download state changes, and :meth:`ServerRow.add_chunk` the one
place its byte counts do. The event stream (:mod:`app.downloads.events`)
applies each event to its row before anyone hears of it, so every listener
reads a row that already says what the event says. The table model reads
rows when the view asks; the network goes as fast as it likes while the
window repaints on its own tick.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from twisted.python.failure import Failure

from app.downloads.events import (
    Cancelled,
    Connected,
    Connecting,
    DeferredStep,
    Done,
    Failed,
    InternalError,
    Queued,
    RowEvent,
)
from app.i18n import pgettext
from app.net.address import Address
from app.net.failures import describe_failure
from app.net.poem import Poem
from app.net.titles import title_of


class Status(enum.Enum):
    """A row's state. The value is the English word, which tests and other programs read;
    :attr:`words` is the word a person reads in the Status column, in their language."""

    IDLE = "Idle"  # untranslated: the enum's value; shown through Status.words
    QUEUED = "Queued"  # untranslated: the enum's value; shown through Status.words
    CONNECTING = "Connecting"  # untranslated: the enum's value; shown through Status.words
    DOWNLOADING = "Downloading"  # untranslated: the enum's value; shown through Status.words
    DONE = "Done"  # untranslated: the enum's value; shown through Status.words
    FAILED = "Failed"  # untranslated: the enum's value; shown through Status.words
    CANCELLED = "Cancelled"  # untranslated: the enum's value; shown through Status.words

    # Each status is one object: hashed by identity, in C. Enum's own hash is a
    # Python call, and the counts look statuses up thousands of times a tick.
    __hash__ = object.__hash__

    @property
    def words(self) -> str:
        """The status as the Status column shows it, in the language being spoken."""
        match self:
            case Status.IDLE:
                return pgettext("status", "Idle")
            case Status.QUEUED:
                return pgettext("status", "Queued")
            case Status.CONNECTING:
                return pgettext("status", "Connecting")
            case Status.DOWNLOADING:
                return pgettext("status", "Downloading")
            case Status.DONE:
                return pgettext("status", "Done")
            case Status.FAILED:
                return pgettext("status", "Failed")
        return pgettext("status", "Cancelled")

    @property
    def active(self) -> bool:
        """Queued or on the wire: Start does nothing to it, Cancel stops it."""
        return self in (Status.QUEUED, Status.CONNECTING, Status.DOWNLOADING)


@dataclass(eq=False)
class ServerRow:
    """A server in the list and the state of its latest download.

    ``expected_size`` is what the progress bar measures against: the size
    of the last poem this server sent, or the embedded demo poem's size;
    ``None`` means the bar can only be busy. ``demo`` rows point at servers
    that live only as long as this process, so they are never saved.
    """

    address: Address
    encoding: str = "utf-8"
    expected_size: int | None = None
    title: str = ""
    demo: bool = False
    #: The Server cell's tooltip, worded when it is shown (so in the language of that moment).
    note: Callable[[], str] | None = None
    status: Status = Status.IDLE
    received: int = 0
    #: Chunks (reads) the latest attempt received.
    chunks: int = 0
    started: float | None = None  # time.monotonic() when the connection attempt began
    finished: float | None = None
    poem: Poem | None = field(default=None, repr=False)
    failure: Failure | None = field(default=None, repr=False)

    def apply(self, event: RowEvent) -> None:
        """Write what ``event`` says onto the row; only the event stream calls it."""
        match event:
            case DeferredStep():
                pass  # the path of the row's Deferred: the ending that follows says it all
            case Queued():
                # A new attempt: forget the last one's bytes and verdict, keep
                # its poem until a new one comes.
                self.status = Status.QUEUED
                self.received = self.chunks = 0
                self.started = self.finished = None
                self.failure = None
            case Connecting():
                self.status = Status.CONNECTING
                self.started = time.monotonic()
            case Connected():
                self.status = Status.DOWNLOADING
            case Done(poem=poem):
                self.poem = poem
                self.received = self.expected_size = poem.size
                self.title = title_of(poem)
                self._end(Status.DONE)
            case Failed(failure=failure):
                self.failure = failure
                self._end(Status.FAILED)
            case Cancelled():
                self._end(Status.CANCELLED)
            case InternalError(failure=failure, fatal=True) if self.status.active:
                self.failure = failure
                self._end(Status.FAILED)

    def add_chunk(self, received: int) -> None:
        """A chunk of the poem came: ``received`` bytes in all, so far."""
        self.received = received
        self.chunks += 1

    def _end(self, status: Status) -> None:
        self.status = status
        self.finished = time.monotonic()

    @property
    def elapsed(self) -> float | None:
        """Seconds the latest download ran (so far, while it runs)."""
        if self.started is None:
            return None
        end = self.finished if self.finished is not None else time.monotonic()
        return max(end - self.started, 0.0)

    @property
    def rate(self) -> float | None:
        """Average bytes per second of the latest download."""
        elapsed = self.elapsed
        if not elapsed or not self.received:
            return None
        return self.received / elapsed

    @property
    def fraction(self) -> float | None:
        """Received share of the expected size, in [0, 1]; ``None`` if the size is unknown."""
        if self.status is Status.DONE:
            return 1.0
        if not self.expected_size:
            return None
        return min(self.received / self.expected_size, 1.0)

    @property
    def reason(self) -> str | None:
        """The failure in a few plain words, for the tooltip and the failure list."""
        return None if self.failure is None else describe_failure(self.failure)
