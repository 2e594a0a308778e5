"""Stalls: the longest the window freezes while a person adds many servers or reads a huge poem.

Each measure runs in its own window process (:mod:`benchmarks.stalls_client`)
with a 10 ms heartbeat: pasting 10,000 addresses into Add Servers and
pressing OK (with and without *Start downloading at once*), a 10 MB poem
selected and shown in the poem pane, and the table's refresh ticks while
10,000 rows download at once (their chunks published without a network,
so only the window's own cost is in the numbers).
"""

from __future__ import annotations

from typing import Any

from benchmarks.processes import run_client
from benchmarks.report import Table, median_of, verdict
from benchmarks.run_options import RunOptions

#: (measure, full size, quick size, target for the longest stall in ms or None)
MEASURES = (
    ("paste", 10_000, 200, 50.0),
    ("paste-start", 10_000, 200, 50.0),
    ("poem", 10_000_000, 200_000, 100.0),
    ("ticks", 10_000, 200, None),
)
DESCRIPTIONS = {
    "paste": "Add Servers: paste {size:,} addresses, OK",
    "paste-start": "Add Servers: paste {size:,} addresses, start at once, OK",
    "poem": "Poem pane: a {size:,}-byte poem shown, then its end",
    "ticks": "{size:,} rows downloading: table ticks",
}
CLIENT_TIMEOUT = 180.0


def run(options: RunOptions) -> list[Table]:
    results: dict[str, list[dict[str, Any]]] = {}
    sizes: dict[str, int] = {}
    for measure, full, quick, _ in MEASURES:
        size = quick if options.quick else full
        sizes[measure] = size
        results[measure] = [
            run_client("stalls_client", [measure, str(size)], timeout=CLIENT_TIMEOUT)
            for _ in range(options.runs)
        ]
    return [_table(results, sizes)]


def _table(results: dict[str, list[dict[str, Any]]], sizes: dict[str, int]) -> Table:
    table = Table(
        "Stalls: the longest freeze while a person works",
        ["What", "Runs", "Seconds", "CPU s", "Lag p50 ms", "Lag p99 ms", "Lag max ms"],
    )
    for measure, _, _, target in MEASURES:
        runs = results[measure]
        table.rows.append(
            [
                DESCRIPTIONS[measure].format(size=sizes[measure]),
                len(runs),
                median_of(runs, "seconds"),
                median_of(runs, "cpu"),
                median_of(runs, "lag_p50", 1000),
                median_of(runs, "lag_p99", 1000),
                median_of(runs, "lag_max", 1000),
            ]
        )
        if target is not None:
            worst = max(r["lag_max"] for r in runs) * 1000
            table.notes.append(
                f"{measure}: longest stall {worst:.0f} ms in the worst run "
                f"(target ≤ {target:.0f} ms: {verdict(worst <= target)})."
            )
    table.notes.append(
        "Lag: lateness of a 10 ms `QTimer` (PreciseTimer) heartbeat in the window process, "
        "from the first key press to 1 s after everything is shown (paste: every row in the "
        "table; poem: the whole text in the pane); seconds: to that point. Ticks: the window's "
        "own cost while 4 chunks a second reach every row and 20 rows end and restart per "
        "50 ms, with no network; CPU includes publishing those events."
    )
    return table
