"""What a person reads over a lane, and under the lanes, checked without a screen.

One lane is followed along its life on an axis of 100 pixels per second
from the batch's zero: x = 10 + 100 × seconds.
"""

from __future__ import annotations

from app.downloads.events import (
    BatchEnded,
    BatchStarted,
    BatchSummary,
    Connecting,
    Done,
    Mode,
    Queued,
)
from app.downloads.rows import ServerRow
from app.net.address import Address
from app.net.poem import Poem
from app.views.timeline.axis import TimeAxis
from app.views.timeline.record import Ending, Lane, Timeline
from app.views.timeline.words import _between, dock_summary, lane_tooltip
from tests.test_timeline import Clock

AXIS = TimeAxis(t0=0.0, scale=100.0)
SERVER = "127.0.0.1:1234"


def x(seconds: float) -> int:
    return round(AXIS.x(seconds))


def downloaded_lane() -> Lane:
    """Connecting from 0.1 s, connected at 0.3 s, chunks at 0.5 s and 1.0 s; not ended yet."""
    lane = Lane(SERVER, connect_started=0.1, connected=0.3)
    lane.add_chunk(0.5, 100)
    lane.add_chunk(1.0, 200)
    return lane


def words(lane: Lane, seconds: float, now: float = 2.0) -> str | None:
    """The second line of the tooltip at ``seconds`` on the lane (the first names the server)."""
    text = lane_tooltip(lane, AXIS, x(seconds), now)
    if text is None:
        return None
    server, what = text.split("\n")
    assert server == SERVER
    return what


def test_a_lane_that_is_still_downloading_says_so_far() -> None:
    lane = downloaded_lane()
    assert words(lane, 0.2) == "connecting from 0.10 s to 0.30 s"
    assert words(lane, 0.5) == "chunk 1: 100 bytes at 0.50 s"
    assert words(lane, 0.8) == "downloading since 0.30 s: 300 bytes in 2 chunks so far"
    assert words(lane, 1.0) == "chunk 2: 200 bytes at 1.00 s"
    assert words(lane, 1.9) == "downloading since 0.30 s: 300 bytes in 2 chunks so far"
    assert words(lane, 2.5) is None  # beyond now, nothing is drawn
    assert words(lane, 0.0) is None  # before it started, neither


def test_a_lane_still_connecting_says_since_when() -> None:
    lane = Lane(SERVER, connect_started=0.1)
    assert words(lane, 0.5) == "connecting since 0.10 s"


def test_a_done_lane_names_its_ending_and_what_came() -> None:
    lane = downloaded_lane()
    lane.ended, lane.ending = 1.5, Ending.DONE
    assert words(lane, 1.5) == "done at 1.50 s: 300 bytes in 2 chunks"
    assert words(lane, 1.2) == "downloading from 0.30 s to 1.50 s: 300 bytes in 2 chunks"
    assert words(lane, 1.9) is None


def test_a_failed_lane_says_why() -> None:
    lane = downloaded_lane()
    lane.ended, lane.ending, lane.reason = 1.5, Ending.FAILED, "connection lost after 300 bytes"
    assert words(lane, 1.5) == "failed at 1.50 s: connection lost after 300 bytes"


def test_a_failure_before_connecting_ends_the_connecting_line() -> None:
    lane = Lane(SERVER, connect_started=0.1, ended=0.4, ending=Ending.FAILED)
    lane.reason = "connection refused"
    assert words(lane, 0.2) == "connecting from 0.10 s to 0.40 s"
    assert words(lane, 0.4) == "failed at 0.40 s: connection refused"


def test_a_cancelled_lane_says_whether_it_had_started() -> None:
    lane = downloaded_lane()
    lane.ended, lane.ending = 1.5, Ending.CANCELLED
    assert words(lane, 1.5) == "cancelled at 1.50 s"

    waiting = Lane(SERVER, ended=0.7, ending=Ending.CANCELLED)
    assert words(waiting, 0.7) == "cancelled at 0.70 s, before it started"


def test_one_chunk_is_counted_as_one() -> None:
    lane = Lane(SERVER, connect_started=0.1, connected=0.3, ended=1.5, ending=Ending.DONE)
    lane.add_chunk(0.5, 1)
    assert words(lane, 1.5) == "done at 1.50 s: 1 byte in 1 chunk"


def test_chunks_in_one_pixel_column_are_told_as_one_span() -> None:
    lane = Lane(SERVER, connect_started=0.1, connected=0.3)
    lane.add_chunk(0.5, 100)
    for at in (0.7001, 0.7002, 0.7003):  # all three inside one 10 ms pixel
        lane.add_chunk(at, 7)
    lane.add_chunk(1.0, 200)
    # Two decimals would say "0.70–0.70 s"; it takes four to tell the ends apart.
    assert words(lane, 0.7) == "chunks 2–4: 21 bytes at 0.7001–0.7003 s"
    assert words(lane, 1.0) == "chunk 5: 200 bytes at 1.00 s"


def test_two_times_get_the_decimals_that_tell_them_apart() -> None:
    assert _between(3.5, 3.6) == "3.50–3.60 s"
    assert _between(3.5, 3.504) == "3.500–3.504 s"
    assert _between(0.12345, 0.12349) == "0.12345–0.12349 s"
    assert _between(2.0, 2.0) == "2.000000–2.000000 s"  # equal ends: six decimals, no more


def test_the_dock_line_hints_then_counts_then_judges() -> None:
    clock = Clock()
    timeline = Timeline(clock)
    assert dock_summary(timeline) == "Start All draws each connection here, on the batch's clock."

    row = ServerRow(Address("127.0.0.1", 1234))
    timeline.observe(BatchStarted(1, Mode.REACTOR))
    timeline.observe(Queued(row, 1))
    clock.now += 1.3
    # A no-break space keeps a number on the same line as its unit.
    assert dock_summary(timeline) == "All at once — running for 1.3\u00a0s"

    timeline.observe(Connecting(row))
    clock.now += 2.0
    timeline.observe(Done(row, Poem(b"x")))
    timeline.observe(BatchEnded(1, BatchSummary(1, 0, Mode.REACTOR, 3.3, 2.0, 2.0)))
    # One download has nothing to overlap with: no comparison.
    assert dock_summary(timeline) == "All at once: 1 poem in 3.3\u00a0s"
