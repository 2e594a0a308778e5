"""Big poem: a 10 MB poem shown in the poem pane without freezing the window.

The poem comes at full speed from its own ``poetry-server`` process; the
window (in :mod:`benchmarks.bigpoem_client`) downloads it with its row
selected, shows it, and jumps to its end. The longest event-loop stall is
what a user would feel as a frozen window.
"""

from __future__ import annotations

from typing import Any

from benchmarks.poems import write_poem
from benchmarks.processes import poetry_servers, run_client
from benchmarks.report import Table, median_of, verdict
from benchmarks.run_options import RunOptions

FULL_SIZE = 10_000_000
QUICK_SIZE = 200_000
TARGET_STALL_MS = 250
CLIENT_TIMEOUT = 120.0


def run(options: RunOptions) -> list[Table]:
    size = QUICK_SIZE if options.quick else FULL_SIZE
    poem = write_poem(options.workdir, size)
    results: list[dict[str, Any]] = []
    with poetry_servers([poem], delay=0) as (address,):
        for _ in range(options.runs):
            args = [address.host, str(address.port), str(size)]
            results.append(run_client("bigpoem_client", args, timeout=CLIENT_TIMEOUT))
    return [_table(size, results)]


def _table(size: int, results: list[dict[str, Any]]) -> Table:
    table = Table(
        f"Big poem: {size / 1e6:g} MB shown in the poem pane",
        [
            "Runs",
            "Download s",
            "Longest stall ms",
            "Stall p99 ms",
            "Lines shown",
            "Characters shown",
        ],
    )
    table.rows.append(
        [
            len(results),
            median_of(results, "seconds"),
            median_of(results, "lag_max", 1000),
            median_of(results, "lag_p99", 1000),
            f"{median_of(results, 'shown_lines'):,.0f}",
            f"{median_of(results, 'shown_characters'):,.0f}",
        ]
    )
    stall = median_of(results, "lag_max", 1000)
    table.notes += [
        f"Longest stall {stall:.0f} ms (target ≤ {TARGET_STALL_MS} ms: "
        f"{verdict(stall <= TARGET_STALL_MS)}).",
        "Stall: lateness of a 10 ms `QTimer` heartbeat, from adding the server (row selected, so "
        "the pane shows the poem when it is whole) to 1 s after, with a jump to the poem's end "
        "(`moveCursor(End)`) on the way.",
    ]
    return table
