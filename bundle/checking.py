"""What every check of the bundle is given, what it may raise, and the runs several share.

A check (:mod:`bundle.check`, :mod:`bundle.oldest`) takes the :class:`Bundle`
and returns what it found, as a sentence, or raises :class:`Failed` or
:class:`Skipped`. :func:`demo` is the first start of the window that the
checks on this machine and in the Debian 11 userland both make.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app import APP_NAME
from bundle.build import archive_name
from bundle.xwatch import WindowWatch

#: A first start must have a demo download done within this, and quit within QUIT_SECONDS.
DEMO_SECONDS = 30.0
QUIT_SECONDS = 5.0


class Failed(Exception):
    """A check's finding, said as a sentence."""


class Skipped(Exception):
    """The check cannot run here (the reason)."""


@dataclass
class Bundle:
    folder: Path
    work: Path

    @property
    def executable(self) -> Path:
        return self.folder / APP_NAME

    @property
    def data(self) -> Path:
        return self.folder / "_internal" / "app" / "data"

    @property
    def archive(self) -> Path:
        return self.folder.parent / archive_name()

    def home(self, name: str) -> Path:
        home = self.work / name
        home.mkdir()
        return home


def run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 60) -> str:
    """``argv``'s output; :class:`Failed` with its complaint if it exits other than 0."""
    result = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise Failed(f"{' '.join(argv)} exited {result.returncode}: {result.stderr[-800:]}")
    return result.stdout


def log_of(home: Path) -> Path:
    """The program's log, with ``home`` as ``$HOME`` (and ``~/.local/state`` as its state)."""
    return home / ".local" / "state" / APP_NAME / f"{APP_NAME}.log"


def demo(
    argv: list[str],
    env: dict[str, str],
    home: Path,
    config: Path,
    enter: Callable[[], None] | None = None,
    watch: WindowWatch | None = None,
) -> str:
    """Start the window (``argv``: ``--demo``), wait for a finished download, SIGTERM, expect 0.

    ``home`` and ``config`` are the home and settings folders as this
    machine sees them, ``enter`` the child's ``preexec_fn``. With ``watch``,
    the window must also be mapped and painted on its X server by then.
    """
    log = log_of(home)
    started = time.monotonic()
    window = subprocess.Popen(
        argv,
        env=env,
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=enter,
    )
    mapped: int | None = None
    shown = ""
    try:
        while True:
            if window.poll() is not None:
                raise Failed(f"exited {window.returncode}: {window.communicate()[0][-800:]}")
            if watch is not None and mapped is None:
                mapped = watch.mapped_window()
            if watch is not None and mapped is not None and not shown and watch.is_painted(mapped):
                shown = f"window mapped and painted {time.monotonic() - started:.1f} s, "
            done = log.is_file() and re.search(r": done, ", log.read_text(encoding="utf-8"))
            if done and (watch is None or shown):
                break
            if time.monotonic() - started > DEMO_SECONDS:
                missing = "no demo download done" if not done else "no painted window"
                raise Failed(f"{missing} in {DEMO_SECONDS:g} s")
            time.sleep(0.05)
        done_after = time.monotonic() - started
        window.send_signal(signal.SIGTERM)
        output = window.communicate(timeout=QUIT_SECONDS)[0]
    finally:
        if window.poll() is None:
            window.kill()
            window.wait()
    if window.returncode != 0:
        raise Failed(f"SIGTERM: exit {window.returncode}: {output[-800:]}")
    if "qt.qpa" in output or "Traceback" in output:
        raise Failed(f"complained: {output[-800:]}")
    if not (config / "settings.json").is_file():
        raise Failed("quit without saving settings.json")
    return f"{shown}first poem done {done_after:.1f} s after start; SIGTERM: exit 0, settings saved"
