"""Many downloads: thousands at once arrive whole, thousands in a row leave nothing behind.

The servers are the project's own (``app/net/server.py``) on 127.0.0.1, in the
test's reactor, so client and server sockets both count against this
process's open-file limit. Each test prints what it measured on one line
and attaches the numbers to the test report with ``record_property``.
"""

from __future__ import annotations

import gc
import os
import resource
import time
from collections import Counter
from collections.abc import Iterator

import pytest
import pytest_twisted
from twisted.internet.defer import DeferredList

from app.net.client import get_poetry
from app.net.failures import describe_failure
from app.net.poem import Poem
from app.resources import bundled_poems
from tests.conftest import open_fds, pending_calls, reactor_turn
from tests.hostile import LOCALHOST

CONCURRENT = 2_000
SEQUENTIAL = 5_000
WARM_UP = 300
MAX_RSS_GROWTH_MB = 10.0
#: Descriptors besides the sockets: the interpreter, Qt, pytest's capture files.
SPARE_FILES = 512
#: Each concurrent download is paced to last about this long, so they overlap.
WRITES_PER_POEM, WRITE_DELAY = 10, 0.1

SHORT_POEMS = [path.read_bytes() for path in bundled_poems() if path.stat().st_size < 2048]


def rss_mb() -> float:
    """Resident memory of this process in MiB."""
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def report(record_property, title: str, **numbers: float) -> None:
    for name, value in numbers.items():
        record_property(name, value)
    print(f"\n{title}: " + ", ".join(f"{name} {value:g}" for name, value in numbers.items()))


@pytest.fixture
def open_file_limit() -> Iterator[None]:
    """Room for a client and a server socket per concurrent download; the old limit after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = open_fds() + 2 * CONCURRENT + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.fail(f"{wanted} open files needed, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest_twisted.ensureDeferred
async def test_two_thousand_downloads_at_once_each_get_their_own_whole_poem(
    servers, open_file_limit, no_leftover_timers, record_property
):
    crowd = [
        (poem, *servers.poetry(poem, WRITE_DELAY, -(-len(poem) // WRITES_PER_POEM)))
        for poem in SHORT_POEMS
    ]
    expected = [crowd[i % len(crowd)][0] for i in range(CONCURRENT)]
    in_flight = peak = 0

    def connected() -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)

    def ended(result: Poem) -> Poem:
        nonlocal in_flight
        in_flight -= 1
        return result

    fds = open_fds()
    started = time.monotonic()

    results = await DeferredList(
        [
            get_poetry(LOCALHOST, crowd[i % len(crowd)][1], connected=connected).addBoth(ended)
            for i in range(CONCURRENT)
        ],
        consumeErrors=True,
    )

    elapsed = time.monotonic() - started
    await reactor_turn()
    fds_after = open_fds()
    report(
        record_property,
        f"{CONCURRENT} downloads at once from {len(crowd)} servers",
        peak_in_flight=peak,
        fds_before=fds,
        fds_after=fds_after,
        elapsed_s=round(elapsed, 2),
    )
    failures = Counter(describe_failure(result) for ok, result in results if not ok)
    assert not failures, f"failed downloads by reason: {dict(failures)}"
    poems = [result for _, result in results]
    assert [poem.text for poem in poems] == [poem.decode("utf-8") for poem in expected]
    assert [poem.size for poem in poems] == [len(poem) for poem in expected]
    assert sum(factory.connections for _, _, factory in crowd) == CONCURRENT
    assert [factory.clients for _, _, factory in crowd] == [0] * len(crowd)
    # Each download lasts about a second; they ran side by side, not one after another.
    assert peak >= CONCURRENT // 2
    assert fds_after == fds


@pytest_twisted.ensureDeferred
async def test_five_thousand_downloads_in_a_row_leave_no_sockets_timers_or_memory(
    servers, no_leftover_timers, record_property
):
    poem = SHORT_POEMS[0]
    port, factory = servers.poetry(poem, delay=0)

    async def download(count: int) -> None:
        for _ in range(count):
            got = await get_poetry(LOCALHOST, port)
            assert got.text == poem.decode("utf-8")

    # One-time allocations (imports, caches, Qt's notifier tables) are not leaks.
    await download(WARM_UP)
    await reactor_turn()
    gc.collect()
    fds, timers, rss = open_fds(), pending_calls(), rss_mb()
    started = time.monotonic()

    await download(SEQUENTIAL)

    elapsed = time.monotonic() - started
    await reactor_turn()
    gc.collect()
    fds_after, timers_after, rss_after = open_fds(), pending_calls(), rss_mb()
    report(
        record_property,
        f"{SEQUENTIAL} downloads in a row",
        fds_before=fds,
        fds_after=fds_after,
        rss_before_mb=round(rss, 2),
        rss_after_mb=round(rss_after, 2),
        rss_growth_mb=round(rss_after - rss, 2),
        elapsed_s=round(elapsed, 2),
    )
    assert factory.connections == WARM_UP + SEQUENTIAL
    assert factory.clients == 0
    assert fds_after == fds
    left = timers_after - timers
    assert not left, f"{len(left)} timers left behind, such as {sorted(map(repr, left))[:3]}"
    assert rss_after - rss < MAX_RSS_GROWTH_MB
