"""The tests run on the program's own reactor: qt5reactor's, with one iteration per loop pass."""

from __future__ import annotations

import qt5reactor

from app.gui.qt_reactor import PoetryQtReactor
from tests.conftest import local, statuses


def test_the_tests_run_on_the_programs_reactor():
    from twisted.internet import reactor

    assert isinstance(reactor, PoetryQtReactor)
    assert isinstance(reactor, qt5reactor.QtReactor)


def test_a_burst_of_readable_sockets_costs_far_fewer_iterations_than_reads(qtbot, window, servers):
    from twisted.internet import reactor

    # 200 downloads whose servers all write at the same moments, every 50 ms.
    addresses = [local(servers.poetry(b"x" * 100, delay=0.05, num_bytes=10)[0]) for _ in range(200)]
    iterations = 0
    run_until_current = reactor.runUntilCurrent

    def counting() -> None:
        nonlocal iterations
        iterations += 1
        run_until_current()

    reactor.runUntilCurrent = counting
    try:
        window.downloads.set_limit(200)
        window.add_servers(addresses, start=True)
        qtbot.waitUntil(lambda: statuses(window) == ["Done"] * 200, timeout=20_000)
    finally:
        del reactor.runUntilCurrent
    reads = sum(window.timeline.lanes[row].chunks for row in window.model.rows)
    assert reads >= 1000
    assert iterations < reads / 2, (iterations, reads)
