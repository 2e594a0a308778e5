"""The download controller's events, heard through the plain observer interface, from real servers.

No window and no Qt here: these are the events every part of the window
follows, told the way a command line or a benchmark would hear them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest_twisted
from twisted.internet.defer import Deferred
from twisted.logger import globalLogPublisher
from twisted.python.failure import Failure

from app.downloads.controller import DownloadController
from app.downloads.events import (
    BatchEnded,
    BatchStarted,
    Cancelled,
    DeferredStep,
    Done,
    DownloadEvent,
    EventStream,
    Failed,
    InternalError,
    Mode,
    Queued,
)
from app.downloads.rows import ServerRow, Status
from app.net.address import Address
from app.net.poem import Poem
from tests.hostile import LOCALHOST

POEM = b"The quiet lines arrive in turn\n" * 4


class Recorder:
    """An observer that keeps every event, and fires a Deferred when a batch ends."""

    def __init__(self) -> None:
        self.events: list[DownloadEvent] = []
        self.batch_ended: Deferred[BatchEnded] = Deferred()

    def __call__(self, event: DownloadEvent) -> None:
        self.events.append(event)
        if isinstance(event, BatchEnded) and not self.batch_ended.called:
            self.batch_ended.callback(event)

    def steps(self, row: ServerRow) -> list[tuple[str, str, str]]:
        """The path the row's Deferred took: (chain, handler, result) per step, in order."""
        return [
            (e.kind, e.handler, e.result)
            for e in self.events
            if isinstance(e, DeferredStep) and e.row is row
        ]

    def of(self, row: ServerRow) -> list[str]:
        """The names of the row's events, in order."""
        return [type(e).__name__ for e in self.events if getattr(e, "row", None) is row]


def controller(*observers: Callable[[DownloadEvent], object]) -> DownloadController:
    events = EventStream()
    for observer in observers:
        events.subscribe(observer)
    return DownloadController(events)


def row_for(port: int) -> ServerRow:
    return ServerRow(Address(LOCALHOST, port))


@pytest_twisted.ensureDeferred
async def test_a_download_is_one_ordered_story_from_queued_to_done(servers, no_leftover_timers):
    port, _ = servers.poetry(POEM, delay=0.01, num_bytes=40)
    heard = Recorder()
    downloads = controller(heard)
    row = row_for(port)

    downloads.start([row])
    ended = await heard.batch_ended

    assert isinstance(heard.events[0], BatchStarted) and heard.events[0].batch == 1
    assert heard.of(row) == [
        "Queued",
        "Connecting",
        "Connected",
        "DeferredStep",
        "Done",
    ]
    assert heard.steps(row) == [("callback", "_succeeded", f"Poem, {len(POEM)} bytes")]
    assert heard.events[-1] is ended
    # The bytes were no events: the row counted its four chunks, and the
    # stream noted the row for whoever shows bytes, once.
    assert row.chunks == 4  # 40, 80, 120 and 124 bytes in all
    assert downloads.events.take_arrivals() == [row]
    assert downloads.events.take_arrivals() == []
    (done,) = [e for e in heard.events if isinstance(e, Done)]
    assert done.poem.text == POEM.decode()
    assert (row.status, row.received, row.expected_size) == (Status.DONE, len(POEM), len(POEM))
    assert ended.summary is not None
    assert (ended.summary.poems, ended.summary.failed) == (1, 0)
    assert downloads.running == 0


@pytest_twisted.ensureDeferred
async def test_every_observer_reads_a_row_that_already_says_what_the_event_says(servers):
    port, _ = servers.poetry(POEM)
    seen: list[tuple[str, Status]] = []
    downloads = controller(
        lambda e: seen.append((type(e).__name__, e.row.status)) if hasattr(e, "row") else None
    )
    heard = Recorder()
    downloads.events.subscribe(heard)

    downloads.start([row_for(port)])
    await heard.batch_ended

    assert [status for _name, status in seen] == [
        Status.QUEUED,
        Status.CONNECTING,
        Status.DOWNLOADING,
        Status.DOWNLOADING,  # the Deferred's step changes nothing: the ending does
        Status.DONE,
    ]


@pytest_twisted.ensureDeferred
async def test_a_refused_row_fails_with_its_reason_and_the_batch_counts_it(servers):
    good, _ = servers.poetry(POEM)
    heard = Recorder()
    downloads = controller(heard)
    ok, refused = row_for(good), row_for(servers.refused())

    downloads.start([ok, refused])
    ended = await heard.batch_ended

    assert heard.of(refused) == ["Queued", "Connecting", "DeferredStep", "Failed"]
    assert heard.steps(refused) == [("errback", "_failed", "Failure ConnectionRefusedError")]
    (failed,) = [e for e in heard.events if isinstance(e, Failed)]
    assert failed.reason == "connection refused" and refused.failure is failed.failure
    assert refused.status is Status.FAILED
    summary = ended.summary
    assert summary is not None and (summary.poems, summary.failed) == (1, 1)
    # The poem's own times, for a comparison the refusal takes no part in.
    assert ok.started is not None and ok.finished is not None
    assert summary.poems_sum == summary.poems_longest == ok.finished - ok.started
    assert summary.poems_elapsed <= summary.elapsed


@pytest_twisted.ensureDeferred
async def test_cancel_says_whether_the_row_had_started(servers, no_leftover_timers):
    slow, _ = servers.poetry(POEM, delay=0.2, num_bytes=1)
    heard = Recorder()
    downloads = controller(heard)
    downloads.set_limit(1)
    running, waiting = row_for(slow), row_for(servers.refused())

    downloads.start([running, waiting])
    assert waiting.status is Status.QUEUED
    downloads.cancel([waiting, running])
    ended = await heard.batch_ended

    cancels = [e for e in heard.events if isinstance(e, Cancelled)]
    assert [(e.row, e.queued, e.reason) for e in cancels] == [
        (waiting, True, "cancelled before it started"),
        (running, False, "cancelled"),
    ]
    assert heard.of(waiting) == ["Queued", "Cancelled"]  # it never had a Deferred
    assert heard.steps(running) == [("errback", "_failed", "Failure CancelledError")]
    assert ended.summary is not None and ended.summary.poems == 0
    assert downloads.running == 0


@pytest_twisted.ensureDeferred
async def test_rows_started_while_a_batch_runs_join_it_in_its_mode(servers):
    slow, _ = servers.poetry(POEM, delay=0.05, num_bytes=20)
    fast, _ = servers.poetry(POEM)
    heard = Recorder()
    downloads = controller(heard)
    first, second = row_for(slow), row_for(fast)

    downloads.start([first], Mode.REACTOR)
    downloads.start([second], Mode.ONE_AT_A_TIME)
    ended = await heard.batch_ended

    starts = [e for e in heard.events if isinstance(e, BatchStarted)]
    assert starts == [BatchStarted(1, Mode.REACTOR)]
    assert [e.batch for e in heard.events if isinstance(e, Queued)] == [1, 1]
    assert ended.summary is not None and ended.summary.mode is Mode.REACTOR
    assert ended.summary.poems == 2


@pytest_twisted.ensureDeferred
async def test_a_removed_row_leaves_its_batch_and_is_not_counted(servers):
    quick, _ = servers.poetry(POEM)
    slow, _ = servers.poetry(POEM, delay=0.5, num_bytes=1)
    heard = Recorder()
    downloads = controller(heard)
    kept, removed = row_for(quick), row_for(slow)

    downloads.start([kept, removed])
    downloads.forget([removed])
    ended = await heard.batch_ended

    assert heard.of(removed)[-2:] == ["Cancelled", "Forgotten"]
    assert ended.summary is not None
    assert (ended.summary.poems, ended.summary.failed) == (1, 0)
    assert ended.summary.individual_sum == kept.elapsed


@pytest_twisted.ensureDeferred
async def test_an_observer_that_raises_is_reported_and_stops_nothing(servers):
    ports = [servers.poetry(f"poem {n}\n".encode())[0] for n in range(3)]
    rows = [row_for(port) for port in ports]
    unlucky = rows[0]

    def buggy_observer(event: DownloadEvent) -> None:
        if isinstance(event, Done) and event.row is unlucky:
            raise RuntimeError("simulated bug in an observer")

    heard = Recorder()
    downloads = controller(buggy_observer, heard)
    downloads.set_limit(1)

    downloads.start(rows)
    await heard.batch_ended

    assert [row.status for row in rows] == [Status.DONE] * 3
    (report,) = [e for e in heard.events if isinstance(e, InternalError)]
    assert report.row is unlucky and not report.fatal
    assert report.failure.check(RuntimeError)
    # The observers after the buggy one heard the Done too, before the report.
    assert heard.of(unlucky)[-2:] == ["Done", "InternalError"]


class BuggyController(DownloadController):
    """A controller with a bug in its handling of one row's poem."""

    unlucky: ServerRow | None = None

    def _succeeded(self, poem: Poem, row: ServerRow) -> None:
        if row is self.unlucky:
            raise RuntimeError("simulated bug in the controller")
        super()._succeeded(poem, row)


@pytest_twisted.ensureDeferred
async def test_a_bug_in_the_controller_fails_the_row_and_frees_its_slot(servers):
    ports = [servers.poetry(f"poem {n}\n".encode())[0] for n in range(2)]
    unlucky, next_row = (row_for(port) for port in ports)
    heard = Recorder()
    events = EventStream()
    events.subscribe(heard)
    downloads = BuggyController(events, limit=1)
    downloads.unlucky = unlucky

    downloads.start([unlucky, next_row])
    ended = await heard.batch_ended

    assert heard.of(unlucky) == [
        "Queued",
        "Connecting",
        "Connected",
        "DeferredStep",
        "DeferredStep",
        "InternalError",
    ]
    # The callback raised, so the Deferred went on down the errbacks, to the last one.
    assert heard.steps(unlucky) == [
        ("callback", "_succeeded", "Poem, 7 bytes"),
        ("errback", "_internal_error", "Failure RuntimeError"),
    ]
    (report,) = [e for e in heard.events if isinstance(e, InternalError)]
    assert report.fatal and report.failure.check(RuntimeError)
    assert unlucky.status is Status.FAILED and unlucky.failure is report.failure
    assert next_row.status is Status.DONE  # the slot was freed
    assert ended.summary is not None and (ended.summary.poems, ended.summary.failed) == (1, 1)


def test_an_observer_that_raises_on_a_batch_event_is_only_logged():
    raised: list[Failure] = []

    def buggy(event: DownloadEvent) -> None:
        raise RuntimeError("simulated bug")

    heard = Recorder()
    events = EventStream()
    events.subscribe(buggy)
    events.subscribe(heard)

    def capture(record: dict) -> None:
        if record.get("log_failure") is not None:
            raised.append(record["log_failure"])

    globalLogPublisher.addObserver(capture)
    try:
        events.publish(BatchStarted(1, Mode.REACTOR))
    finally:
        globalLogPublisher.removeObserver(capture)

    assert heard.events == [BatchStarted(1, Mode.REACTOR)]
    assert [f.value.args for f in raised] == [("simulated bug",)]


@pytest_twisted.ensureDeferred
async def test_starting_in_slices_leaves_one_refill_waiting_not_one_per_slice(servers):
    """Each Start begins a batch at once; the rest wait for one refill per turn, however many.

    A refill per call of start() (a paced start makes twenty) would each
    begin their own batch per turn: twenty batches at once, turns of 100 ms.
    """
    from twisted.internet import reactor

    from app.downloads.controller import START_BATCH

    port, _ = servers.poetry(POEM, delay=0.01, num_bytes=40)
    heard = Recorder()
    downloads = controller(heard)
    downloads.set_limit(10_000)
    rows = [row_for(port) for _ in range(10 * START_BATCH)]
    slices = [rows[n : n + len(rows) // 4] for n in range(0, len(rows), len(rows) // 4)]
    for part in slices:
        downloads.start(part)

    refills = [call for call in reactor.getDelayedCalls() if call.func == downloads._refill_now]
    assert len(refills) == 1
    assert downloads.running == len(slices) * START_BATCH  # each Start began a batch at once
    ended = await heard.batch_ended
    assert ended.summary is not None and ended.summary.poems == len(rows)
    assert all(row.status is Status.DONE for row in rows)
