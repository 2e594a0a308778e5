"""The timeline's record: bounded per connection, exact in its totals, and the batch sentence."""

from __future__ import annotations

from app.timeline import (
    MAX_MARKS,
    BatchSummary,
    Ending,
    Lane,
    Mode,
    Timeline,
)
from app.timeline_words import batch_summary


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


def test_a_batch_ends_when_its_last_row_ends_and_is_summed():
    clock = Clock()
    timeline = Timeline(clock)
    ended = []
    timeline.on_batch_end = ended.append
    timeline.begin([("a", "A"), ("b", "B"), ("c", "C")], Mode.REACTOR)
    for key in "abc":
        timeline.connect_started(key)
    clock.now += 1.0
    timeline.ended("a", Ending.DONE)
    clock.now += 1.0
    timeline.ended("b", Ending.FAILED, "connection refused")
    assert not ended
    timeline.forget("c")  # removed mid-batch: the batch no longer waits for it
    (summary,) = ended
    assert (summary.poems, summary.failed, summary.elapsed) == (1, 1, 2.0)
    assert summary.individual_sum == 3.0 and summary.longest == 2.0
    assert timeline.lanes["b"].reason == "connection refused"


def test_rows_started_while_a_batch_runs_join_it():
    clock = Clock()
    timeline = Timeline(clock)
    timeline.begin([("a", "A")], Mode.REACTOR)
    clock.now += 0.5
    timeline.begin([("b", "B")], Mode.ONE_AT_A_TIME)
    assert timeline.mode is Mode.REACTOR
    timeline.connect_started("b")
    assert timeline.lanes["b"].connect_started == 0.5


def test_the_sentences_say_what_the_reactor_buys():
    reactor = BatchSummary(3, 0, 0, Mode.REACTOR, 4.2, 12.6, 4.2)
    assert (
        batch_summary(reactor) == "3 poems in 4.2 s; one at a time would take 12.6 s — 3.0× faster"
    )
    # A connection limit of 1 makes "all at once" sequential too, and it says so.
    limited = BatchSummary(2, 0, 0, Mode.REACTOR, 2.0, 2.0, 1.0)
    assert batch_summary(limited) == (
        "2 poems in 2.0 s; one at a time would take 2.0 s — the downloads did not overlap"
    )
    one = BatchSummary(2, 1, 0, Mode.ONE_AT_A_TIME, 12.6, 12.6, 4.2)
    assert batch_summary(one) == (
        "3 poems (1 failed) one at a time in 12.6 s; "
        "all at once would take about 4.2 s — 3.0× faster"
    )
