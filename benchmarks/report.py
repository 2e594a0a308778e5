"""What the benchmarks report: the machine, medians and percentiles, tables, and the record.

Numbers are only comparable on the same machine in the same run, so every
report starts with the machine it ran on. Besides the Markdown tables it
prints, a run can keep a :class:`Record`: one JSON file holding the machine,
the command, the versions and every cell of every table, named after the
day and the commit measured (``2026-11-29-9434317.json``).
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

#: The version of the record's JSON shape; raised when a key changes meaning or goes.
RECORD_FORMAT = 1
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Table:
    """One benchmark's result: a titled Markdown table and notes (targets, caveats)."""

    title: str
    headers: Sequence[str]
    rows: list[Sequence[object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"## {self.title}", "", _row(self.headers), _row("---" for _ in self.headers)]
        lines += [_row(cell_text(value) for value in row) for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"

    def as_json(self) -> dict[str, Any]:
        """The table as the record keeps it: each cell the value printed, unrounded."""
        return {
            "title": self.title,
            "headers": list(self.headers),
            "rows": [[json_value(value) for value in row] for row in self.rows],
            "notes": list(self.notes),
        }


def json_value(value: object) -> str | int | float | bool | None:
    """A cell as JSON: a number stays a number (NaN, printed "n/a", is null), text stays text.

    A float is kept whole: rounded here, it could print other digits than the
    table did. What JSON cannot hold (an infinity, any other object) is kept
    as printed.
    """
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isfinite(value):
            return value
    return cell_text(value)


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def cell_text(value: object) -> str:
    """A cell as the table prints it: a float to 3 significant digits, or whole from 100."""
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


def command_line(argv: Sequence[str] | None = None) -> str:
    """The command as a person would type it: ``python -m benchmarks`` and its arguments."""
    return " ".join(["python", "-m", "benchmarks", *(sys.argv[1:] if argv is None else argv)])


def machine() -> dict[str, Any]:
    """Cores, CPU model, memory in GiB (None if unknown) and platform."""
    return {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
    }


def versions() -> dict[str, str]:
    """Python, Qt, PyQt, Twisted and the program measured."""
    from PyQt5.QtCore import PYQT_VERSION_STR, QT_VERSION_STR
    from twisted import __version__ as twisted_version

    from app import __version__ as app_version

    return {
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "qt": QT_VERSION_STR,
        "pyqt": PYQT_VERSION_STR,
        "twisted": twisted_version,
        "poetry_downloader": app_version,
    }


def machine_info(command: str | None = None) -> str:
    """Cores, CPU, memory, Python, Qt, PyQt, Twisted, platform and command, as Markdown lines."""
    box, version = machine(), versions()
    memory = box["memory_gib"]
    lines = [
        "# Poetry Downloader benchmarks",
        "",
        f"- Machine: {box['cores']} cores, {box['cpu']}, "
        + (f"{memory:.1f} GiB RAM" if memory is not None else "unknown RAM"),
        f"- Python {version['python']} ({version['python_implementation']}), "
        f"Qt {version['qt']}, PyQt {version['pyqt']}, Twisted {version['twisted']}",
        f"- Platform: {box['platform']}",
        f"- Command: `{command or command_line()}`",
    ]
    return "\n".join(lines) + "\n"


def commit() -> tuple[str, bool]:
    """The short hash of the commit checked out, and whether tracked files differ from it.

    ``("unknown", False)`` outside a git checkout or without git.
    """
    try:
        short = _git("rev-parse", "--short=7", "HEAD")
        changed = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown", False
    return short.strip(), bool(changed.strip())


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout


@dataclass
class Record:
    """What one run measured, for programs: written as JSON next to the charts.

    Taken when the run starts (the commit, and whether the checkout differs
    from it, before the run writes its charts), filled as each benchmark
    ends, written once at the end.
    """

    command: str
    options: dict[str, Any]
    started: datetime = field(default_factory=lambda: datetime.now().astimezone())
    source: tuple[str, bool] = field(default_factory=commit)
    benchmarks: list[dict[str, Any]] = field(default_factory=list)

    def add(self, name: str, seconds: float, tables: Sequence[Table]) -> None:
        self.benchmarks.append(
            {
                "name": name,
                "seconds": round(seconds, 1),
                "tables": [table.as_json() for table in tables],
            }
        )

    def as_json(self) -> dict[str, Any]:
        short, changed = self.source
        return {
            "format": RECORD_FORMAT,
            "date": self.started.date().isoformat(),
            "started": self.started.isoformat(timespec="seconds"),
            "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
            "commit": short,
            "uncommitted_changes": changed,
            "command": self.command,
            "options": self.options,
            "machine": machine(),
            "versions": versions(),
            "benchmarks": self.benchmarks,
        }

    def file_name(self, only: Sequence[str] = ()) -> str:
        """``DATE-COMMIT.json``, or ``DATE-COMMIT-dirty-NAME-NAME.json``.

        ``-dirty`` when tracked files differed from the commit as the run
        began; the benchmarks' names when ``only`` some of them ran.
        """
        short, changed = self.source
        parts = [self.started.date().isoformat(), short, *(["dirty"] if changed else []), *only]
        return "-".join(parts) + ".json"

    def write(self, directory: Path, name: str) -> Path:
        """Writes the record into ``directory`` as ``name``, or ``STEM-2.json``... if taken."""
        directory.mkdir(parents=True, exist_ok=True)
        stem, suffix = name.rsplit(".", 1)
        path, number = directory / name, 1
        while path.exists():
            number += 1
            path = directory / f"{stem}-{number}.{suffix}"
        path.write_text(json_text(self.as_json()) + "\n", encoding="utf-8")
        return path


def json_text(value: Any, indent: str = "", key: str = "") -> str:
    """Indented JSON, with a list of plain values on one line (a table's headers, a row).

    The ``notes`` are the exception: one line each, so that two records
    compare line by line.
    """
    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k)}: {json_text(v, inner, k)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and value and (key == "notes" or not _plain(value)):
        items = [inner + json_text(item, inner) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


def _plain(values: list[Any]) -> bool:
    return not any(isinstance(value, dict | list) for value in values)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kib = int(f.readline().split()[1])
        return round(kib / 2**20, 1)
    except (OSError, ValueError, IndexError):
        return None
