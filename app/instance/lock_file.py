"""Where a settings directory's lock lives, and opening it.

The lock is ``instance.lock`` in the settings directory. Settings on a
read-only disk, or in a directory this user may not write, cannot hold a
new file; yet two windows on them are still two windows, each told other
servers by later launches. So when the lock file can be neither made nor
opened there, it is ``instance-<hash>.lock`` in the program's state
directory, keyed by the settings directory as the socket is
(:mod:`app.instance.socket_path`). ``flock`` needs no write permission, so a
lock file left in a directory that became read-only is still used.

Every launch on the same settings makes the same choice, as long as the
directory stays as writable as it was: one that becomes writable while its
window is open can get a second window.

A lock file that is not this user's is never used: another user who could
make it first in a shared directory could otherwise hold it and shut us out.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from app import places
from app.instance.socket_path import directory_key

LOCK_NAME = "instance.lock"
# Never through a link, never into a child, and never waiting (a pipe put in its place).
_FLAGS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)


@dataclass(frozen=True)
class LockFile:
    """An open lock file: ``fd`` to lock, ``path`` for the log, and whether the pid can go in it."""

    fd: int
    path: str
    writable: bool


def open_lock_file(config_dir: Path) -> LockFile:
    """Open ``config_dir``'s lock file, in it or else in the state directory.

    ``config_dir`` must exist. Raises the ``OSError`` met in the settings
    directory when neither place will do.
    """
    path = os.path.join(config_dir, LOCK_NAME)
    try:
        return _open(path, os.O_RDWR | os.O_CREAT)
    except OSError as e:
        problem = e
    with contextlib.suppress(OSError):
        return _open(path, os.O_RDONLY)  # left there while the directory was writable
    elsewhere = os.path.join(places.state_dir(), f"instance-{directory_key(config_dir)}.lock")
    try:
        os.makedirs(os.path.dirname(elsewhere), 0o700, exist_ok=True)
        return _open(elsewhere, os.O_RDWR | os.O_CREAT)
    except OSError:
        raise problem from None


def _open(path: str, flags: int) -> LockFile:
    fd = os.open(path, flags | _FLAGS, 0o600)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            raise PermissionError(f"{path} is not a file of this user's")  # untranslated: log
    except BaseException:
        os.close(fd)
        raise
    return LockFile(fd, path, bool(flags & os.O_RDWR))
