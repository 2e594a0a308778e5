"""Start All in two modes: all at once on the reactor, or one at a time like a blocking client.

The servers are the project's own, watched from the server side: in *one at
a time* a server sees each connection only after the previous one closed;
*all at once* overlaps them. After each batch the status bar compares the
time taken with the sum of the single downloads, and the figures must be
the ones measured.
"""

from __future__ import annotations

import re
import time

import pytest
from PyQt5.QtWidgets import QAction, QComboBox

from app.net.server import PoetryServerFactory, PoetryServerProtocol, listen_poetry
from app.views.timeline.record import Ending
from tests import hostile
from tests.conftest import local, statuses

POEM = b"Slow and steady lines\n" * 3  # 66 bytes, 3 writes of 22 bytes, 0.1 s apart

SUMMARY = re.compile(
    r"^(?P<count>\d+) poems in (?P<elapsed>[\d.]+) s; one at a time would take "
    r"(?P<sum>[\d.]+) s — (?P<ratio>[\d.]+)× faster$"
)
SEQUENTIAL_SUMMARY = re.compile(
    r"^(?P<count>\d+) poems one at a time in (?P<elapsed>[\d.]+) s; all at once would take "
    r"about (?P<longest>[\d.]+) s — (?P<ratio>[\d.]+)× faster$"
)


class Overlap:
    """Counts, at every new connection to any of the watched servers, how many were open."""

    def __init__(self) -> None:
        self.factories: list[PoetryServerFactory] = []
        self.open_at_connect: list[int] = []

    def server(self, servers) -> int:
        watcher = self

        class Watched(PoetryServerFactory):
            def buildProtocol(self, addr: object) -> PoetryServerProtocol:
                watcher.open_at_connect.append(sum(f.clients for f in watcher.factories))
                return super().buildProtocol(addr)

        factory = Watched(POEM, 0.1, 22)
        self.factories.append(factory)
        port = listen_poetry(factory, 0, hostile.LOCALHOST)
        servers.ports.append(port)
        return port.getHost().port


def choose_mode(window, name: str) -> None:
    action = window.findChild(QAction, name)
    action.trigger()
    combo = window.findChild(QComboBox, "startModeCombo")
    assert combo.currentText() == action.text().replace("&", "")


def run_batch(qtbot, window, count: int) -> tuple[float, str]:
    started = time.monotonic()
    window.commands.start_all.trigger()
    qtbot.waitUntil(lambda: statuses(window) == ["Done"] * count, timeout=10_000)
    wall = time.monotonic() - started
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() != "", timeout=2000)
    return wall, window.statusBar().currentMessage()


def test_one_at_a_time_is_sequential_and_says_what_all_at_once_would_take(qtbot, window, servers):
    overlap = Overlap()
    window.add_servers([local(overlap.server(servers)) for _ in range(3)])
    choose_mode(window, "actionModeOneAtATime")

    wall, message = run_batch(qtbot, window, 3)

    assert overlap.open_at_connect == [0, 0, 0], "a connection started before the last ended"
    match = SEQUENTIAL_SUMMARY.match(message)
    assert match, message
    rows = window.model.rows
    starts = sorted(row.started for row in rows)
    ends = sorted(row.finished for row in rows)
    assert all(end <= start for end, start in zip(ends, starts[1:], strict=False))
    longest = max(row.elapsed for row in rows)
    assert float(match["longest"]) == pytest.approx(longest, abs=0.05)
    assert float(match["elapsed"]) == pytest.approx(wall, abs=0.15)
    # The limit is back to normal afterwards.
    assert window.downloads.limit_now == window.downloads.limit


def test_all_at_once_overlaps_and_the_speed_up_is_the_measured_one(qtbot, window, servers):
    overlap = Overlap()
    window.add_servers([local(overlap.server(servers)) for _ in range(3)])
    assert window.findChild(QAction, "actionModeReactor").isChecked()

    wall, message = run_batch(qtbot, window, 3)

    assert max(overlap.open_at_connect) >= 1, "the downloads did not overlap"
    match = SUMMARY.match(message)
    assert match, message
    total = sum(row.elapsed for row in window.model.rows)
    assert float(match["sum"]) == pytest.approx(total, abs=0.05)
    assert float(match["elapsed"]) == pytest.approx(wall, abs=0.15)
    assert float(match["ratio"]) == pytest.approx(total / float(match["elapsed"]), rel=0.1)
    assert float(match["ratio"]) > 2.0


def test_the_timeline_records_every_chunk_and_byte_of_the_download(qtbot, window, servers):
    chunks = [b"one ", b"two ", b"three ", b"four\n"]
    address = local(servers.hostile(hostile.Chunks, chunks=chunks, gap=0.05))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: statuses(window) == ["Done"], timeout=5000)

    row = window.model.rows[0]
    lane = window.timeline.lanes[row]
    assert (lane.chunks, lane.bytes) == (len(chunks), row.poem.size)
    assert sum(count for _, count, _ in lane.marks()) == len(chunks)
    assert sum(size for _, _, size in lane.marks()) == row.poem.size
    assert lane.ending is Ending.DONE
    assert 0 <= lane.connect_started <= lane.connected <= lane.ended
    assert lane.ended - lane.connect_started == pytest.approx(row.elapsed, abs=0.02)
