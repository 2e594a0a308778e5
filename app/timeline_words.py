"""Every sentence the timeline shows a person: lane tooltips, the dock's line, the batch verdict.

The words are kept apart from the widget so they read as one voice, and so
their tests need no screen: a lane's tooltip is a function of the lane, the
time axis and the pointer's x, with nothing Qt in it.
"""

from __future__ import annotations

import re

from app.events import BatchSummary, Mode
from app.timeline import Ending, Lane, Timeline
from app.timeline_axis import TimeAxis, mark_columns
from app.units import format_size

#: Pixels either side of a tick, cap or line that still count as over it.
HIT = 3
_UNIT_SPACE = re.compile(r"(\d) s\b")


def _at(seconds: float) -> str:
    return f"{seconds:.2f} s"


def _between(start: float, stop: float) -> str:
    """Two times as "3.50–3.60 s", with more decimals where two would make the ends equal."""
    decimals = 2
    while decimals < 6 and f"{start:.{decimals}f}" == f"{stop:.{decimals}f}":
        decimals += 1
    return f"{start:.{decimals}f}–{stop:.{decimals}f} s"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def lane_tooltip(lane: Lane, axis: TimeAxis, x: int, now: float) -> str | None:
    """The server, then what happened at ``x`` on its lane; None where nothing is drawn.

    ``now`` is the batch's clock, where a lane that has not ended stops.
    """
    what = _describe(lane, axis, x, now)
    return f"{lane.label}\n{what}" if what else None


def _describe(lane: Lane, axis: TimeAxis, x: int, now: float) -> str | None:
    # The ending and the marks are drawn over the bar, so they are named first.
    end = lane.ended if lane.ended is not None else now
    if lane.ending is not None and abs(x - axis.x(end)) <= HIT:
        return _ending(lane)
    mark = _mark_near(lane, axis, x)
    if mark is not None:
        return mark
    if lane.connect_started is not None:
        until = lane.connected if lane.connected is not None else lane.ended
        stop = until if until is not None else now
        if axis.x(lane.connect_started) - HIT <= x <= axis.x(stop) + HIT:
            if until is None:
                return f"connecting since {_at(lane.connect_started)}"
            return f"connecting from {_at(lane.connect_started)} to {_at(until)}"
    if lane.connected is not None and axis.x(lane.connected) <= x <= axis.x(end):
        received = f"{format_size(lane.bytes)} in {_count(lane.chunks, 'chunk')}"
        if lane.ended is None:
            return f"downloading since {_at(lane.connected)}: {received} so far"
        return f"downloading from {_at(lane.connected)} to {_at(end)}: {received}"
    return None


def _ending(lane: Lane) -> str:
    at = _at(lane.ended or 0.0)
    if lane.ending is Ending.DONE:
        received = f"{format_size(lane.bytes)} in {_count(lane.chunks, 'chunk')}"
        return f"done at {at}: {received}"
    if lane.ending is Ending.FAILED:
        return f"failed at {at}: {lane.reason}"
    if lane.connect_started is None:
        return f"cancelled at {at}, before it started"
    return f"cancelled at {at}"


def _mark_near(lane: Lane, axis: TimeAxis, x: int) -> str | None:
    """The chunks drawn as the tick nearest ``x``, if one is within reach."""
    columns = mark_columns(axis, lane, axis.time(x - HIT - 1), axis.time(x + HIT + 2))
    near = [j for j, column in enumerate(columns.xs) if abs(column - x) <= HIT]
    if not near:
        return None
    marks = columns.marks_of(min(near, key=lambda j: abs(columns.xs[j] - x)))
    first_chunk = sum(lane.counts[: marks.start]) + 1
    count = sum(lane.counts[marks.start : marks.stop])
    size = format_size(sum(lane.sizes[marks.start : marks.stop]))
    start = lane.times[marks.start]
    if count == 1:
        return f"chunk {first_chunk}: {size} at {_at(start)}"
    stop = lane.times[marks.stop - 1] + lane.bucket
    chunks = f"chunks {first_chunk}–{first_chunk + count - 1}"
    return f"{chunks}: {size} at {_between(start, stop)}"


def dock_summary(timeline: Timeline) -> str:
    """The line under the lanes: a hint before any batch, its clock while it runs, its verdict."""
    if timeline.batch_start is None:
        text = "Start All draws each connection here, on the batch's clock."
    elif timeline.last_summary is not None:
        text = batch_summary(timeline.last_summary)
        if timeline.mode is Mode.REACTOR:  # the other mode's summary names its mode
            text = f"{timeline.mode.value}: {text}"
    elif timeline.running:
        text = f"{timeline.mode.value} — running for {timeline.now():.1f} s"
    else:
        text = timeline.mode.value
    return _UNIT_SPACE.sub("\\1\u00a0s", text)  # "3.5 s" never wraps between number and unit


def _seconds(seconds: float) -> str:
    """Tenths are what the comparison needs: "0.35 s", "4.2 s", "12.6 s"."""
    return f"{seconds:.2f} s" if seconds < 1 else f"{seconds:.1f} s"


#: Downloads shorter than this (a refused port, say) say nothing about overlapping.
MIN_COMPARABLE = 0.2


def batch_summary(summary: BatchSummary) -> str:
    """The sentence under the timeline and in the status bar after a batch.

    "3 poems in 4.2 s; one at a time would take 12.6 s — 3.0× faster", or
    for a one-at-a-time batch, what all at once would have taken (the
    longest single download, since they would all have overlapped). A
    single download, or downloads too short to compare, get no comparison;
    a batch that was all cancelled says so.
    """
    count = summary.poems + summary.failed
    elapsed = _seconds(summary.elapsed)
    if not count:
        return f"Cancelled after {elapsed}, no poems"
    if not summary.poems:
        # No poem at all: "2 poems (2 failed)" would promise poems.
        what = "1 download failed" if count == 1 else f"{count} downloads failed"
    else:
        what = f"{count} poem{'s' if count != 1 else ''}"
        if summary.failed:
            what += f" ({summary.failed} failed)"
    if count < 2 or summary.longest < MIN_COMPARABLE:
        # One download, or a few that ended at once: there is no overlap to speak of.
        return f"{what} in {elapsed}"
    if summary.mode is Mode.ONE_AT_A_TIME:
        ratio = summary.elapsed / summary.longest if summary.longest > 0 else 1.0
        return (
            f"{what} one at a time in {elapsed}; all at once would take about "
            f"{_seconds(summary.longest)} — {ratio:.1f}× faster"
        )
    ratio = summary.individual_sum / summary.elapsed if summary.elapsed > 0 else 1.0
    verdict = f"{ratio:.1f}× faster" if ratio >= 1.05 else "the downloads did not overlap"
    return (
        f"{what} in {elapsed}; one at a time would take "
        f"{_seconds(summary.individual_sum)} — {verdict}"
    )
