"""Storm: thousands of servers refusing at once, and a window that must stay responsive.

Each server is a port of 127.0.0.1 bound by this process and never
listening, so every connection to it is refused at once. For every N, a
window process (:mod:`benchmarks.storm_client`) adds N such rows and
starts them all at once; every row fails within a few reactor turns, each
failure reaching the failure window, the log dock and the log file. It
reports the seconds until every row had failed, the CPU seconds that took,
and how late a 10 ms heartbeat fired meanwhile, which is how late the
window answers a click or a menu.

The targets: each failure costs the same however many came before (the
largest N fails within 1.5 times the smallest N's time, scaled to its
size), and the window answers within 100 ms throughout.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks.processes import raise_open_file_limit, run_client
from benchmarks.report import Table, median, median_of, verdict
from benchmarks.run_options import RunOptions

COUNTS = (1000, 2000, 3000)
QUICK_COUNTS = (20, 60)
#: Linear: the largest N fails within this many times the smallest N's time, scaled by N.
LINEAR_SLACK = 1.5
#: The window answers within this, throughout: the heartbeat's worst lag, ms.
ANSWER_MS = 100.0
#: Descriptors kept free in this process for everything but the refusing ports.
SPARE_FILES = 256

Results = dict[int, list[dict[str, Any]]]


def run(options: RunOptions) -> list[Table]:
    counts = QUICK_COUNTS if options.quick else COUNTS
    notes: list[str] = []
    limit_note = raise_open_file_limit(max(counts) + SPARE_FILES)
    if limit_note:
        print(f"storm: {limit_note}", flush=True)
        notes.append(limit_note[0].upper() + limit_note[1:] + " (the orchestrator).")
    results: Results = {}
    for count in counts:
        with refusing_ports(count) as addresses:
            address_file = options.workdir / f"refusing-{count}.txt"
            address_file.write_text("\n".join(addresses) + "\n")
            timeout = client_timeout(count)
            results[count] = [
                run_client("storm_client", [str(address_file), str(timeout)], timeout=timeout + 60)
                for _ in range(options.runs)
            ]
    return [_table(results, notes)]


@contextmanager
def refusing_ports(count: int) -> Iterator[list[str]]:
    """``count`` addresses of 127.0.0.1 that refuse connections, for as long as this lasts.

    Each port is bound and never listens: a connection to it is refused at
    once, and no other program can take the port meanwhile.
    """
    holders: list[socket.socket] = []
    try:
        for _ in range(count):
            holder = socket.socket()
            holders.append(holder)
            holder.bind(("127.0.0.1", 0))
        yield [f"127.0.0.1:{holder.getsockname()[1]}" for holder in holders]
    finally:
        for holder in holders:
            holder.close()


def client_timeout(count: int) -> float:
    return 60.0 + count * 0.05


def worst_failed(runs: list[dict[str, Any]], count: int) -> str:
    """Rows failed and failures listed, in the run with the fewest: "3,000/3,000, 3,000 listed"."""
    worst = min(runs, key=lambda r: (r["failed"], r["listed"]))
    return f"{worst['failed']:,}/{count:,}, {worst['listed']:,} listed"


def _table(results: Results, notes: list[str]) -> Table:
    table = Table(
        "Storm: servers refusing at once, in the window",
        [
            "N",
            "Runs",
            "Failed, listed (worst run)",
            "Seconds to all failed",
            "Seconds per 1,000",
            "CPU s",
            "Lag p50 ms",
            "Lag p99 ms",
            "Lag max ms",
        ],
    )
    for count, runs in results.items():
        seconds = median_of(runs, "seconds")
        table.rows.append(
            [
                f"{count:,}",
                len(runs),
                worst_failed(runs, count),
                seconds,
                seconds / count * 1000,
                median_of(runs, "cpu"),
                median_of(runs, "lag_p50", 1000),
                median_of(runs, "lag_p99", 1000),
                median_of(runs, "lag_max", 1000),
            ]
        )
    table.notes += notes
    table.notes += _targets(results)
    table.notes.append(
        "Each server: a port of 127.0.0.1 bound and never listening (refused at once). The "
        "window: `MainWindow`, shown offscreen, logging to its file, its connection limit "
        "lifted, every address a row, all started with Start All. Seconds and CPU: from Start "
        "All to the last row failed, the window process only. Lag: lateness of a 10 ms `QTimer` "
        "(PreciseTimer) from Start All until the failure window lists every failure."
    )
    return table


def _targets(results: Results) -> list[str]:
    targets = []
    small, large = min(results), max(results)
    small_seconds = median([r["seconds"] for r in results[small] if r["seconds"] is not None])
    large_seconds = median([r["seconds"] for r in results[large] if r["seconds"] is not None])
    if large > small:
        allowed = LINEAR_SLACK * small_seconds * large / small
        targets.append(
            f"Linear: {large:,} fail in {large_seconds:.2f} s (target ≤ {LINEAR_SLACK:g} × "
            f"{small:,}'s {small_seconds:.2f} s × {large / small:g} = {allowed:.2f} s: "
            f"{verdict(large_seconds <= allowed)})."
        )
    worst = max(r["lag_max"] for runs in results.values() for r in runs) * 1000
    complete = all(
        r["failed"] == count and r["listed"] == count
        for count, runs in results.items()
        for r in runs
    )
    targets.append(
        f"The window answers within {ANSWER_MS:.0f} ms throughout: worst heartbeat lag "
        f"{worst:.0f} ms ({verdict(worst <= ANSWER_MS)}); every row failed and listed in every "
        f"run: {verdict(complete)}."
    )
    return targets
