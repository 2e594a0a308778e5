"""Each row's story: its latest download as it happened, kept for the Story tab.

:class:`RowStories` observes the download events (:mod:`app.downloads.events`) and
keeps a :class:`RowStory` per row: when the attempt was queued, began to
connect, connected, got its first byte and ended, how many bytes and
chunks came, the mode of its batch (one at a time, a row waits for the
previous download), the log's lines about it (in
:mod:`app.downloads.download_log`'s words), the Twisted method that ended
the connection and its reason's class (``connectionLost(ConnectionDone)``,
as the ending event says it), the levels of its Deferred (as the controller
publishes them on ``Connecting``), and the path its Deferred took, from the
``DeferredStep`` events the controller publishes as each callback or
errback runs. Nothing is guessed afterwards from the row: a story is
written as the events come, each with the time and the row's counts it
came with; where each step's result went ("poem pane", "failure window")
is the ending event that followed it.

What a story keeps is English or data; :mod:`app.views.story_words` words it
in the language spoken when it is shown. The log's lines are kept as the
log's own, in English, for whoever wants them; the Story tab does not
repeat them, but words our own errors among them (:attr:`RowStory.internal_errors`).

A story is one attempt: it starts afresh when the row is queued again and
is dropped when the row is removed. Its memory is bounded whatever the
download does (:data:`MAX_LOG_LINES`, :data:`MAX_STEPS`, :data:`MAX_LINE`),
and bytes cost it nothing per chunk: the row counts them, and the story
takes the counts at each step and whenever it is read. The window's tick
(:meth:`RowStories.bytes_came`) only looks for first bytes, among the
rows still waiting for one, so the first byte's time is to within a tick
and a tick costs nothing per download once every download has begun.
Nothing here imports Qt; the words are in :mod:`app.views.story_words`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.downloads.download_log import LOGGED_EVENTS, log_line
from app.downloads.events import (
    BATCH_EVENTS,
    BatchStarted,
    Cancelled,
    Closing,
    Connected,
    Connecting,
    DeferredChain,
    DeferredStep,
    Done,
    DownloadEvent,
    Failed,
    Forgotten,
    InternalError,
    Mode,
    Queued,
    StepKind,
)
from app.downloads.rows import ServerRow
from app.i18n import N_, _, pgettext, source_language
from app.i18n.units import shorten
from app.net.failures import describe_failure

#: Log lines a story keeps (the newest); a download writes about five.
MAX_LOG_LINES = 40
#: Deferred steps a story keeps (the newest); a download takes one to three.
MAX_STEPS = 10
#: The most characters of one log line kept (a bug's message can be any length).
MAX_LINE = 300

#: Where an ending's event goes in the window: the last word of a step (English;
#: :attr:`Step.outcome_words` translates).
DONE_GOES_TO = N_("poem pane")
FAILURE_GOES_TO = N_("failure window")
CANCEL_GOES_TO = N_("row cancelled")
RAISED = N_("raised")

#: The events that end an attempt.
EndingEvent = Done | Failed | Cancelled | InternalError


@dataclass(slots=True)
class Step:
    """One callback or errback the row's Deferred ran, and where its result went."""

    kind: StepKind
    handler: str
    result: str
    #: "poem pane", "failure window", "raised"...; "" until the next event says.
    outcome: str = ""

    @property
    def outcome_words(self) -> str:
        """:attr:`outcome` in the language being spoken."""
        return _(self.outcome) if self.outcome else ""


@dataclass(eq=False, slots=True)
class RowStory:
    """One attempt at a row's download; times are the stories' clock (seconds).

    Ten thousand downloads make ten thousand stories and nearly all of them
    are never read, so a story is kept small: slots, and two short lists
    that stay bounded by dropping their oldest.
    """

    batch: int | None = None
    queued: float | None = None
    #: How its batch ran: one at a time, a row waits for the previous download.
    mode: Mode | None = None
    connecting: float | None = None
    connected: float | None = None
    first_byte: float | None = None
    ended: float | None = None
    #: The event that ended it; ``None`` while it runs.
    ended_by: EndingEvent | None = None
    received: int = 0
    chunks: int = 0
    #: What Twisted called as the connection (or the attempt) ended; ``None`` until told.
    closing: Closing | None = None
    #: The levels of the row's Deferred, as the controller built it; ``()`` until told.
    chain: DeferredChain = ()
    #: (time, event) per log line, the newest :data:`MAX_LOG_LINES`: see :attr:`log`.
    logged: list[tuple[float, DownloadEvent]] = field(default_factory=list)
    log_dropped: int = 0
    #: The steps the Deferred took, the newest :data:`MAX_STEPS`.
    steps: list[Step] = field(default_factory=list)
    steps_dropped: int = 0

    @property
    def ending(self) -> str:
        """How it ended, in a few words ("done", "failed: connection refused"); "" while it runs.

        In the language being spoken now, made from the ending event.
        """
        match self.ended_by:
            case Done():
                return pgettext("ending", "done")
            case Failed(failure=failure) | InternalError(failure=failure):
                return _("failed: {reason}").format(reason=describe_failure(failure))
            case Cancelled() as cancelled:
                return cancelled.words
        return ""

    @property
    def log(self) -> list[tuple[float, str]]:
        """(time, words) per log line, in the log's words, worded when asked.

        A story is read for one row at a time, so its log lines are kept as
        their events and worded here, as the log words them (an internal
        error's with its failure, whose message may be any length).
        """
        lines = []
        for at, event in self.logged:
            line = log_line(event) or ""
            if isinstance(event, InternalError):
                with source_language():  # a log line, so English as the log is
                    line = f"{line}: {describe_failure(event.failure)}"
            lines.append((at, shorten(line, MAX_LINE)))
        return lines

    @property
    def internal_errors(self) -> list[tuple[float, str]]:
        """(time, words) per bug of ours met while this download was handled, in the
        language spoken now; the newest of them, as :attr:`log` keeps them."""
        return [
            (at, shorten(describe_failure(event.failure), MAX_LINE))
            for at, event in self.logged
            if isinstance(event, InternalError)
        ]

    @property
    def origin(self) -> float | None:
        """Time zero of the story: the start of the connection attempt, else the queueing."""
        return self.connecting if self.connecting is not None else self.queued

    def take_counts(self, chunks: int, received: int) -> None:
        """The row's chunks and bytes at some moment, if it has more than the story has."""
        if chunks > self.chunks:
            self.chunks = chunks
            self.received = received

    def record(self, event: DownloadEvent, now: float) -> None:
        """Write down ``event``; the bytes before it are :class:`RowStories`' to count."""
        match event:
            case Connecting(chain=chain):
                self.connecting = now
                self.chain = chain
            case Connected():
                self.connected = now
            case DeferredStep(kind=kind, handler=handler, result=result):
                if self.steps and not self.steps[-1].outcome:
                    # A step after a step: the first handler raised, and the
                    # Deferred took its failure down the errbacks.
                    self.steps[-1].outcome = RAISED
                self._add_step(Step(kind, handler, result))
            case Done(poem=poem, closing=closing):
                self.received = poem.size
                self.closing = closing
                self._end(event, DONE_GOES_TO, now)
            case Failed(closing=closing):
                self.closing = closing
                self._end(event, FAILURE_GOES_TO, now)
            case Cancelled():
                self._end(event, CANCEL_GOES_TO, now)
            case InternalError(fatal=True):
                self._end(event, FAILURE_GOES_TO, now)
        if isinstance(event, LOGGED_EVENTS):
            self._add_line(now, event)

    def _end(self, event: EndingEvent, goes_to: str, now: float) -> None:
        if self.steps and not self.steps[-1].outcome:
            self.steps[-1].outcome = goes_to
        if self.ended is None:
            self.ended = now
            self.ended_by = event

    def _add_step(self, step: Step) -> None:
        if len(self.steps) == MAX_STEPS:
            del self.steps[0]
            self.steps_dropped += 1
        self.steps.append(step)

    def _add_line(self, now: float, line: DownloadEvent) -> None:
        if len(self.logged) == MAX_LOG_LINES:
            del self.logged[0]
            self.log_dropped += 1
        self.logged.append((now, line))


class RowStories:
    """Each row's latest attempt as a :class:`RowStory`; :meth:`observe` takes the download events.

    A story is written as its events come, each after the row's byte
    counts of that moment. Bytes come too often to be events: the window's
    tick (:meth:`bytes_came`) only notes first bytes, for the rows in
    :attr:`_waiting`, and a story takes the row's counts at each step and
    when it is read.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._stories: dict[ServerRow, RowStory] = {}
        #: Rows whose attempt runs and has had no byte yet: all a tick looks at.
        self._waiting: set[ServerRow] = set()
        #: The mode of the batch that runs (or ran last): a row queued now joins it.
        self._mode: Mode | None = None

    def get(self, row: ServerRow) -> RowStory | None:
        """The row's latest attempt, or ``None`` if it has none since it was listed.

        A running attempt's bytes and chunks are the row's as it is read;
        the story returned goes on being written while the attempt runs.
        """
        story = self._stories.get(row)
        if story is not None and story.ended is None:
            if row in self._waiting:
                self._first_byte(row, story, self.clock())
            story.take_counts(row.chunks, row.received)
        return story

    def __len__(self) -> int:
        return len(self._stories)

    def bytes_came(self, rows: Iterable[ServerRow]) -> None:
        """The rows got bytes since the window's last tick: note the first byte of those
        that had none. The others' counts wait until their story is read."""
        if not self._waiting:
            return
        now = self.clock()
        stories = self._stories
        for row in self._waiting.intersection(rows):
            self._first_byte(row, stories[row], now)

    def observe(self, event: DownloadEvent) -> None:
        if isinstance(event, BATCH_EVENTS):
            if isinstance(event, BatchStarted):
                self._mode = event.mode
            return
        row = event.row
        if isinstance(event, Forgotten):
            self._stories.pop(row, None)
            self._waiting.discard(row)
            return
        now = self.clock()
        if isinstance(event, Queued):
            # A new attempt: the last one's story is over.
            self._stories[row] = RowStory(event.batch, now, self._mode)
            self._waiting.add(row)
            return
        story = self._stories.get(row)
        if story is None:
            # Told of a row that was never queued (a test, a tool publishing by hand).
            story = self._stories[row] = RowStory()
            self._waiting.add(row)
        elif row in self._waiting:
            # Bytes that came since the last tick count before the step that follows them.
            self._first_byte(row, story, now)
        story.take_counts(row.chunks, row.received)
        story.record(event, now)
        if story.ended is not None:
            self._waiting.discard(row)

    def _first_byte(self, row: ServerRow, story: RowStory, now: float) -> None:
        """A waiting row: if it has bytes, its first came ``now``."""
        if row.chunks:
            self._waiting.discard(row)
            story.first_byte = now
