"""Burst: 10,000 and 20,000 slow downloads whose servers all write in the same instant.

The scale benchmark's downloads (the same poem and pace), but served by
:mod:`benchmarks.burst_server`: it holds every write until all connections
are open, then writes to all of them on one shared tick every 0.25 s. Each
tick makes every socket readable at once, the worst case for a reactor that
takes every ready socket in one loop pass. The window and the bare client
take turns on the same servers, as in the scale benchmark; the lag that
matters is from the first byte on.

It is also where N connections are really open at the same time (in the
scale benchmark the first poems end while the last connections are still
being opened): at 20,000, as many as the client's open-file limit allows.
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
from benchmarks.report import Table, median, median_of, verdict
from benchmarks.run_options import RunOptions
from benchmarks.scale import (
    CLIENTS,
    Results,
    client_timeout,
    cpu_per_10k,
    pace,
    typical_run,
    worst_complete,
)

COUNTS = (10_000, 20_000)
QUICK_COUNTS = (20,)
#: The N the lag targets are set at, and whose lag over time is drawn.
TARGET_COUNT = 10_000
SPARE_FILES = 256


def run(options: RunOptions) -> list[Table]:
    counts = QUICK_COUNTS if options.quick else COUNTS
    size, delay, num_bytes = pace(options.quick)
    poem = write_poem(options.workdir, size)
    raise_open_file_limit(max(counts) + SPARE_FILES)
    results: Results = {count: {kind: [] for kind in CLIENTS} for count in counts}
    for count in counts:
        # Connections wait silently until the last one is open: no idle
        # timeout of the window's may end them first.
        timeout = client_timeout(count)
        with ExitStack() as stack:
            addresses = serve_crowd(
                stack, poem, count, delay=delay, num_bytes=num_bytes, server=burst_server_command()
            )
            address_file = options.workdir / f"burst-addresses-{count}.txt"
            address_file.write_text("\n".join(map(str, addresses)) + "\n")
            for _ in range(options.runs):
                for kind in CLIENTS:
                    results[count][kind].append(
                        run_client(
                            "scale_client",
                            [kind, str(address_file), str(poem), str(timeout), str(timeout)],
                            timeout=timeout + 60,
                        )
                    )
    table = _table(size, delay, num_bytes, results)
    if options.charts is not None:
        from benchmarks import charts

        traced = TARGET_COUNT if TARGET_COUNT in results else max(results)
        options.charts.mkdir(parents=True, exist_ok=True)
        typical = {kind: typical_run(runs) for kind, runs in results[traced].items()}
        path = charts.trace_chart(
            {kind: run["trace"] for kind, run in typical.items()},
            f"Heartbeat lag over one burst run at N = {traced:,} (the run with the median p99):\n"
            f"all connected (dashed), every server writes at once every {delay:g} s",
            options.charts / "burst-lag-trace.png",
            first_bytes={kind: run["first_byte"] for kind, run in typical.items()},
        )
        table.notes.append(f"Chart: `{path}`.")
    return [table]


def _table(size: int, delay: float, num_bytes: int, results: Results) -> Table:
    table = Table(
        f"Burst: slow downloads whose servers all write at the same instant "
        f"({size} B each, {num_bytes} B every {delay:g} s)",
        [
            "N",
            "Client",
            "Runs",
            "Complete (worst run)",
            "Most at once",
            "Wall s",
            "First byte s",
            "Lag p99 ms, bursts",
            "Lag max ms, bursts",
            "Lag p99 ms, whole run",
            "CPU s per 10,000 poems",
        ],
    )
    for count, by_kind in results.items():
        for kind, runs in by_kind.items():
            table.rows.append(_row(count, kind, runs))
    table.notes += _targets(results)
    table.notes.append(
        "Bursts: from the first byte (when every connection is open and the servers begin) "
        "to the last poem; whole run: from starting the downloads, quiet connecting included. "
        f"Servers: `benchmarks/burst_server.py`, a process per {PORTS_PER_SERVER:,} ports, "
        "writing on the multiples of the delay on the shared monotonic clock. The window's "
        "idle timeout is lifted to the benchmark's own time limit, since the first connections "
        "wait for the last. Most at once: as in the scale table; below N only where the "
        "client's open-file limit leaves no room for more."
    )
    return table


def _row(count: int, kind: str, runs: list[dict[str, Any]]) -> list[object]:
    return [
        f"{count:,}",
        kind,
        len(runs),
        worst_complete(runs, count),
        f"{min(r['peak_connections'] for r in runs):,}",
        median_of(runs, "seconds"),
        median_of(runs, "first_byte"),
        median_of(runs, "flowing_lag_p99", 1000),
        median_of(runs, "flowing_lag_max", 1000),
        median_of(runs, "lag_p99", 1000),
        median([cpu_per_10k(r) for r in runs]),
    ]


def _targets(results: Results) -> list[str]:
    targets = []
    if TARGET_COUNT in results:
        runs = results[TARGET_COUNT]["window"]
        p99 = median([r["flowing_lag_p99"] for r in runs]) * 1000
        targets.append(
            f"At {TARGET_COUNT:,}: the window's p99 lag during the bursts {p99:.0f} ms "
            f"(target ≤ 100: {verdict(p99 <= 100)})."
        )
    if 20_000 in results:
        runs = [r for by_kind in results[20_000].values() for r in by_kind]
        complete = all(r["correct"] == 20_000 and r["failed"] == 0 for r in runs)
        most = min(r["peak_connections"] for r in runs)
        targets.append(
            f"At 20,000, all open at once as far as the open-file limit allows "
            f"(at least {most:,} here): every download complete and none failed, window and "
            f"bare, in every run: {verdict(complete)}."
        )
    return targets
