"""What the benchmarks print: the machine, medians and percentiles, Markdown tables.

Numbers are only comparable on the same machine in the same run, so every
report starts with the machine it ran on.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    """One benchmark's result: a titled Markdown table and notes (targets, caveats)."""

    title: str
    headers: Sequence[str]
    rows: list[Sequence[object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"## {self.title}", "", _row(self.headers), _row("---" for _ in self.headers)]
        lines += [_row(_cell(value) for value in row) for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _cell(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def median(values: Sequence[float]) -> float:
    """The median, or NaN (shown as "n/a") when there is nothing to take it of."""
    return statistics.median(values) if values else math.nan


def median_of(runs: Sequence[Mapping[str, Any]], key: str, scale: float = 1.0) -> float:
    """The median of ``run[key] * scale`` over the runs that measured it (None: not measured)."""
    return median([run[key] * scale for run in runs if run[key] is not None])


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in [0, 1]): always one of the observed values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def machine_info() -> str:
    """Cores, CPU, memory, Python, Qt, PyQt, Twisted and platform, as Markdown lines."""
    from PyQt5.QtCore import PYQT_VERSION_STR, QT_VERSION_STR
    from twisted import __version__ as twisted_version

    lines = [
        "# Poetry Downloader benchmarks",
        "",
        f"- Machine: {os.cpu_count()} cores, {_cpu_model()}, {_memory()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"Qt {QT_VERSION_STR}, PyQt {PYQT_VERSION_STR}, Twisted {twisted_version}",
        f"- Platform: {platform.platform()}",
        f"- Command: `{' '.join(['python', '-m', 'benchmarks', *sys.argv[1:]])}`",
    ]
    return "\n".join(lines) + "\n"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory() -> str:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kib = int(f.readline().split()[1])
        return f"{kib / 2**20:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        return "unknown RAM"
