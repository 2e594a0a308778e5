"""Each row's story, recorded as the download happens, from real servers and by hand.

No Qt here: the stories observe the same events the window follows, and
their words are checked as the Story tab would show them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest_twisted
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from app.downloads.controller import DownloadController
from app.downloads.download_log import log_line
from app.downloads.events import (
    BatchEnded,
    Cancelled,
    Connected,
    Connecting,
    DeferredStep,
    Done,
    DownloadEvent,
    EventStream,
    Failed,
    Forgotten,
    InternalError,
    Mode,
    Queued,
)
from app.downloads.rows import ServerRow
from app.net.address import Address
from app.net.poem import Poem
from app.views.story import MAX_LINE, MAX_LOG_LINES, MAX_STEPS, RowStories, RowStory
from app.views.story_words import story_text
from tests import hostile
from tests.hostile import LOCALHOST

POEM = b"Ozymandias\nI met a traveller from an antique land\n" * 6


class Clock:
    """A clock that moves only when told to, and counts how often it is read."""

    def __init__(self) -> None:
        self.now = 100.0
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        return self.now


def watched() -> tuple[DownloadController, RowStories, Deferred[BatchEnded]]:
    events = EventStream()
    stories = RowStories()
    ended: Deferred[BatchEnded] = Deferred()

    def batch_ended(event: DownloadEvent) -> None:
        if isinstance(event, BatchEnded) and not ended.called:
            ended.callback(event)

    events.subscribe(stories.observe)
    events.subscribe(batch_ended)
    return DownloadController(events), stories, ended


def row_for(port: int) -> ServerRow:
    return ServerRow(Address(LOCALHOST, port))


def text_of(stories: RowStories, row: ServerRow) -> str:
    return story_text(row, stories.get(row), stories.clock())


def section(text: str, heading: str) -> list[str]:
    """The lines under ``heading``, up to the next blank line."""
    after = text.split(f"\n{heading}\n", 1)[1]
    return after.split("\n\n", 1)[0].splitlines()


def calls(text: str) -> list[str]:
    """What Twisted called, as the story lists it: the methods, without their times."""
    return [line.split("\t")[1] for line in section(text, "What Twisted called") if "\t" in line]


def chain(text: str) -> list[str]:
    """The drawn chain's lines, a level a line, its cells separated by " | "."""
    heading = next(line for line in text.splitlines() if line.startswith("The Deferred's chain"))
    lines = section(text, heading)
    return [" | ".join(cell.strip() for cell in line.split("\t")) for line in lines]


@pytest_twisted.ensureDeferred
async def test_a_done_row_tells_its_times_bytes_methods_and_callback(servers):
    port, _ = servers.poetry(POEM, delay=0.01, num_bytes=60)
    downloads, stories, ended = watched()
    # Every chunk the client hands over, counted on the way to the stream.
    chunks: list[int] = []
    events = downloads.events
    took = events.bytes_arrived
    events.bytes_arrived = lambda row, received: (chunks.append(received), took(row, received))  # type: ignore[method-assign]
    row = row_for(port)
    downloads.start([row])
    await ended

    story = stories.get(row)
    assert story is not None
    assert story.connecting is not None and story.connected is not None
    assert story.first_byte is not None and story.ended is not None
    assert story.connecting <= story.connected <= story.first_byte <= story.ended
    assert (story.received, story.chunks) == (len(POEM), len(chunks))
    assert len(chunks) > 1
    text = text_of(stories, row)
    assert f"Address\t{row.address}" in text and "Encoding\tutf-8" in text
    assert "Status\tDone (batch 1)" in text
    assert "Connecting\t+0.000 s" in text
    assert f"Received\t{len(POEM)} bytes in {len(chunks)} chunks, " in text
    # The methods the tutorial teaches, in the order Twisted called them.
    assert calls(text) == [
        "connectionMade",
        f"dataReceived ×{len(chunks)} ({len(POEM)} bytes)",
        "connectionLost(ConnectionDone)",
    ]
    assert section(text, "What Twisted called")[-1] == (
        f"Gathered in the protocol: {len(POEM)} bytes in {len(chunks)} chunks"
        " → poem whole at connectionLost → Deferred fired"
    )
    assert chain(text) == [
        " | callbacks | errbacks",
        f"fired | ● callback(Poem, {len(POEM)} bytes) | ○ errback",
        "addCallbacks | ● _succeeded → poem pane | ○ _failed",
        "addErrback | ● passthru | ○ _internal_error",
    ]
    assert text.endswith(f"callback → _succeeded(Poem, {len(POEM)} bytes) → poem pane")
    # The log's lines stay in the log: the story says each fact once.
    assert f"{row.address}: " not in text


@pytest_twisted.ensureDeferred
async def test_a_refused_row_tells_its_errback_and_reason(servers):
    downloads, stories, ended = watched()
    row = row_for(servers.refused())
    downloads.start([row])
    await ended

    text = text_of(stories, row)
    assert "Connected\tnever" in text and "First byte\tnever" in text
    assert "failed: connection refused" in text
    assert "Received\tnothing" in text
    assert calls(text) == ["clientConnectionFailed(ConnectionRefusedError)"]
    assert chain(text)[1:] == [
        "fired | ○ callback | ● errback(Failure ConnectionRefusedError)",
        "addCallbacks | ○ _succeeded | ● _failed → failure window",
        # _failed returned: the Deferred goes back to its callbacks.
        "addErrback | ● passthru | ○ _internal_error",
    ]
    assert text.endswith("errback → _failed(Failure ConnectionRefusedError) → failure window")


@pytest_twisted.ensureDeferred
async def test_a_connection_reset_mid_poem_tells_connection_lost_and_the_bytes_dropped(servers):
    downloads, stories, ended = watched()
    row = row_for(servers.hostile(hostile.ResetMidPoem))
    downloads.start([row])
    await ended

    text = text_of(stories, row)
    size = len(hostile.ResetMidPoem.prefix)
    assert calls(text) == [
        "connectionMade",
        f"dataReceived ×1 ({size} bytes)",
        "connectionLost(ConnectionLost)",
    ]
    assert section(text, "What Twisted called")[-1] == (
        f"Gathered in the protocol: {size} bytes in 1 chunk"
        f" → no whole poem (failed: connection lost after {size} bytes), dropped"
    )
    assert "errback → _failed(Failure ConnectionLostError) → failure window" in text


@pytest_twisted.ensureDeferred
async def test_one_at_a_time_a_row_waits_for_the_previous_download_not_a_connection(servers):
    slow, _ = servers.poetry(POEM, delay=0.05, num_bytes=100)
    downloads, stories, ended = watched()
    first, second = row_for(slow), row_for(servers.refused())
    downloads.start([first, second], Mode.ONE_AT_A_TIME)
    await ended

    queued = [line for line in text_of(stories, second).splitlines() if line.startswith("Queued")]
    assert len(queued) == 1
    _label, waited = queued[0].split("\t")
    # A wait, counted forward: never a negative moment.
    assert waited.startswith("waited ") and "-" not in waited
    assert waited.endswith(" s (for the previous download, one at a time)")
    assert float(waited.split()[1]) >= 0.1
    assert "Queued" not in text_of(stories, first)  # it did not wait


@pytest_twisted.ensureDeferred
async def test_cancelling_tells_whether_a_deferred_was_made(servers):
    slow, _ = servers.poetry(POEM, delay=0.5, num_bytes=1)
    downloads, stories, ended = watched()
    downloads.set_limit(1)
    running, waiting = row_for(slow), row_for(servers.refused())
    downloads.start([running, waiting])
    downloads.cancel([waiting, running])
    await ended

    assert text_of(stories, running).endswith(
        "errback → _failed(Failure CancelledError) → row cancelled"
    )
    waited = text_of(stories, waiting)
    assert "cancelled before it started" in waited
    assert "Connecting\tnever" in waited
    assert calls(text_of(stories, running))[-1] == "Deferred.cancel()"
    assert section(waited, "What Twisted called") == ["  nothing: no connection was attempted"]
    assert waited.endswith("none: it ended while queued, before a Deferred was made")


class BuggyController(DownloadController):
    """A bug in the handling of every poem: the Deferred goes on to its last errback."""

    def _succeeded(self, poem: Poem, row: ServerRow) -> None:
        raise RuntimeError("simulated bug in the controller")


@pytest_twisted.ensureDeferred
async def test_a_callback_that_raises_shows_the_deferred_turning_to_its_errbacks(servers):
    port, _ = servers.poetry(b"poem\n")
    events = EventStream()
    stories = RowStories()
    events.subscribe(stories.observe)
    ended: Deferred[None] = Deferred()
    events.subscribe(lambda e: isinstance(e, BatchEnded) and ended.callback(None))
    row = row_for(port)
    BuggyController(events).start([row])
    await ended

    path = text_of(stories, row).split("The Deferred's path\n")[1]
    assert path.splitlines()[:2] == [
        "  callback → _succeeded(Poem, 5 bytes) → raised",
        "  errback → _internal_error(Failure RuntimeError) → failure window",
    ]
    # The raise turns the Deferred from its callbacks to its errbacks, a level down.
    assert chain(text_of(stories, row))[1:] == [
        "fired | ● callback(Poem, 5 bytes) | ○ errback",
        "addCallbacks | ● _succeeded → raised | ○ _failed",
        "addErrback | ○ passthru | ● _internal_error → failure window",
    ]
    assert "unexpected error: RuntimeError: simulated bug in the controller" in text_of(
        stories, row
    )


def connected_row(port: int) -> tuple[Clock, RowStories, EventStream, ServerRow]:
    """A row whose download is connected, its story kept on a clock that moves when told."""
    clock = Clock()
    stories = RowStories(clock)
    events = EventStream()
    events.subscribe(stories.observe)
    row = ServerRow(Address(LOCALHOST, port))
    for event in (Queued(row, 1), Connecting(row), Connected(row)):
        events.publish(event)
    return clock, stories, events, row


def test_bytes_cost_a_story_nothing_per_chunk_and_a_tick_only_until_its_first_byte():
    clock, stories, events, row = connected_row(1)
    reads = clock.reads
    for n in range(1, 5_001):
        events.bytes_arrived(row, n)
    assert clock.reads == reads
    clock.now = 100.5
    stories.bytes_came(events.take_arrivals())
    for n in range(5_001, 10_001):
        events.bytes_arrived(row, n)
    clock.now = 100.6
    stories.bytes_came(events.take_arrivals())
    # One reading for the tick that found the first byte; none a chunk, and
    # none for a tick with no story waiting for its first byte.
    assert clock.reads == reads + 1
    story = stories.get(row)  # a running story takes the row's counts as it is read
    assert story is not None
    assert (story.chunks, story.received, story.first_byte) == (10_000, 10_000, 100.5)
    assert list(story.log) == [(100.0, f"{row.address}: connecting"), (100.0, line(Connected(row)))]


def test_a_running_story_has_the_row_s_bytes_when_read_between_ticks():
    clock, stories, events, row = connected_row(2)
    events.bytes_arrived(row, 10)
    clock.now = 100.5
    stories.bytes_came(events.take_arrivals())
    events.bytes_arrived(row, 30)
    events.bytes_arrived(row, 45)  # no tick since
    clock.now = 100.7
    story = stories.get(row)
    assert story is not None
    assert (story.chunks, story.received, story.first_byte) == (3, 45, 100.5)
    events.publish(Failed(row, Failure(ConnectionRefusedError("gone")), "gone"))
    assert (story.chunks, story.received, story.ended) == (3, 45, 100.7)


def test_a_row_never_queued_still_has_its_first_byte_noted_on_the_tick():
    clock = Clock()
    stories = RowStories(clock)
    events = EventStream()
    events.subscribe(stories.observe)
    row = ServerRow(Address(LOCALHOST, 3))
    events.publish(Connected(row))  # published by hand, with no Queued before it
    events.bytes_arrived(row, 10)
    clock.now = 100.5
    stories.bytes_came(events.take_arrivals())
    clock.now = 101.0
    story = stories.get(row)
    assert story is not None
    assert (story.chunks, story.received, story.first_byte) == (1, 10, 100.5)


def line(event: DownloadEvent) -> str:
    words = log_line(event)
    assert words is not None
    return words


def test_a_story_keeps_the_log_s_line_for_each_step_that_has_one():
    # The story words its steps when read: the same words as the log's, for
    # exactly the steps the log writes a line for, at the time each came.
    clock = Clock()
    stories = RowStories(clock)
    row = ServerRow(Address(LOCALHOST, 10001))
    poem = Poem([POEM], elapsed=1.25)
    refused = Failure(ConnectionRefusedError("refused"))
    events: list[DownloadEvent] = [
        Queued(row, 1),
        Connecting(row),
        Connected(row),
        DeferredStep(row, "callback", "_succeeded", "Poem"),
        Done(row, poem),
        Queued(row, 2),
        Connecting(row),
        Failed(row, refused, "connection refused"),
        Queued(row, 3),
        Cancelled(row, queued=True),
    ]
    lines: list[tuple[float, str]] = []
    for event in events:
        clock.now += 1
        if isinstance(event, Queued):
            lines = []
        stories.observe(event)
        if (words := log_line(event)) is not None:
            lines.append((clock.now, words))
        story = stories.get(row)
        assert story is not None
        assert story.log == lines, event
    assert [words for _, words in lines] == [f"{row.address}: cancelled before it started"]


def test_times_count_from_the_connection_attempt():
    clock = Clock()
    stories = RowStories(clock)
    row = ServerRow(Address(LOCALHOST, 10001))
    stream = EventStream()

    def at(moment: float, *events: DownloadEvent) -> None:
        clock.now = moment
        for event in events:
            row.apply(event)
            stories.observe(event)

    at(10.0, Queued(row, 3))
    at(10.5, Connecting(row))
    at(10.512, Connected(row))
    for moment, received in ((10.6, 600), (11.0, 612)):
        clock.now = moment
        stream.bytes_arrived(row, received)
        stories.bytes_came([row])  # the window's tick
    poem = Poem(b"x" * 612, elapsed=0.9)
    at(11.4, DeferredStep(row, "callback", "_succeeded", "Poem, 612 bytes"), Done(row, poem))

    assert story_text(row, stories.get(row), 20.0) == "\n".join(
        [
            "Address\t127.0.0.1:10001",
            "Encoding\tutf-8",
            "Status\tDone (batch 3)",
            "",
            "Queued\twaited 0.500 s (for a free connection)",
            "Connecting\t+0.000 s",
            "Connected\t+0.012 s",
            "First byte\t+0.100 s",
            "Ended\t+0.900 s, done",
            "Received\t612 bytes in 2 chunks, 680 B/s",
            "",
            "What Twisted called",
            "  +0.012 s\tconnectionMade",
            "  +0.100 s\tdataReceived ×2 (612 bytes)",
            "Gathered in the protocol: 612 bytes in 2 chunks → poem whole at connectionLost"
            " → Deferred fired",
            "",
            "The Deferred's path",
            "  callback → _succeeded(Poem, 612 bytes) → poem pane",
        ]
    )


def test_a_running_row_says_what_it_waits_for():
    clock = Clock()
    stories = RowStories(clock)
    row = ServerRow(Address(LOCALHOST, 10001))
    for event in (Queued(row, 1), Connecting(row)):
        row.apply(event)
        stories.observe(event)
    text = story_text(row, stories.get(row), 101.25)
    assert "Connected\tnot yet" in text
    assert "Ended\tnot yet (1.2 s so far)" in text
    assert section(text, "What Twisted called") == [
        "  nothing yet: connectionMade or clientConnectionFailed comes first"
    ]
    assert text.endswith(
        "not fired yet: it fires once, when the poem is whole or the download fails"
    )


def bug_reports(row: ServerRow, count: int) -> Iterator[InternalError]:
    for n in range(count):
        yield InternalError(row, Failure(RuntimeError(f"bug {n}")))


def test_a_story_s_memory_is_bounded_whatever_happens():
    stories = RowStories(Clock())
    row = ServerRow(Address(LOCALHOST, 10001))
    stories.observe(Queued(row, 1))
    for event in bug_reports(row, 1000):  # a buggy observer, on every chunk
        stories.observe(event)
    stories.observe(InternalError(row, Failure(RuntimeError("x" * 10**6))))
    for n in range(1000):
        stories.observe(DeferredStep(row, "errback", f"_handler{n}", "Failure RuntimeError"))
    story = stories.get(row)
    assert story is not None
    assert len(story.log) == MAX_LOG_LINES and story.log_dropped == 1001 - MAX_LOG_LINES
    assert max(len(words) for _, words in story.log) == MAX_LINE
    assert len(story.steps) == MAX_STEPS and story.steps_dropped == 1000 - MAX_STEPS
    text = story_text(row, story, 0.0)
    assert f"({1001 - MAX_LOG_LINES} earlier lines not kept)" in text
    assert "bug 999" in text and "bug 0:" not in text
    assert "_handler999(Failure RuntimeError)" in text


def test_a_new_attempt_starts_a_new_story_and_a_removed_row_has_none():
    stories = RowStories(Clock())
    row = ServerRow(Address(LOCALHOST, 10001))
    failure = Failure(ConnectionRefusedError())
    for event in (Queued(row, 1), Connecting(row), Failed(row, failure, "connection refused")):
        stories.observe(event)
    first = stories.get(row)
    stories.observe(Queued(row, 2))
    second = stories.get(row)
    assert second is not first and second is not None
    assert (second.batch, second.ending, list(second.log)) == (2, "", [])
    stories.observe(Forgotten(row))
    assert stories.get(row) is None and len(stories) == 0
    assert story_text(row, None, 0.0).endswith("No download from this server since it was listed.")


def told(story: RowStory | None) -> tuple[object, ...]:
    """Everything a story says, to compare two stories of the same attempt."""
    assert story is not None
    return (
        story.batch,
        story.queued,
        story.connecting,
        story.connected,
        story.first_byte,
        story.ended,
        story.ending,
        story.received,
        story.chunks,
        story.log,
        story.log_dropped,
        list(story.steps),
        story.steps_dropped,
    )


def test_a_story_read_only_at_the_end_tells_what_one_read_at_every_step_tells():
    # Reading a story must not change what it tells: one read at every
    # step, one read once midway and one read only at the end tell the
    # same, bytes and first byte included, with an internal error or more
    # steps than a story keeps among the events.
    clock = Clock()
    events = EventStream()
    read_always, read_at_end, read_once = RowStories(clock), RowStories(clock), RowStories(clock)
    for stories in (read_always, read_at_end, read_once):
        events.subscribe(stories.observe)
    rows = [ServerRow(Address(LOCALHOST, port)) for port in (1, 2, 3)]
    poem = Poem([POEM], elapsed=1.5)

    def steps(row: ServerRow) -> Iterator[DownloadEvent | int]:
        """The row's events, with an int for a chunk of that many bytes and 0 for a tick."""
        yield from (Queued(row, 1), Connecting(row), 0, Connected(row), 7, 0, 9)
        if row is rows[1]:
            yield InternalError(row, Failure(RuntimeError("a listener's bug")))
        if row is rows[2]:
            for n in range(MAX_STEPS + 3):
                yield DeferredStep(row, "errback", f"_step{n}", "Failure RuntimeError")
        yield from (12, DeferredStep(row, "callback", "_succeeded", "Poem"), 0, Done(row, poem))

    for row in rows:
        received = 0
        for n, step in enumerate(steps(row)):
            clock.now += 0.25
            if isinstance(step, int) and step:
                received += step
                events.bytes_arrived(row, received)
                continue  # read between ticks, a story would take its first byte now
            if isinstance(step, int):
                arrivals = events.take_arrivals()
                for stories in (read_always, read_at_end, read_once):
                    stories.bytes_came(arrivals)
            else:
                events.publish(step)
            read_always.get(row)
            if n == 5:
                read_once.get(row)
        assert told(read_at_end.get(row)) == told(read_always.get(row)), row
        assert told(read_once.get(row)) == told(read_always.get(row)), row
        story = read_always.get(row)
        assert story is not None and story.first_byte is not None
        assert (story.chunks, story.received, story.ending) == (3, len(POEM), "done")
    assert len(read_at_end) == 3
