"""``python -m benchmarks [--quick] [--runs N] [--charts DIR] [--record DIR] [NAME...]``.

Runs the benchmarks and prints one Markdown table per benchmark after a
header naming the machine. ``--quick`` runs every benchmark at a tiny size
once: the smoke test's mode. The scale and burst benchmarks also draw PNG
charts from what they measured, and the run ends by writing its record
(:class:`benchmarks.report.Record`: the machine, the command, the versions
and every table, as JSON), both into ``docs/benchmarks/`` by default (none
with ``--quick`` unless ``--charts`` or ``--record`` says where).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.report import Record, command_line, machine_info
from benchmarks.run_options import RunOptions

NAMES = ("throughput", "scale", "burst", "startup", "bigpoem", "stalls", "storm")
CHARTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks"
RECORDS = CHARTS


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
    parser.add_argument(
        "--charts",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"write the PNG charts into DIR (default {CHARTS}; none with --quick)",
    )
    parser.add_argument(
        "--no-charts", action="store_true", help="draw no charts (matplotlib not needed)"
    )
    parser.add_argument(
        "--record",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"write the run's JSON record into DIR (default {RECORDS}; none with --quick)",
    )
    parser.add_argument("--no-record", action="store_true", help="write no record")
    parser.add_argument(
        "--counts",
        type=_counts,
        default=None,
        metavar="N,N...",
        help="the scale benchmark's numbers of concurrent downloads (default: its own list)",
    )
    parser.add_argument(
        "--reactor-dock",
        action="store_true",
        help="the scale benchmark also measures the window with its reactor dock open",
    )
    return parser


def _counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part.replace("_", "")) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {text!r}") from None
    if any(count < 1 for count in counts):
        raise argparse.ArgumentTypeError("every count must be at least 1")
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    unknown = [name for name in options.names if name not in NAMES]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(NAMES)}")
    runs = options.runs if options.runs is not None else (1 if options.quick else 5)
    if runs < 1:
        parser.error("--runs must be at least 1")
    charts = None if options.no_charts else options.charts
    if charts is None and not options.quick and not options.no_charts:
        charts = CHARTS
    records = None if options.no_record else options.record
    if records is None and not options.quick and not options.no_record:
        records = RECORDS
    names = options.names or list(NAMES)
    command = command_line(sys.argv[1:] if argv is None else argv)
    record = Record(
        command,
        {"names": names, "quick": options.quick, "runs": runs, "counts": options.counts},
    )
    print(machine_info(command), flush=True)
    with tempfile.TemporaryDirectory(prefix="poetry-bench-") as workdir:
        run_options = RunOptions(
            quick=options.quick,
            runs=runs,
            workdir=Path(workdir),
            charts=charts,
            counts=options.counts,
            reactor_dock=options.reactor_dock,
        )
        for name in names:
            module = importlib.import_module(f"benchmarks.{name}")
            started = time.monotonic()
            tables = module.run(run_options)
            for table in tables:
                print(table.markdown(), flush=True)
            seconds = time.monotonic() - started
            print(f"_{name}: {seconds:.0f} s_\n", flush=True)
            record.add(name, seconds, tables)
    if records is not None:
        only = () if set(names) == set(NAMES) else names
        path = record.write(records, record.file_name(only))
        print(f"Record: `{path}`", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
