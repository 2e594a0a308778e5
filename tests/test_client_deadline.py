"""get_poetry's whole-download deadline (``max_time``) against real servers on 127.0.0.1.

A server that drips its poem never trips the idle timeout; only the
deadline gives up on it. The deadline's timer must never outlive the
download, whichever way the download ends.
"""

from __future__ import annotations

from time import monotonic as now

import pytest
import pytest_twisted
from twisted.internet.defer import CancelledError

from app.net.client import get_poetry
from app.net.failures import DeadlineError, describe_failure
from tests import hostile
from tests.conftest import failure_of, open_fds, reactor_turn

pytestmark = pytest.mark.usefixtures("no_leftover_timers")

#: 40 bytes, one every 50 ms: about 2 s, never silent for long.
DRIP = {"payload": b"one drop, then another, then one more.\n", "gap": 0.05}


@pytest_twisted.ensureDeferred
async def test_a_dripping_poem_is_given_up_at_the_deadline_with_the_bytes_so_far(servers):
    port = servers.hostile(hostile.Drip, **DRIP)
    fds = open_fds()
    started = now()

    failure = await failure_of(get_poetry(hostile.LOCALHOST, port, idle_timeout=1, max_time=0.5))

    took = now() - started
    assert failure.check(DeadlineError), failure
    assert 0.5 <= took < 1.5
    assert failure.value.seconds == 0.5
    assert 0 < failure.value.received < len(DRIP["payload"])
    assert describe_failure(failure) == "gave up after 0.5 s"
    await reactor_turn()
    assert open_fds() == fds  # the connection was closed, not left behind


@pytest_twisted.ensureDeferred
async def test_a_poem_whole_before_the_deadline_leaves_no_timer(servers):
    port, _ = servers.poetry(b"Short and sweet.\n", delay=0)

    poem = await get_poetry(hostile.LOCALHOST, port, max_time=5)

    assert poem.text == "Short and sweet.\n"
    # no_leftover_timers: the 5 s timer was cancelled when the poem came.


@pytest_twisted.ensureDeferred
async def test_a_failure_before_the_deadline_keeps_its_own_reason(servers, refused_port):
    stall = servers.hostile(hostile.Stall)

    refused = await failure_of(get_poetry(hostile.LOCALHOST, refused_port, max_time=5))
    idle = await failure_of(get_poetry(hostile.LOCALHOST, stall, idle_timeout=0.2, max_time=5))

    assert describe_failure(refused) == "connection refused"
    assert describe_failure(idle) == "no data for 0.2 s"


@pytest_twisted.ensureDeferred
async def test_the_deadline_counts_the_connect_too(servers):
    port = servers.full_backlog()
    started = now()

    failure = await failure_of(get_poetry(hostile.LOCALHOST, port, timeout=5, max_time=0.3))

    assert failure.check(DeadlineError), failure
    assert failure.value.received == 0
    assert 0.3 <= now() - started < 1.5


@pytest_twisted.ensureDeferred
async def test_a_cancel_before_the_deadline_is_a_cancel(servers):
    port = servers.hostile(hostile.Stall)
    d = get_poetry(hostile.LOCALHOST, port, max_time=5)
    await reactor_turn()

    d.cancel()
    failure = await failure_of(d)

    assert failure.check(CancelledError), failure


@pytest.mark.parametrize("max_time", [0, -1, float("nan")])
def test_a_deadline_that_is_not_a_positive_number_of_seconds_is_refused(max_time):
    with pytest.raises(ValueError, match="max_time must be a positive number of seconds"):
        get_poetry(hostile.LOCALHOST, 10000, max_time=max_time)
