"""The embedded demo servers: each one's pace can change while it serves; one still fails."""

from __future__ import annotations

import pytest
import pytest_twisted

from app.downloads.demo import FAILING_PACE, PACES, DemoServer, DemoServers
from app.net.address import Address
from app.net.client import get_poetry
from app.net.failures import ConnectionLostError
from app.resources import bundled_poems
from tests.conftest import wait_until

pytestmark = pytest.mark.usefixtures("no_leftover_timers")


def failing(demo: DemoServers) -> DemoServer:
    [server] = [server for server in demo.servers if server.fails]
    return server


def test_each_demo_server_shows_its_pace_and_set_pace_changes_only_that_one(demo) -> None:
    poems = bundled_poems()
    assert [server.poem_name for server in demo.servers] == [path.stem for path in poems]
    expected = [PACES[n % len(PACES)] for n in range(len(poems) - 1)] + [FAILING_PACE]
    assert [server.pace for server in demo.servers] == expected

    chosen = demo.servers[1]
    demo.set_pace(chosen.address, 1.5, 3)

    assert chosen.pace == (1.5, 3)
    assert [s.pace for s in demo.servers if s is not chosen] == expected[:1] + expected[2:]


@pytest_twisted.ensureDeferred
async def test_set_pace_refuses_a_stranger_and_a_bad_pace(demo) -> None:
    server = demo.servers[0]
    before = server.pace
    with pytest.raises(LookupError, match="no demo server"):
        demo.set_pace(Address("127.0.0.1", 9), 0.1, 10)
    with pytest.raises(ValueError, match="delay"):
        demo.set_pace(server.address, -1.0, 10)
    with pytest.raises(ValueError, match="num_bytes"):
        demo.set_pace(server.address, 0.1, 0)
    assert server.pace == before

    await demo.stop()
    with pytest.raises(LookupError):
        demo.set_pace(server.address, 0.1, 10)


@pytest.mark.parametrize(
    ("delay", "num_bytes", "when"),
    [(0, 10, "before"), (0.005, 7, "before"), (0, 10, "during"), (0.01, 100, "during")],
)
@pytest_twisted.ensureDeferred
async def test_the_failing_demo_server_breaks_off_at_the_same_byte_at_any_pace(
    demo, delay: float, num_bytes: int, when: str
) -> None:
    server = failing(demo)
    assert 0 < server.bytes_sent < server.poem_size
    received: list[int] = []
    if when == "before":
        demo.set_pace(server.address, delay, num_bytes)
    d = get_poetry(
        server.address.host, server.address.port, idle_timeout=5, progress=received.append
    )
    if when == "during":
        await wait_until(lambda: received, "the first bytes at the demo's own pace")
        demo.set_pace(server.address, delay, num_bytes)

    with pytest.raises(ConnectionLostError) as lost:
        await d

    print(f"{when}, {delay} s x {num_bytes} bytes: {lost.value}")
    assert lost.value.received == server.bytes_sent
