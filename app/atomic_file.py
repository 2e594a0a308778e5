"""Replace a file so that a reader, or a crash, sees the old content or the new, never half.

The data goes to a temporary file in the same directory, is fsynced, then
renamed over the target; the directory is fsynced too, because the rename
is durable only once the directory entry is.

A writer killed before its rename leaves its temporary file behind. So that
these do not pile up, each writer holds an exclusive ``flock`` on its
temporary file until after the rename, and every write first removes the
target's temporary files that nobody holds: the kernel drops a dead
process's locks, so those are litter, while a file being written by another
process at the same moment is never taken. (Where there is no ``flock``,
on Windows, the litter stays.)
"""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import tempfile
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows, where an open file cannot be renamed either
    fcntl = None  # type: ignore[assignment]


def write_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically; ``mode`` sets the permissions (default 0600).

    Creates the parent directories. Raises ``OSError``; no temporary file of
    this call is left behind either way, and those of killed writers are
    removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_temp_files(path)
    fd, temp_name = _new_temp_file(path)
    try:
        with os.fdopen(fd, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
            if mode is not None:
                os.chmod(temp_name, mode)
            if fcntl is not None:
                os.replace(temp_name, path)  # still locked, so no clean-up takes it first
        if fcntl is None:
            os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _new_temp_file(path: Path) -> tuple[int, str]:
    """A new temporary file next to ``path``, locked where locks exist: (descriptor, name)."""
    while True:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        if fcntl is None:
            return fd, name
        fcntl.flock(fd, fcntl.LOCK_EX)
        # Another writer's clean-up may have locked and removed it between the two calls.
        if os.fstat(fd).st_nlink > 0:
            return fd, name
        os.close(fd)


def _remove_abandoned_temp_files(path: Path) -> None:
    """Remove the temporary files of ``path`` that no living writer holds locked."""
    if fcntl is None:
        return
    for temp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            # Not through a symbolic link, and a pipe of that name cannot block the open.
            fd = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue  # renamed by its writer meanwhile, or not a file of ours
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its writer lives
                temp.unlink()
        except OSError:
            pass
        finally:
            os.close(fd)


def _fsync_directory(directory: Path) -> None:
    # Not every OS can open or fsync a directory; the rename itself has happened.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.fsync(fd)
    os.close(fd)
