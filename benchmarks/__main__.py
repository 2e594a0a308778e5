"""``python -m benchmarks [--quick] [--runs N] [NAME...]``: run the benchmarks, print Markdown.

One table per benchmark after a header naming the machine. ``--quick``
runs every benchmark at a tiny size once: the smoke test's mode.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.report import machine_info
from benchmarks.run_options import RunOptions

NAMES = ("throughput", "scale", "startup", "bigpoem", "stalls")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"any of {', '.join(NAMES)} (default: all)"
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run (smoke test)")
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        metavar="N",
        help="runs per measurement (default 5; 1 with --quick)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    unknown = [name for name in options.names if name not in NAMES]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(NAMES)}")
    runs = options.runs if options.runs is not None else (1 if options.quick else 5)
    if runs < 1:
        parser.error("--runs must be at least 1")
    print(machine_info(), flush=True)
    with tempfile.TemporaryDirectory(prefix="poetry-bench-") as workdir:
        run_options = RunOptions(quick=options.quick, runs=runs, workdir=Path(workdir))
        for name in options.names or NAMES:
            module = importlib.import_module(f"benchmarks.{name}")
            started = time.monotonic()
            for table in module.run(run_options):
                print(table.markdown(), flush=True)
            print(f"_{name}: {time.monotonic() - started:.0f} s_\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
