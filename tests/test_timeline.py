"""The timeline's record: bounded per connection, exact in its totals, and the batch sentence."""

from __future__ import annotations

from twisted.internet.error import ConnectionRefusedError
from twisted.python.failure import Failure

from app.downloads.events import (
    BatchEnded,
    BatchStarted,
    BatchSummary,
    Cancelled,
    Connected,
    Connecting,
    Done,
    EventStream,
    Failed,
    Forgotten,
    Mode,
    Queued,
)
from app.downloads.rows import ServerRow
from app.net.address import Address
from app.net.poem import Poem
from app.views.timeline.record import MAX_MARKS, Ending, Lane, Timeline
from app.views.timeline.words import batch_summary


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_drip_of_a_hundred_thousand_chunks_keeps_few_marks_and_exact_totals():
    lane = Lane("drip")
    for n in range(100_000):
        lane.add_chunk(n * 0.005, 1 + n % 3)
    marks = list(lane.marks())
    assert len(marks) <= MAX_MARKS
    assert lane.chunks == 100_000 == sum(count for _, count, _ in marks)
    assert lane.bytes == sum(1 + n % 3 for n in range(100_000)) == sum(s for _, _, s in marks)
    starts = [start for start, _, _ in marks]
    assert starts == sorted(starts) and starts[0] == 0.0
    assert lane.bucket * len(marks) >= 499.0  # the buckets cover the whole 500 s


def test_few_chunks_are_kept_one_mark_each():
    lane = Lane("short")
    for n in range(10):
        lane.add_chunk(n * 0.1, 10)
    assert list(lane.marks()) == [(n * 0.1, 1, 10) for n in range(10)]


def rows(*ports: int) -> list[ServerRow]:
    return [ServerRow(Address("127.0.0.1", port)) for port in ports]


def queued_in_a_batch(clock: Clock, *ports: int) -> tuple[Timeline, list[ServerRow]]:
    """A timeline whose batch 1 has just started, with a row per port queued in it."""
    timeline = Timeline(clock)
    listed = rows(*ports)
    timeline.observe(BatchStarted(1, Mode.REACTOR))
    for row in listed:
        timeline.observe(Queued(row, 1))
    return timeline, listed


def test_ticks_past_the_point_where_marks_merge_keep_few_marks_and_exact_totals():
    clock = Clock()
    timeline, (row,) = queued_in_a_batch(clock, 1)
    timeline.observe(Connecting(row))
    stream = EventStream()
    for tick in range(3 * MAX_MARKS):
        clock.now += 0.05
        for _ in range(1 + tick % 3):  # chunks since the last tick
            stream.bytes_arrived(row, row.received + 7)
        timeline.bytes_came([row])
    lane = timeline.lanes[row]
    marks = list(lane.marks())
    assert lane.bucket > 0 and len(marks) <= MAX_MARKS  # the marks did merge
    assert (lane.chunks, lane.bytes) == (row.chunks, row.received)
    assert sum(count for _, count, _ in marks) == row.chunks
    assert sum(size for _, _, size in marks) == row.received


def test_lanes_record_each_event_on_the_batchs_clock():
    clock = Clock()
    timeline, (a, b, c) = queued_in_a_batch(clock, 1, 2, 3)
    stream = EventStream()
    assert timeline.running and timeline.last_summary is None
    for row in (a, b, c):
        timeline.observe(Connecting(row))
    clock.now += 0.25
    timeline.observe(Connected(a))
    stream.bytes_arrived(a, 10)
    timeline.bytes_came([a])  # the window's tick
    clock.now += 0.75
    timeline.observe(Done(a, Poem(b"x" * 10)))
    stream.bytes_arrived(b, 5)  # no tick before it fails: marked as it ends
    clock.now += 1.0
    timeline.observe(Failed(b, Failure(ConnectionRefusedError()), "connection refused"))
    timeline.bytes_came([a, b])  # a late tick marks nothing twice
    assert timeline.running
    timeline.observe(Forgotten(c))  # removed mid-batch: its lane goes
    assert not timeline.running and c not in timeline.lanes

    lane_a, lane_b = timeline.lanes[a], timeline.lanes[b]
    assert (lane_a.label, lane_a.batch) == ("127.0.0.1:1", 1)
    assert (lane_a.connect_started, lane_a.connected, lane_a.ended) == (0.0, 0.25, 1.0)
    assert list(lane_a.marks()) == [(0.25, 1, 10)] and lane_a.ending is Ending.DONE
    assert (lane_b.ended, lane_b.ending, lane_b.reason) == (
        2.0,
        Ending.FAILED,
        "connection refused",
    )
    assert list(lane_b.marks()) == [(2.0, 1, 5)]
    summary = BatchSummary(1, 1, Mode.REACTOR, 2.0, 3.0, 2.0)
    timeline.observe(BatchEnded(1, summary))
    assert timeline.last_summary is summary


def test_a_new_batch_restarts_the_clock_and_a_cancel_says_whether_it_had_started():
    clock = Clock()
    timeline, (a,) = queued_in_a_batch(clock, 1)
    timeline.observe(Cancelled(a, queued=True))
    clock.now += 5.0
    timeline.observe(BatchStarted(2, Mode.ONE_AT_A_TIME))
    assert (timeline.batch, timeline.mode, timeline.now()) == (2, Mode.ONE_AT_A_TIME, 0.0)
    assert timeline.lanes[a].reason == "cancelled before it started"
    timeline.observe(Queued(a, 2))
    timeline.observe(Connecting(a))
    timeline.observe(Cancelled(a, queued=False))
    lane = timeline.lanes[a]
    assert (lane.batch, lane.ending, lane.reason) == (2, Ending.CANCELLED, "cancelled")


def test_the_sentences_say_what_the_reactor_buys():
    reactor = BatchSummary(3, 0, Mode.REACTOR, 4.2, 12.6, 4.2)
    assert (
        batch_summary(reactor) == "3 poems in 4.2 s; one at a time would take 12.6 s — 3.0× faster"
    )
    # A connection limit of 1 makes "all at once" sequential too, and it says so.
    limited = BatchSummary(2, 0, Mode.REACTOR, 2.0, 2.0, 1.0)
    assert batch_summary(limited) == (
        "2 poems in 2.0 s; one at a time would take 2.0 s — the downloads did not overlap"
    )
    one = BatchSummary(3, 0, Mode.ONE_AT_A_TIME, 12.6, 12.6, 4.2)
    assert batch_summary(one) == (
        "3 poems one at a time in 12.6 s; all at once would take about 4.2 s — 3.0× faster"
    )


def test_with_no_poem_there_is_nothing_to_compare_and_failures_are_left_out_of_it():
    # Four refusals and timeouts one after another: no "1.0× faster" about nothing.
    all_failed = BatchSummary(0, 4, Mode.ONE_AT_A_TIME, 30.4, 30.4, 30.0)
    assert batch_summary(all_failed) == (
        "All 4 downloads failed in 30.4 s; with no poem there is nothing to compare"
    )
    # A 30 s timeout is no download time: the poems are compared among themselves.
    waited = BatchSummary(
        2, 1, Mode.REACTOR, 30.0, 38.4, 30.0, poems_elapsed=4.2, poems_sum=8.4, poems_longest=4.2
    )
    assert batch_summary(waited) == (
        "2 poems, 1 failed in 30.0 s; the poems took 4.2 s, one at a time 8.4 s — 2.0× faster"
    )
    one_by_one = BatchSummary(
        2,
        1,
        Mode.ONE_AT_A_TIME,
        38.4,
        38.4,
        30.0,
        poems_elapsed=38.4,
        poems_sum=8.4,
        poems_longest=4.2,
    )
    assert batch_summary(one_by_one) == (
        "2 poems, 1 failed one at a time in 38.4 s; the poems took 8.4 s, "
        "all at once about 4.2 s — 2.0× faster"
    )
    # One poem beside a failure has nothing to overlap with.
    lonely = BatchSummary(
        1, 3, Mode.REACTOR, 30.0, 31.0, 30.0, poems_elapsed=1.0, poems_sum=1.0, poems_longest=1.0
    )
    assert batch_summary(lonely) == "1 poem, 3 failed in 30.0 s"


def test_small_batches_get_no_comparison_and_a_cancelled_one_says_so():
    one = BatchSummary(1, 0, Mode.REACTOR, 1.7, 1.7, 1.7)
    assert batch_summary(one) == "1 poem in 1.7 s"
    refused_twice = BatchSummary(0, 2, Mode.REACTOR, 0.004, 0.006, 0.003)
    assert batch_summary(refused_twice) == (
        "All 2 downloads failed in 0.00 s; with no poem there is nothing to compare"
    )
    refused_once = BatchSummary(0, 1, Mode.REACTOR, 0.004, 0.003, 0.003)
    assert batch_summary(refused_once) == "1 download failed in 0.00 s"
    cancelled = BatchSummary(0, 0, Mode.REACTOR, 1.7, 1.7, 1.7)
    assert batch_summary(cancelled) == "Cancelled after 1.7 s, no poems"
