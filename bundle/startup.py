"""``make bundle-startup``: start-up of the bundle beside the virtual environment's, same run.

``python -m bundle.startup [--runs N]`` starts each program N times, taking
turns, on a private Xvfb: ``.venv/bin/poetry-downloader --config-dir FRESH
--demo`` and ``dist/poetry-downloader/poetry-downloader`` with the same
arguments, both in the bare environment (:mod:`bundle.bare`). The clock
starts just before the process is spawned and stops when the X server shows
the window mapped, then painted (:mod:`bundle.xwatch`); then SIGTERM, which
must end the program with status 0. ``--version`` (the interpreter and
bootloader alone) is timed the same way. One warm-up start of each is not
counted, so both read their files from the page cache.

Where this machine lacks the X libraries that the virtual environment's Qt
needs (and so ``make run`` fails), its runs get the ones fetched for the
bundle through ``LD_LIBRARY_PATH``, and the report says so.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app import APP_NAME
from benchmarks.report import Table, machine_info, median, verdict
from bundle import libraries, xlibs, xvfb
from bundle.bare import bare_env
from bundle.xwatch import WindowWatch

ROOT = Path(__file__).resolve().parent.parent
#: The bundle may take this much longer than the virtual environment to paint its window.
TARGET_EXTRA_SECONDS = 0.25
TIMEOUT = 30.0
POLL_SECONDS = 0.002


@dataclass
class Program:
    """One way to start the window, and what its starts measured."""

    label: str
    executable: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    mapped: list[float] = field(default_factory=list)
    painted: list[float] = field(default_factory=list)
    version: list[float] = field(default_factory=list)


def time_window(program: Program, display: str, home: Path) -> tuple[float, float]:
    """Seconds from spawn to the window mapped and to it painted; then SIGTERM, exit 0."""
    watch = WindowWatch(display)
    env = bare_env(home, DISPLAY=display, **program.extra_env)
    argv = [str(program.executable), "--config-dir", str(home / "config"), "--demo"]
    started = time.monotonic()
    process = subprocess.Popen(argv, env=env, cwd=home, stderr=subprocess.DEVNULL)
    try:
        window = None
        mapped = painted = 0.0
        while not painted:
            if time.monotonic() - started > TIMEOUT:
                raise RuntimeError(f"{program.label}: no painted window in {TIMEOUT:g} s")
            if process.poll() is not None:
                raise RuntimeError(f"{program.label}: exited {process.returncode} before painting")
            if window is None:
                window = watch.mapped_window()
                if window is not None:
                    mapped = time.monotonic() - started
            if window is not None and watch.is_painted(window):
                painted = time.monotonic() - started
            else:
                time.sleep(POLL_SECONDS)
        process.send_signal(signal.SIGTERM)
        if process.wait(TIMEOUT) != 0:
            raise RuntimeError(f"{program.label}: exit status {process.returncode} on SIGTERM")
    finally:
        watch.close()
        if process.poll() is None:
            process.kill()
            process.wait()
    return mapped, painted


def time_version(program: Program, home: Path) -> float:
    started = time.monotonic()
    subprocess.run(
        [str(program.executable), "--version"],
        env=bare_env(home, **program.extra_env),
        cwd=home,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - started


def venv_program() -> tuple[Program, str]:
    """The venv's program, lent the bundle's X libraries where the system lacks them."""
    executable = ROOT / ".venv" / "bin" / APP_NAME
    import PyQt5

    plugin = Path(PyQt5.__file__).parent / "Qt5" / "plugins" / "platforms" / "libqxcb.so"
    missing = [k for k, v in libraries.resolve(plugin, plugin.parent).items() if v == "not found"]
    if not missing:
        return Program("virtual environment", executable), ""
    lent = xlibs.library_dir(ROOT / "build" / "xlibs")
    note = (
        f"This machine lacks {', '.join(sorted(missing))}, so `make run` fails here; the virtual "
        f"environment's runs were lent the bundle's copies with LD_LIBRARY_PATH={lent}."
    )
    return Program("virtual environment", executable, {"LD_LIBRARY_PATH": str(lent)}), note


def measure(programs: Sequence[Program], runs: int, work: Path) -> None:
    with xvfb.xvfb() as display:
        for number in range(runs + 1):  # run 0 warms the page cache and is not counted
            for program in programs:
                home = work / f"{program.executable.parent.name}-{number}"
                home.mkdir()
                mapped, painted = time_window(program, display, home)
                version = time_version(program, home)
                if number:
                    program.mapped.append(mapped)
                    program.painted.append(painted)
                    program.version.append(version)


def report(programs: Sequence[Program], runs: int, note: str) -> Table:
    venv, bundle = programs
    table = Table(
        f"Start-up on Xvfb, {runs} runs each, taking turns: seconds from spawn",
        ["Program", "Milestone", "Median s", "Min s", "Max s"],
    )
    for program in programs:
        for label, values in (
            ("`--version`", program.version),
            ("window mapped", program.mapped),
            ("window painted", program.painted),
        ):
            table.rows.append([program.label, label, median(values), min(values), max(values)])
    extra = median(bundle.painted) - median(venv.painted)
    table.notes.append(
        f"The bundle paints its window {extra:+.3f} s after the virtual environment "
        f"(medians; target at most +{TARGET_EXTRA_SECONDS} s: "
        f"{verdict(extra <= TARGET_EXTRA_SECONDS)})."
    )
    table.notes.append(
        "Painted: the window's top 480×64 pixels, read from the X server, show at least "
        "8 colours (menu bar and toolbar drawn). Both run with PATH=/usr/bin:/bin and a "
        "fresh config folder (a first start, with the demo servers), and end by SIGTERM "
        "with status 0."
    )
    if note:
        table.notes.append(note)
    return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bundle.startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=10, metavar="N", help="starts of each")
    options = parser.parse_args(argv)
    bundle = Program("bundle", ROOT / "dist" / APP_NAME / APP_NAME)
    if not bundle.executable.is_file():
        parser.error(f"no bundle at {bundle.executable}: run `make bundle` first")
    if not xvfb.available():
        parser.error("needs Xvfb (Debian: apt-get install xvfb)")
    venv, note = venv_program()
    header = [line for line in machine_info().splitlines() if not line.startswith("- Command")]
    command = f"- Command: `python -m bundle.startup --runs {options.runs}`"
    print("\n".join([*header[2:], command]) + "\n")
    with tempfile.TemporaryDirectory(prefix="bundle-startup-") as work:
        measure([venv, bundle], options.runs, Path(work))
    print(report([venv, bundle], options.runs, note).markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
