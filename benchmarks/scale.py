"""Scale: thousands of slow downloads at once in the window, and how smooth it stays.

Each download is a ~2 KB poem sent 80 bytes every 0.25 s (320 B/s, about
6.4 s per poem), each from its own port, because the window keeps one row
per server address. Servers run in their own processes, at most 2,500 ports
each; the window runs in another and measures itself
(:mod:`benchmarks.scale_client`).
"""

from __future__ import annotations

import math
from contextlib import ExitStack
from typing import Any

from benchmarks.poems import write_poem
from benchmarks.processes import poetry_servers, raise_open_file_limit, run_client
from benchmarks.report import Table, median, verdict
from benchmarks.run_options import RunOptions

COUNTS = (100, 1000, 2000, 5000)
QUICK_COUNTS = (20,)
POEM_SIZE = 2048
DELAY, NUM_BYTES = 0.25, 80  # 320 B/s: "a few hundred bytes per second"
QUICK_POEM_SIZE, QUICK_DELAY, QUICK_NUM_BYTES = 256, 0.02, 64
PORTS_PER_SERVER = 2500
SPARE_FILES = 256  # for the interpreter, Qt, pipes and logs


def run(options: RunOptions) -> list[Table]:
    counts = QUICK_COUNTS if options.quick else COUNTS
    size, delay, num_bytes = (
        (QUICK_POEM_SIZE, QUICK_DELAY, QUICK_NUM_BYTES)
        if options.quick
        else (POEM_SIZE, DELAY, NUM_BYTES)
    )
    poem = write_poem(options.workdir, size)
    notes: list[str] = []
    limit_note = raise_open_file_limit(max(counts) + SPARE_FILES)
    if limit_note:
        print(f"scale: {limit_note}", flush=True)
        notes.append(limit_note.capitalize() + ".")
    results: dict[int, list[dict[str, Any]]] = {count: [] for count in counts}
    for count in counts:
        servers = math.ceil(count / PORTS_PER_SERVER)
        timeout = 30.0 + count * 0.02
        with ExitStack() as stack:
            addresses = []
            for index in range(servers):
                share = range(index, count, servers)
                addresses += stack.enter_context(
                    poetry_servers([poem] * len(share), delay=delay, num_bytes=num_bytes)
                )
            address_file = options.workdir / f"addresses-{count}.txt"
            address_file.write_text("\n".join(map(str, addresses)) + "\n")
            for _ in range(options.runs):
                results[count].append(
                    run_client(
                        "scale_client",
                        [str(address_file), str(poem), str(timeout)],
                        timeout=timeout + 60,
                    )
                )
    return [_table(size, delay, num_bytes, results, notes)]


def _table(
    size: int,
    delay: float,
    num_bytes: int,
    results: dict[int, list[dict[str, Any]]],
    notes: list[str],
) -> Table:
    table = Table(
        f"Scale: concurrent slow downloads in MainWindow ({size} B each, "
        f"{num_bytes} B every {delay:g} s)",
        [
            "N",
            "Server processes",
            "Runs",
            "Complete (worst run)",
            "Wall s",
            "Lag p50 ms",
            "Lag p99 ms",
            "Lag max ms",
            "CPU s",
            "RSS/conn KiB",
            "Table repaints/s",
        ],
    )
    for count, runs in results.items():

        def m(key: str, scale: float = 1.0, runs: list[dict[str, Any]] = runs) -> float:
            return median([r[key] * scale for r in runs])

        worst = min(runs, key=lambda r: r["correct"])
        table.rows.append(
            [
                count,
                math.ceil(count / PORTS_PER_SERVER),
                len(runs),
                f"{worst['correct']}/{count}",
                m("seconds"),
                m("lag_p50", 1000),
                m("lag_p99", 1000),
                m("lag_max", 1000),
                m("cpu"),
                m("rss_per_connection", 1 / 1024),
                m("repaints_per_second"),
            ]
        )
    table.notes += notes
    table.notes += _targets(results)
    table.notes.append(
        "Lag: lateness of a 10 ms `QTimer` (PreciseTimer) from adding the rows to the last "
        "poem; repaints: `Paint` events on the table's viewport per second; RSS/conn: growth "
        "of peak RSS over the RSS before adding the rows, ÷ N (rows and their poems included); "
        "CPU: the window process only. Complete = Done with exactly the poem served."
    )
    return table


def _targets(results: dict[int, list[dict[str, Any]]]) -> list[str]:
    targets = []
    if 2000 in results:
        runs = results[2000]
        p99 = median([r["lag_p99"] for r in runs]) * 1000
        repaints = median([r["repaints_per_second"] for r in runs])
        targets.append(
            f"At 2,000: p99 lag {p99:.0f} ms (target ≤ 50: {verdict(p99 <= 50)}), "
            f"{repaints:.0f} table repaints/s (target ≤ 30: {verdict(repaints <= 30)})."
        )
    if 5000 in results:
        complete = all(r["correct"] == 5000 for r in results[5000])
        targets.append(f"At 5,000 all complete in every run: {verdict(complete)}.")
    per_connection = max(
        median([r["rss_per_connection"] for r in runs]) / 1024 for runs in results.values()
    )
    targets.append(
        f"RSS per connection ≤ 30 KiB at every N: worst median {per_connection:.1f} KiB "
        f"({verdict(per_connection <= 30)})."
    )
    return targets
