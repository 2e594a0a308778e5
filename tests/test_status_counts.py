"""The running counts by status: told of rows and events, they agree with a walk over the rows."""

from __future__ import annotations

from collections import Counter

import pytest
from twisted.python.failure import Failure

from app.downloads.events import (
    BatchStarted,
    Cancelled,
    Connected,
    Connecting,
    DeferredStep,
    Done,
    EventStream,
    Failed,
    Forgotten,
    Mode,
    Queued,
)
from app.downloads.rows import ServerRow, Status
from app.downloads.status_counts import StatusCounts
from app.net.address import Address
from app.net.poem import Poem


def walked(rows: list[ServerRow]) -> tuple[Counter[Status], int]:
    return Counter(row.status for row in rows), sum(row.received for row in rows)


def counted(counts: StatusCounts) -> tuple[Counter[Status], int]:
    return Counter({s: counts[s] for s in Status if counts[s]}), counts.received


@pytest.mark.parametrize("ticks", [True, False], ids=["told-each-tick", "told-by-events-only"])
def test_counts_follow_each_download_as_a_walk_over_the_rows_would_find_them(ticks) -> None:
    # The window tells the counts of bytes on its tick; without one, the
    # next event of each row brings its bytes in.
    events = EventStream()
    counts = StatusCounts()
    events.subscribe(counts.observe)
    rows = [ServerRow(Address("127.0.0.1", 10_000 + n)) for n in range(4)]
    counts.add(rows)
    assert counted(counts) == walked(rows) and counts[Status.IDLE] == 4 and len(counts) == 4
    events.publish(BatchStarted(1, Mode.REACTOR))
    for row in rows:
        events.publish(Queued(row, 1))
    assert counts.active == 4 and counts.downloading == 0
    for row in rows[:3]:
        events.publish(Connecting(row))
        events.publish(Connected(row))
    events.bytes_arrived(rows[0], 100)
    events.bytes_arrived(rows[0], 250)
    events.bytes_arrived(rows[1], 40)
    if ticks:
        counts.bytes_came(events.take_arrivals())
        assert counted(counts) == walked(rows) and counts.received == 290
    assert counts.downloading == 3 and counts[Status.QUEUED] == 1
    events.publish(DeferredStep(rows[0], "callback", "_succeeded", "Poem, 612 bytes"))
    events.publish(Done(rows[0], Poem(b"x" * 612)))
    events.publish(Failed(rows[1], Failure(ConnectionRefusedError()), "refused"))
    events.publish(Cancelled(rows[3], queued=True))
    assert counted(counts) == walked(rows)
    assert (counts[Status.DONE], counts[Status.FAILED], counts[Status.CANCELLED]) == (1, 1, 1)
    # A new attempt forgets the last one's bytes.
    events.publish(Queued(rows[1], 2))
    assert counted(counts) == walked(rows) and counts.received == 612


def test_rows_removed_leave_the_counts_and_come_back_as_they_are() -> None:
    events = EventStream()
    counts = StatusCounts()
    events.subscribe(counts.observe)
    rows = [ServerRow(Address("127.0.0.1", 10_000 + n)) for n in range(3)]
    counts.add(rows)
    events.publish(Queued(rows[0], 1))
    events.publish(Connecting(rows[0]))
    events.bytes_arrived(rows[0], 70)
    counts.bytes_came(events.take_arrivals())
    assert counts.received == 70
    counts.remove(rows[:1])
    assert counts.active == 0 and counts.received == 0 and len(counts) == 2
    # Events about a row no longer listed change nothing.
    events.publish(Cancelled(rows[0], queued=False))
    events.publish(Forgotten(rows[0]))
    assert counted(counts) == walked(rows[1:])
    counts.add(rows[:1])
    counts.add(rows[:1])  # adding twice counts once
    assert counted(counts) == walked(rows) and counts[Status.CANCELLED] == 1
