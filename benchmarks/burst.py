"""Burst: 10,000 slow downloads whose servers all write in the same instant.

The scale benchmark's downloads (the same poem and pace), but served by
:mod:`benchmarks.burst_server`: it holds every write until all 10,000
connections are open, then writes to all of them on one shared tick every
0.25 s. Each tick makes 10,000 sockets readable at once, the worst case
for a reactor that takes every ready socket in one loop pass. The window
and the bare client take turns on the same servers, as in the scale
benchmark; the lag that matters is from the first byte on.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from benchmarks.poems import write_poem
from benchmarks.processes import (
    PORTS_PER_SERVER,
    burst_server_command,
    raise_open_file_limit,
    run_client,
    serve_crowd,
)
from benchmarks.report import Table, median, verdict
from benchmarks.run_options import RunOptions
from benchmarks.scale import CLIENTS, client_timeout, cpu_per_10k, pace, typical_run, worst_complete

COUNT = 10_000
QUICK_COUNT = 20
SPARE_FILES = 256


def run(options: RunOptions) -> list[Table]:
    count = QUICK_COUNT if options.quick else COUNT
    size, delay, num_bytes = pace(options.quick)
    poem = write_poem(options.workdir, size)
    raise_open_file_limit(count + SPARE_FILES)
    results: dict[str, list[dict[str, Any]]] = {kind: [] for kind in CLIENTS}
    # Connections wait silently until the last one is open: no idle timeout
    # of the window's may end them first.
    timeout = client_timeout(count)
    with ExitStack() as stack:
        addresses = serve_crowd(
            stack, poem, count, delay=delay, num_bytes=num_bytes, server=burst_server_command()
        )
        address_file = options.workdir / f"burst-addresses-{count}.txt"
        address_file.write_text("\n".join(map(str, addresses)) + "\n")
        for _ in range(options.runs):
            for kind in CLIENTS:
                results[kind].append(
                    run_client(
                        "scale_client",
                        [kind, str(address_file), str(poem), str(timeout), str(timeout)],
                        timeout=timeout + 60,
                    )
                )
    table = _table(count, size, delay, num_bytes, results)
    if options.charts is not None:
        from benchmarks import charts

        options.charts.mkdir(parents=True, exist_ok=True)
        path = charts.trace_chart(
            {kind: typical_run(runs)["trace"] for kind, runs in results.items()},
            f"Heartbeat lag over one burst run at N = {count:,} (the run with the median p99):\n"
            f"once all are connected, every server writes at once every {delay:g} s",
            options.charts / "burst-lag-trace.png",
        )
        table.notes.append(f"Chart: `{path}`.")
    return [table]


def _table(
    count: int, size: int, delay: float, num_bytes: int, results: dict[str, list[dict[str, Any]]]
) -> Table:
    table = Table(
        f"Burst: {count:,} slow downloads whose servers all write at the same instant "
        f"({size} B each, {num_bytes} B every {delay:g} s)",
        [
            "Client",
            "Runs",
            "Complete (worst run)",
            "Wall s",
            "First byte s",
            "Lag p99 ms, bursts",
            "Lag max ms, bursts",
            "Lag p99 ms, whole run",
            "CPU s per 10,000 poems",
        ],
    )
    for kind, runs in results.items():

        def m(key: str, scale: float = 1.0, runs: list[dict[str, Any]] = runs) -> float:
            return median([r[key] * scale for r in runs if r[key] is not None])

        table.rows.append(
            [
                kind,
                len(runs),
                worst_complete(runs, count),
                m("seconds"),
                m("first_byte"),
                m("flowing_lag_p99", 1000),
                m("flowing_lag_max", 1000),
                m("lag_p99", 1000),
                median([cpu_per_10k(r) for r in runs]),
            ]
        )
    p99 = median([r["flowing_lag_p99"] for r in results["window"]]) * 1000
    table.notes += [
        f"The window's p99 lag during the bursts: {p99:.0f} ms (target ≤ 100: "
        f"{verdict(p99 <= 100)}).",
        "Bursts: from the first byte (when every connection is open and the servers begin) "
        "to the last poem; whole run: from starting the downloads, quiet connecting included. "
        f"Servers: `benchmarks/burst_server.py`, a process per {PORTS_PER_SERVER:,} ports, "
        "writing on the multiples of the delay on the shared monotonic clock. The window's "
        "idle timeout is lifted to the benchmark's own time limit, since the first connections "
        "wait for the last.",
    ]
    return table
