"""The benchmarks still run: ``python -m benchmarks --quick`` prints a table of numbers for each.

How fast anything is does not matter here (CI machines vary too much); that
every benchmark runs to the end, reports numbers and draws its charts does.
The run is a child process started through the reactor, so the Qt loop
keeps turning meanwhile.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest_twisted
from twisted.internet.utils import getProcessOutputAndValue

ROOT = Path(__file__).resolve().parent.parent
TITLES = ("Throughput", "Scale", "Burst", "Start-up", "Big poem", "Stalls")
CHARTS = ("scale-lag.png", "scale-cpu.png", "scale-lag-trace.png", "burst-lag-trace.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NUMBER = re.compile(r"\d+(\.\d+)?")


def _tables(report: str) -> dict[str, list[list[str]]]:
    """The Markdown tables by the first words of their titles: rows of cells, headers excluded."""
    tables: dict[str, list[list[str]]] = {}
    for section in report.split("\n## ")[1:]:
        title, _, body = section.partition("\n")
        lines = [line for line in body.splitlines() if line.startswith("|")]
        tables[title] = [
            [cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]
        ]
    return tables


@pytest_twisted.ensureDeferred
async def test_every_benchmark_runs_prints_numbers_and_draws_its_charts(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    charts = tmp_path / "charts"
    out, err, status = await getProcessOutputAndValue(
        sys.executable,
        ["-m", "benchmarks", "--quick", "--charts", str(charts)],
        env=env,
        path=str(ROOT),
    )
    report = out.decode()
    assert status == 0, err.decode()[-3000:]
    assert "cores" in report and "Twisted" in report and "Qt" in report
    tables = _tables(report)
    for title in TITLES:
        matching = [rows for name, rows in tables.items() if name.startswith(title)]
        assert matching, f"no {title} table in:\n{report}"
        rows = matching[0]
        assert rows, f"the {title} table is empty"
        for row in rows:
            assert any(NUMBER.fullmatch(cell.replace(",", "")) for cell in row[1:]), row
    for name in CHARTS:
        assert (charts / name).read_bytes().startswith(PNG_SIGNATURE), name
        assert str(charts / name) in report, f"the report does not name {name}"
