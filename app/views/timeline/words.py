"""Every sentence the timeline shows a person: lane tooltips, the dock's line, the batch verdict.

The words are kept apart from the widget so they read as one voice, and so
their tests need no screen: a lane's tooltip is a function of the lane, the
time axis and the pointer's x, with nothing Qt in it. Each sentence is made
when it is shown, in the language spoken then.
"""

from __future__ import annotations

import re

from app.downloads.events import BatchSummary, Mode
from app.i18n import _, ngettext
from app.i18n.units import format_size, seconds_text, size_in_chunks
from app.views.timeline.axis import TimeAxis, mark_columns
from app.views.timeline.record import Ending, Lane, Timeline

#: Pixels either side of a tick, cap or line that still count as over it.
HIT = 3
# A number and its unit of seconds, in the languages spoken ("3.5 s", "3.5 秒").
_UNIT_SPACE = re.compile(r"(\d) (s\b|秒)")


def _at(seconds: float) -> str:
    return seconds_text(f"{seconds:.2f}")


def _between(start: float, stop: float) -> str:
    """Two times as "3.50–3.60 s", with more decimals where two would make the ends equal."""
    decimals = 2
    while decimals < 6 and f"{start:.{decimals}f}" == f"{stop:.{decimals}f}":
        decimals += 1
    return _("{start}–{stop} s").format(start=f"{start:.{decimals}f}", stop=f"{stop:.{decimals}f}")


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
                return _("connecting since {at}").format(at=_at(lane.connect_started))
            return _("connecting from {start} to {end}").format(
                start=_at(lane.connect_started), end=_at(until)
            )
    if lane.connected is not None and axis.x(lane.connected) <= x <= axis.x(end):
        received = size_in_chunks(lane.bytes, lane.chunks)
        if lane.ended is None:
            return _("downloading since {at}: {received} so far").format(
                at=_at(lane.connected), received=received
            )
        return _("downloading from {start} to {end}: {received}").format(
            start=_at(lane.connected), end=_at(end), received=received
        )
    return None


def _ending(lane: Lane) -> str:
    at = _at(lane.ended or 0.0)
    if lane.ending is Ending.DONE:
        received = size_in_chunks(lane.bytes, lane.chunks)
        return _("done at {at}: {received}").format(at=at, received=received)
    if lane.ending is Ending.FAILED:
        return _("failed at {at}: {reason}").format(at=at, reason=lane.reason_words)
    if lane.connect_started is None:
        return _("cancelled at {at}, before it started").format(at=at)
    return _("cancelled at {at}").format(at=at)


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
        return _("chunk {n}: {size} at {at}").format(n=first_chunk, size=size, at=_at(start))
    stop = lane.times[marks.stop - 1] + lane.bucket
    return _("chunks {first}–{last}: {size} at {between}").format(
        first=first_chunk,
        last=first_chunk + count - 1,
        size=size,
        between=_between(start, stop),
    )


def dock_summary(timeline: Timeline) -> str:
    """The line under the lanes: a hint before any batch, its clock while it runs, its verdict."""
    if timeline.batch_start is None:
        text = _("Start All draws each connection here, on the batch's clock.")
    elif timeline.last_summary is not None:
        text = batch_summary(timeline.last_summary)
        if timeline.mode is Mode.REACTOR:  # the other mode's summary names its mode
            text = _("{mode}: {summary}").format(mode=timeline.mode.words, summary=text)
        else:
            # Under the lanes there is room to say what one at a time is.
            text = _("The blocking client's order, on the reactor: {summary}").format(summary=text)
    elif timeline.running:
        text = _("{mode} — running for {seconds}").format(
            mode=timeline.mode.words, seconds=seconds_text(f"{timeline.now():.1f}")
        )
    else:
        text = timeline.mode.words
    return _UNIT_SPACE.sub("\\1\u00a0\\2", text)  # "3.5 s" never wraps between number and unit


def _seconds(seconds: float) -> str:
    """Tenths are what the comparison needs: "0.35 s", "4.2 s", "12.6 s"."""
    return seconds_text(f"{seconds:.2f}" if seconds < 1 else f"{seconds:.1f}")


#: Downloads shorter than this (a refused port, say) say nothing about overlapping.
MIN_COMPARABLE = 0.2


def batch_summary(summary: BatchSummary) -> str:
    """The sentence under the timeline and in the status bar after a batch.

    "3 poems in 4.2 s; one at a time would take 12.6 s — 3.0× faster", or
    for a one-at-a-time batch, what all at once would have taken: the
    longest single download, since they would all have overlapped. A batch
    with failures is compared on its poems alone; one with no poem, a single
    download, or downloads too short to compare get no comparison, and a
    batch that was all cancelled says so.
    """
    count = summary.poems + summary.failed
    elapsed = _seconds(summary.elapsed)
    if not count:
        return _("Cancelled after {elapsed}, no poems").format(elapsed=elapsed)
    if not summary.poems and count > 1:
        return _(
            "All {n} downloads failed in {elapsed}; with no poem there is nothing to compare"
        ).format(n=count, elapsed=elapsed)
    what = _what(summary.poems, summary.failed)
    if summary.failed:
        compared, total, longest = summary.poems, summary.poems_sum, summary.poems_longest
    else:
        compared, total, longest = count, summary.individual_sum, summary.longest
    if compared < 2 or longest < MIN_COMPARABLE:
        # One download, or a few that ended at once: there is no overlap to speak of.
        return _("{what} in {elapsed}").format(what=what, elapsed=elapsed)
    if summary.mode is Mode.ONE_AT_A_TIME:
        return _one_at_a_time(summary, what, elapsed, total, longest)
    if summary.failed:
        ratio = total / summary.poems_elapsed if summary.poems_elapsed > 0 else 1.0
        came = _seconds(summary.poems_elapsed)
        if ratio >= 1.05:
            return _(
                "{what} in {elapsed}; the poems took {came}, one at a time {total} "
                "— {ratio}× faster"
            ).format(
                what=what, elapsed=elapsed, came=came, total=_seconds(total), ratio=f"{ratio:.1f}"
            )
        return _(
            "{what} in {elapsed}; the poems took {came}, one at a time {total} "
            "— the downloads did not overlap"
        ).format(what=what, elapsed=elapsed, came=came, total=_seconds(total))
    ratio = total / summary.elapsed if summary.elapsed > 0 else 1.0
    if ratio >= 1.05:
        return _("{what} in {elapsed}; one at a time would take {total} — {ratio}× faster").format(
            what=what, elapsed=elapsed, total=_seconds(total), ratio=f"{ratio:.1f}"
        )
    return _(
        "{what} in {elapsed}; one at a time would take {total} — the downloads did not overlap"
    ).format(what=what, elapsed=elapsed, total=_seconds(total))


def _one_at_a_time(
    summary: BatchSummary, what: str, elapsed: str, total: float, longest: float
) -> str:
    """A one-at-a-time batch against all at once: its poems' longest download."""
    if summary.failed:
        return _(
            "{what} one at a time in {elapsed}; the poems took {total}, "
            "all at once about {longest} — {ratio}× faster"
        ).format(
            what=what,
            elapsed=elapsed,
            total=_seconds(total),
            longest=_seconds(longest),
            ratio=f"{total / longest:.1f}",
        )
    return _(
        "{what} one at a time in {elapsed}; all at once would take about {longest} "
        "— {ratio}× faster"
    ).format(
        what=what,
        elapsed=elapsed,
        longest=_seconds(longest),
        ratio=f"{summary.elapsed / longest:.1f}",
    )


def _what(poems: int, failed: int) -> str:
    """What the batch brought: "3 poems", "2 poems, 1 failed", "1 download failed"."""
    if not poems:
        # No poem at all: "1 poem, 1 failed" would promise a poem.
        return ngettext("{n} download failed", "{n} downloads failed", failed).format(n=failed)
    if failed:
        return ngettext(
            "{poems} poem, {failed} failed", "{poems} poems, {failed} failed", poems
        ).format(poems=poems, failed=failed)
    return ngettext("{n} poem", "{n} poems", poems).format(n=poems)
