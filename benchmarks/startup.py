"""Start-up: from process start to the main window on screen, and to the first byte.

Each run starts the real ``python -m app --config-dir FRESH --demo`` (a first
start: no saved servers, embedded demo servers) under
:mod:`benchmarks.startup_probe`, which only observes. The clock starts in
this process just before the child is spawned, so the interpreter's own
start-up counts, as it does for a user.
"""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

from benchmarks.processes import run_client
from benchmarks.report import Table, median, verdict
from benchmarks.run_options import RunOptions

TARGET_SECONDS = 1.0
PROBE_TIMEOUT = 30.0
MARKS = (
    ("interpreter", "Interpreter up"),
    ("gui_imported", "app.gui imported"),
    ("shown", "Window shown"),
    ("painted", "First frame painted"),
    ("first_byte", "First byte (demo)"),
)


def run(options: RunOptions) -> list[Table]:
    bare: list[float] = []
    results: list[dict[str, Any]] = []
    for number in range(options.runs):
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.monotonic() - started)
        config = options.workdir / f"startup-config-{number}"
        env = {"POETRY_BENCH_T0": repr(time.monotonic())}
        result = run_client(
            "startup_probe", ["--config-dir", str(config), "--demo"], timeout=PROBE_TIMEOUT, env=env
        )
        if result.get("exit_status") != 0:
            raise RuntimeError(f"python -m app exited {result.get('exit_status')}: {result}")
        results.append(result)
    return [_table(bare, results)]


def _table(bare: list[float], results: list[dict[str, Any]]) -> Table:
    table = Table(
        "Start-up: `python -m app --config-dir FRESH --demo`, seconds from process start",
        ["Milestone", "Runs", "Median s", "Min s", "Max s"],
    )
    table.rows.append(
        ["`python -c pass` (the floor)", len(bare), median(bare), min(bare), max(bare)]
    )
    for key, label in MARKS:
        values = [r[key] for r in results if key in r]
        table.rows.append(
            [label, len(values), median(values), min(values, default=0.0), max(values, default=0.0)]
        )
    painted = median([r["painted"] for r in results if "painted" in r])
    table.notes += [
        f"Window shown and painted: median {painted:.2f} s (target ≤ {TARGET_SECONDS:g} s: "
        f"{verdict(painted <= TARGET_SECONDS)}).",
        "Measured by `benchmarks/startup_probe.py`: it runs the real `python -m app` and adds "
        "observers when `app.gui.window` and `app.net.client` are imported "
        "(the window's Show event; "
        "the first loop turn after its first Paint; the first `bytes_received`). The clock is "
        "CLOCK_MONOTONIC, read by the parent just before spawning. "
        "QT_QPA_PLATFORM=offscreen, so no compositor or GPU is involved.",
    ]
    return table
