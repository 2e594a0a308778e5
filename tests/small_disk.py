"""A small tmpfs for the tests that need a full disk or a read-only one: mounted as root only.

A test that cannot mount one (not root, or no mount here) is skipped with
the reason, never passed.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


@contextlib.contextmanager
def small_tmpfs(directory: Path, *, mode: str | None = None) -> Iterator[Path]:
    """``directory`` (made if missing) as a fresh 64 KiB tmpfs for the block, then unmounted.

    ``mode`` is the tmpfs root's permissions (tmpfs's own 1777 unless given).
    """
    if os.geteuid() != 0:
        pytest.skip("mounting a 64 KiB tmpfs needs root")
    directory.mkdir(parents=True, exist_ok=True)
    options = "size=64k" if mode is None else f"size=64k,mode={mode}"
    mounted = _run("mount", "-t", "tmpfs", "-o", options, "tmpfs", str(directory))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip() or mounted.returncode}")
    try:
        yield directory
    finally:
        if _run("umount", str(directory)).returncode != 0:
            _run("umount", "-l", str(directory))


def remount_read_only(directory: Path) -> None:
    """Make the tmpfs at ``directory`` read-only, or skip saying why not."""
    remounted = _run("mount", "-o", "remount,ro", str(directory))
    if remounted.returncode != 0:
        pytest.skip(f"root ignores permissions, and no read-only mount: {remounted.stderr}")
