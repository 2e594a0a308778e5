"""Scale: thousands of slow downloads at once, in the window and in a bare Twisted client.

Each download is a ~2 KB poem sent 80 bytes every 0.25 s (320 B/s, about
6.4 s per poem), each from its own port, because the window keeps one row
per server address. Servers run in their own processes, at most 2,500 ports
each. For every N, the same servers serve the window (``MainWindow``,
shown offscreen) and then a bare Twisted ``Protocol`` client on the same
reactor class with no window, in turn, run after run: the bare client is
the yardstick for what the window costs (:mod:`benchmarks.scale_client`).

With a charts folder it also draws heartbeat lag and CPU per 10,000 poems
against N, and the lag over time of one run at ``TRACE_COUNT``.
"""

from __future__ import annotations

import resource
import statistics
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.poems import write_poem
from benchmarks.processes import (
    PORTS_PER_SERVER,
    raise_open_file_limit,
    run_client,
    serve_crowd,
)
from benchmarks.report import Table, median, median_of, verdict
from benchmarks.run_options import RunOptions

COUNTS = (100, 1000, 2000, 5000, 10_000, 20_000)
QUICK_COUNTS = (20,)
CLIENTS = ("window", "bare")
#: The window with its reactor dock open: every turn recorded and listed (``--reactor-dock``).
DOCK_CLIENT = "window-dock"
#: The N whose lag over time is drawn (the largest measured, if it was not).
TRACE_COUNT = 10_000
POEM_SIZE = 2048
DELAY, NUM_BYTES = 0.25, 80  # 320 B/s: "a few hundred bytes per second"
QUICK_POEM_SIZE, QUICK_DELAY, QUICK_NUM_BYTES = 256, 0.02, 64
#: Each of N connections is two descriptors in this machine's processes (a
#: client socket and a server one), but never two in one process: the
#: clients and servers raise their own limits; this is for the orchestrator.
SPARE_FILES = 256

Results = dict[int, dict[str, list[dict[str, Any]]]]


def run(options: RunOptions) -> list[Table]:
    counts = options.counts or (QUICK_COUNTS if options.quick else COUNTS)
    size, delay, num_bytes = pace(options.quick)
    poem = write_poem(options.workdir, size)
    notes: list[str] = []
    limit_note = raise_open_file_limit(max(counts) + SPARE_FILES)
    if limit_note:
        print(f"scale: {limit_note}", flush=True)
        notes.append(
            limit_note[0].upper() + limit_note[1:] + " (the orchestrator and the servers)."
        )
    clients = (*CLIENTS, DOCK_CLIENT) if options.reactor_dock else CLIENTS
    results: Results = {count: {kind: [] for kind in clients} for count in counts}
    for count in counts:
        with ExitStack() as stack:
            addresses = serve_crowd(stack, poem, count, delay=delay, num_bytes=num_bytes)
            address_file = options.workdir / f"addresses-{count}.txt"
            address_file.write_text("\n".join(map(str, addresses)) + "\n")
            timeout = client_timeout(count)
            for _ in range(options.runs):
                for kind in clients:
                    results[count][kind].append(
                        run_client(
                            "scale_client",
                            [kind, str(address_file), str(poem), str(timeout)],
                            timeout=timeout + 60,
                        )
                    )
    table = _table(size, delay, num_bytes, results, notes)
    if options.charts is not None:
        paths = _charts(results, options.charts, delay)
        table.notes.append("Charts: " + ", ".join(f"`{path}`" for path in paths) + ".")
    return [table]


def pace(quick: bool) -> tuple[int, float, int]:
    """Poem size, seconds between writes and bytes per write."""
    if quick:
        return QUICK_POEM_SIZE, QUICK_DELAY, QUICK_NUM_BYTES
    return POEM_SIZE, DELAY, NUM_BYTES


def client_timeout(count: int) -> float:
    return 30.0 + count * 0.02


def cpu_per_10k(run: dict[str, Any]) -> float:
    """CPU seconds per 10,000 poems: the client's CPU time scaled to 10,000 connections."""
    return float(run["cpu"]) / run["connections"] * 10_000


def worst_complete(runs: list[dict[str, Any]], count: int) -> str:
    worst = min(runs, key=lambda r: r["correct"])
    failed = max(r["failed"] for r in runs)
    return f"{worst['correct']}/{count}" + (f" ({failed} failed)" if failed else "")


def _table(
    size: int,
    delay: float,
    num_bytes: int,
    results: Results,
    notes: list[str],
) -> Table:
    table = Table(
        f"Scale: concurrent slow downloads, the window beside a bare Twisted client "
        f"({size} B each, {num_bytes} B every {delay:g} s)",
        [
            "N",
            "Client",
            "Runs",
            "Complete (worst run)",
            "Most at once",
            "Wall s",
            "Lag p50 ms",
            "Lag p99 ms",
            "Lag max ms",
            "CPU s per 10,000 poems",
            "CPU ÷ bare",
            "RSS/conn KiB",
            "Table repaints/s",
        ],
    )
    for count, by_kind in results.items():
        bare_cpu = median([cpu_per_10k(r) for r in by_kind["bare"]])
        for kind, runs in by_kind.items():
            cpu = median([cpu_per_10k(r) for r in runs])
            table.rows.append(
                [
                    f"{count:,}",
                    kind,
                    len(runs),
                    worst_complete(runs, count),
                    f"{min(r['peak_connections'] for r in runs):,}",
                    median_of(runs, "seconds"),
                    median_of(runs, "lag_p50", 1000),
                    median_of(runs, "lag_p99", 1000),
                    median_of(runs, "lag_max", 1000),
                    cpu,
                    cpu / bare_cpu,
                    median_of(runs, "rss_per_connection", 1 / 1024),
                    median_of(runs, "repaints_per_second") if kind != "bare" else "",
                ]
            )
    table.notes += notes
    table.notes += _targets(results)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    table.notes += [
        "Lag: lateness of a 10 ms `QTimer` (PreciseTimer) from starting the downloads to the "
        "last poem; repaints: `Paint` events on the table's viewport per second; RSS/conn: "
        "growth of peak RSS over the RSS before starting, ÷ N (rows and their poems "
        "included); CPU: the client process only, from starting to the last poem, scaled to "
        "10,000 poems. Complete = ended with exactly the poem served.",
        "window: `MainWindow`, shown offscreen, every address a row, its connection limit "
        "lifted. bare: a `Protocol` appending chunks to a list, no window, on the same reactor "
        "(`app.gui.reactor.qt_reactor` under a `QApplication`), connecting as the window does "
        "(`START_BATCH` per reactor turn). Each runs in a fresh process, in turn, on the same "
        f"servers: a `poetry-server` process per {PORTS_PER_SERVER:,} ports.",
        "Most at once: the fewest connections open at the same moment in any run (sampled "
        "every heartbeat). Each client raises its own open-file limit to the hard limit "
        f"({hard:,} here; {soft:,} in force for the benchmark) and opens no more at once than "
        "it leaves room for; the rest wait their turn, as queued rows do.",
    ]
    return table


def _targets(results: Results) -> list[str]:
    targets = []

    def window(count: int) -> list[dict[str, Any]]:
        return results[count]["window"]

    if 2000 in results:
        p99 = median([r["lag_p99"] for r in window(2000)]) * 1000
        repaints = median([r["repaints_per_second"] for r in window(2000)])
        targets.append(
            f"At 2,000: window p99 lag {p99:.0f} ms (target ≤ 50: "
            f"{verdict(p99 <= 50)}), {repaints:.0f} table repaints/s (target ≤ 30: "
            f"{verdict(repaints <= 30)})."
        )
    if 5000 in results:
        complete = all(r["correct"] == 5000 for r in window(5000))
        targets.append(f"At 5,000 all complete in every run: {verdict(complete)}.")
    if 10_000 in results:
        runs = window(10_000)
        complete = all(r["correct"] == 10_000 for r in runs)
        p99 = median([r["lag_p99"] for r in runs]) * 1000
        worst = median([r["lag_max"] for r in runs]) * 1000
        ratio = median([cpu_per_10k(r) for r in runs]) / median(
            [cpu_per_10k(r) for r in results[10_000]["bare"]]
        )
        targets.append(
            f"At 10,000, the window: all complete in every run: "
            f"{verdict(complete)}; p99 lag {p99:.0f} ms (target ≤ 50: {verdict(p99 <= 50)}); "
            f"max {worst:.0f} ms (target ≤ 150: {verdict(worst <= 150)}); CPU "
            f"{ratio:.2f} × the bare client's (target ≤ 1.5: {verdict(ratio <= 1.5)})."
        )
    if 20_000 in results:
        runs = [r for by_kind in results[20_000].values() for r in by_kind]
        complete = all(r["correct"] == 20_000 and r["failed"] == 0 for r in runs)
        targets.append(
            "At 20,000: every download complete and none failed, window and bare, "
            f"in every run: {verdict(complete)}."
        )
    per_connection = max(
        median([r["rss_per_connection"] for r in window(count)]) / 1024 for count in results
    )
    targets.append(
        f"Window RSS per connection ≤ 30 KiB at every N: worst median "
        f"{per_connection:.1f} KiB ({verdict(per_connection <= 30)})."
    )
    return targets


def typical_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run whose p99 lag is the median one (the lower middle of an even number)."""
    ordered = sorted(runs, key=lambda r: r["lag_p99"])
    return ordered[(len(ordered) - 1) // 2]


def _charts(results: Results, directory: Path, delay: float) -> list[Path]:
    from benchmarks import charts

    directory.mkdir(parents=True, exist_ok=True)
    lags = {
        kind: {
            count: {
                key: statistics.median(r[key] for r in by_kind[kind]) for key in charts.LAG_STYLE
            }
            for count, by_kind in results.items()
        }
        for kind in CLIENTS
    }
    cpu = {
        kind: {
            count: statistics.median(cpu_per_10k(r) for r in by_kind[kind])
            for count, by_kind in results.items()
        }
        for kind in CLIENTS
    }
    traced = TRACE_COUNT if TRACE_COUNT in results else max(results)
    traces = {kind: typical_run(results[traced][kind])["trace"] for kind in CLIENTS}
    return [
        charts.lag_chart(lags, directory / "scale-lag.png"),
        charts.cpu_chart(cpu, directory / "scale-cpu.png"),
        charts.trace_chart(
            traces,
            f"Heartbeat lag over one run at N = {traced:,} (the run with the median p99)\n"
            f"{delay:g} s between a server's writes, each connection on its own timer",
            directory / "scale-lag-trace.png",
        ),
    ]
