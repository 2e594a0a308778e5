"""Settings that could not be saved as the program was told to quit, kept for the next start.

A signal (SIGTERM from a logout or a service manager, SIGINT) asks the
window to go at once, with no one there to answer a question. When the
settings cannot be written into the config directory then (a full disk,
a read-only one), they are written into the state directory
(``$XDG_STATE_HOME/poetry-downloader``, where the log is), as
``recovered-settings-<key>-<time>.json``: the same JSON as the settings
file, so any reader of settings can read it. ``<key>`` names the config
directory (the first 16 hex digits of the SHA-256 of its resolved path),
so the window on that directory, and only that one, finds it on its next
start and offers to restore it. The file stays until that question is
answered: ignoring it loses nothing.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from app import places
from app.atomic_file import write_atomically
from app.settings.store import Settings, read_settings_file, settings_bytes

PREFIX = "recovered-settings-"
SUFFIX = ".json"


def directory_key(config_dir: Path) -> str:
    """16 hex digits naming ``config_dir`` however it is spelled (relative, through links)."""
    try:
        resolved = os.fsencode(config_dir.resolve())
    except (OSError, RuntimeError, ValueError):  # a loop of links, a NUL: the name as given
        resolved = os.fsencode(os.path.abspath(config_dir))
    return hashlib.sha256(resolved).hexdigest()[:16]


def write_recovery(config_dir: Path, settings: Settings, state_dir: Path | None = None) -> Path:
    """Write ``settings`` as a recovery file for ``config_dir``; its path. Raises ``OSError``.

    Written atomically, readable by this user only; a second recovery in the
    same second gets ``-2``, ``-3``... rather than replace the first.
    """
    directory = state_dir if state_dir is not None else places.state_dir()
    stem = f"{PREFIX}{directory_key(config_dir)}-{time.strftime('%Y%m%d-%H%M%S')}"
    path = directory / f"{stem}{SUFFIX}"
    number = 1
    while os.path.lexists(path):
        number += 1
        path = directory / f"{stem}-{number}{SUFFIX}"
    write_atomically(path, settings_bytes(settings), mode=0o600)
    return path


def recovery_files(config_dir: Path, state_dir: Path | None = None) -> list[Path]:
    """The recovery files kept for ``config_dir``, oldest first. Never raises."""
    directory = state_dir if state_dir is not None else places.state_dir()
    pattern = f"{PREFIX}{directory_key(config_dir)}-*{SUFFIX}"  # no glob characters but *
    try:
        found = [path for path in directory.glob(pattern) if path.is_file()]
    except OSError:
        return []
    return sorted(found, key=_age)


def read_recovery(path: Path) -> Settings:
    """The settings in a recovery file. Raises ``OSError`` or ``ValueError`` (damaged)."""
    return read_settings_file(path)


def _age(path: Path) -> tuple[float, str]:
    try:
        return (path.stat().st_mtime, path.name)
    except OSError:
        return (0.0, path.name)
