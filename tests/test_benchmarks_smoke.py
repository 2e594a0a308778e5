"""The benchmarks still run: ``python -m benchmarks --quick`` prints a table of numbers for each.

How fast anything is does not matter here (CI machines vary too much); that
every benchmark runs to the end, reports numbers, draws its charts and keeps
a record holding what it printed does. The run is a child process started
through the reactor, so the Qt loop keeps turning meanwhile.
"""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest_twisted
from twisted.internet.utils import getProcessOutputAndValue

from benchmarks.report import Record, Table, cell_text

ROOT = Path(__file__).resolve().parent.parent
TITLES = ("Throughput", "Scale", "Burst", "Start-up", "Big poem", "Stalls", "Storm")
CHARTS = ("scale-lag.png", "scale-cpu.png", "scale-lag-trace.png", "burst-lag-trace.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NUMBER = re.compile(r"\d+(\.\d+)?")
RECORD_NAME = re.compile(r"\d{4}-\d\d-\d\d-(unknown|[0-9a-f]{7,})(-dirty)?\.json")
DOCS_BENCHMARKS = ROOT / "docs" / "benchmarks"


def _split(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _printed(report: str) -> dict[str, dict[str, Any]]:
    """The Markdown tables by title: headers, rows of cells (headers excluded) and notes."""
    tables: dict[str, dict[str, Any]] = {}
    for section in report.split("\n## ")[1:]:
        title, _, body = section.partition("\n")
        lines = [line for line in body.splitlines() if line.startswith("|")]
        tables[title] = {
            "headers": _split(lines[0]),
            "rows": [_split(line) for line in lines[2:]],
            "notes": [line[2:] for line in body.splitlines() if line.startswith("- ")],
        }
    return tables


def _tables(report: str) -> dict[str, list[list[str]]]:
    """The Markdown tables by the first words of their titles: rows of cells, headers excluded."""
    return {title: table["rows"] for title, table in _printed(report).items()}


def _as_printed(value: object) -> str:
    """A record's cell as the table printed it (null is a number not measured: "n/a")."""
    return "n/a" if value is None else cell_text(value)


@pytest_twisted.ensureDeferred
async def test_every_benchmark_runs_prints_numbers_and_draws_its_charts(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    charts = tmp_path / "charts"
    records = tmp_path / "records"
    docs_before = sorted(DOCS_BENCHMARKS.iterdir())
    out, err, status = await getProcessOutputAndValue(
        sys.executable,
        ["-m", "benchmarks", "--quick", "--charts", str(charts), "--record", str(records)],
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
    _check_record(report, records)
    assert sorted(DOCS_BENCHMARKS.iterdir()) == docs_before, "a quick run wrote into docs/"


def _check_record(report: str, records: Path) -> None:
    """The run's one record holds the machine, the command, and every table as printed."""
    (path,) = records.iterdir()
    assert RECORD_NAME.fullmatch(path.name), path.name
    assert f"Record: `{path}`" in report
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["format"] == 1
    assert path.name.startswith(record["date"] + "-" + record["commit"])
    assert record["command"] == "python -m benchmarks --quick --charts {} --record {}".format(
        records.parent / "charts", records
    )
    assert f"- Command: `{record['command']}`" in report
    assert record["options"]["quick"] is True and record["options"]["runs"] == 1
    assert record["machine"]["cores"] >= 1 and record["machine"]["cpu"]
    assert f"{record['machine']['cores']} cores, {record['machine']['cpu']}" in report
    versions = record["versions"]
    assert f"Qt {versions['qt']}, PyQt {versions['pyqt']}, Twisted {versions['twisted']}" in report
    printed = _printed(report)
    recorded = {table["title"]: table for b in record["benchmarks"] for table in b["tables"]}
    assert [b["name"] for b in record["benchmarks"]] == record["options"]["names"]
    assert set(recorded) == set(printed)
    for title, table in recorded.items():
        assert table["headers"] == printed[title]["headers"], title
        assert table["notes"] == printed[title]["notes"], title
        cells = [[_as_printed(value) for value in row] for row in table["rows"]]
        assert cells == printed[title]["rows"], title
        numbers = [value for row in table["rows"] for value in row]
        assert any(isinstance(value, int | float) for value in numbers), title


def test_a_record_is_named_by_day_and_commit_and_never_overwrites(tmp_path: Path) -> None:
    started = datetime.fromisoformat("2026-11-29T21:05:00+01:00")
    record = Record("python -m benchmarks", {}, started=started, source=("9434317", False))
    table = Table("T", ["What", "Seconds", "Ratio"])
    table.rows.append(["10,000", 5.2049, float("nan")])
    record.add("scale", 574.04, [table])
    assert record.file_name() == "2026-11-29-9434317.json"
    assert record.file_name(["scale", "burst"]) == "2026-11-29-9434317-scale-burst.json"
    first = record.write(tmp_path, record.file_name())
    second = record.write(tmp_path, record.file_name())
    assert (first.name, second.name) == ("2026-11-29-9434317.json", "2026-11-29-9434317-2.json")
    kept = json.loads(first.read_text(encoding="utf-8"))
    assert kept["date"] == "2026-11-29" and kept["commit"] == "9434317"
    assert kept["benchmarks"] == [
        {
            "name": "scale",
            "seconds": 574.0,
            "tables": [
                {
                    "title": "T",
                    "headers": ["What", "Seconds", "Ratio"],
                    "rows": [["10,000", 5.2049, None]],
                    "notes": [],
                }
            ],
        }
    ]
    changed = Record("c", {}, started=started, source=("9434317", True))
    assert changed.file_name() == "2026-11-29-9434317-dirty.json"
