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

The lock is ``flock``, which the kernel drops however the process ends.
Windows has no ``flock``: there it is ``msvcrt.locking`` on one byte far
past the pid, which Windows also drops with the process (its locks are
mandatory: a lock over the pid would stop a later launch from reading it).
The pid is written and read at offset 0, with ``os.pwrite``/``os.pread``
where they exist and a seek first where they do not (:mod:`app.platform`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from app import places, platform
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
        uid = platform.user_id()
        if not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid):
            raise PermissionError(f"{path} is not a file of this user's")  # untranslated: log
    except BaseException:
        os.close(fd)
        raise
    return LockFile(fd, path, bool(flags & os.O_RDWR))


#: Where the Windows lock's byte is: past any pid, which stays readable.
_WINDOWS_LOCK_OFFSET = 1 << 20
#: The most of the file read for the pid.
_PID_BYTES = 20


def try_lock(lock: LockFile) -> bool:
    """Take the lock if it is free and write our pid in the file; ``False`` if another holds it.

    Raises ``OSError`` where the file system has no locks.
    """
    if not _lock(lock.fd):
        return False
    if lock.writable:
        os.ftruncate(lock.fd, 0)
        _write_at_start(lock.fd, f"{os.getpid()}\n".encode("ascii"))
    return True


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> bool:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except PermissionError:  # another process holds that byte
            return False
        return True

else:
    import fcntl

    def _lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def holder_pid(lock: LockFile) -> str:
    """The pid the lock's holder wrote in the file, or "" if there is none to read.

    A lock file this process may not write, the holder could not write either:
    a pid in it is an earlier holder's.
    """
    if not lock.writable:
        return ""
    try:
        text = _read_at_start(lock.fd).decode("ascii", "replace").strip()
    except OSError:  # not a file one can read at an offset: a pipe in its place, say
        return ""
    return text if text.isdigit() else ""


def _write_at_start(fd: int, data: bytes) -> None:
    if platform.positional_io():
        os.pwrite(fd, data, 0)
    else:
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)


def _read_at_start(fd: int) -> bytes:
    if platform.positional_io():
        return os.pread(fd, _PID_BYTES, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, _PID_BYTES)
