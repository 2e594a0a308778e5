"""A non-editable install carries the resources and the three commands."""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import pytest_twisted
from twisted.internet.utils import getProcessOutputAndValue

from app import __version__

ROOT = Path(__file__).resolve().parent.parent


async def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[str, str]:
    out, err, code = await getProcessOutputAndValue(
        args[0], args[1:], env=env or dict(os.environ), path=str(cwd)
    )
    assert code == 0, err.decode(errors="replace")[-2000:]
    return out.decode(), err.decode()


@pytest_twisted.ensureDeferred
async def test_the_wheel_brings_poems_and_commands_to_any_directory(tmp_path: Path):
    await run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT),
        cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("poetry_downloader-*.whl")
    assert wheel.name.startswith(f"poetry_downloader-{__version__}-")  # the one version
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        commands = archive.read(entry_points).decode()
    assert "app/data/poems/jingyesi.txt" in names
    # The build compiles each translation catalogue (setup.py); the source stays out.
    assert "app/i18n/locale/zh_CN/LC_MESSAGES/poetry-downloader.mo" in names
    assert sum(n.startswith("app/data/poems/") for n in names) >= 5
    assert "poetry-get = app.cli.get:main" in commands
    assert "poetry-server = app.cli.serve:main" in commands
    assert "[gui_scripts]" in commands and "poetry-downloader = app.__main__:main" in commands

    target = tmp_path / "site"
    await run(
        sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
        str(wheel), cwd=tmp_path,
    )  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(target)}
    out, _ = await run(
        sys.executable, "-c",
        "import app.resources as r; ps = r.bundled_poems(); print(r.resources_dir()); "
        "print(len(ps)); print(ps[0].read_text(encoding='utf-8').splitlines()[0])",
        cwd=Path("/"), env=env,
    )  # fmt: skip
    location, count, first_line = out.splitlines()
    assert Path(location) == target / "app" / "data"
    assert int(count) >= 5
    assert first_line
