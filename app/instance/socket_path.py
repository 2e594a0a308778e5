"""Where a settings directory's window listens for later launches, and who is on the other end.

The socket's name is tied to the settings directory, so two windows on two
directories never meet, and two launches on one directory always do: it is
``poetry-downloader-<hash>.sock``, the hash being the first 16 hex digits of
the SHA-256 of the directory's resolved absolute path. It lives in the first
of these places that is private to this user and gives a path short enough
for a socket (``sun_path`` holds 107 bytes on Linux, 103 on the BSDs and
macOS):

1. ``$XDG_RUNTIME_DIR``, made for exactly this (a directory of our own, mode
   0700, emptied at log-out);
2. the settings directory itself, as ``instance.sock``;
3. ``poetry-downloader-<uid>`` in the temporary directory, made 0700.

The socket itself is mode 0600, and each end also asks the kernel who the
other is (``SO_PEERCRED``, where the system has it): only this user's
processes talk to each other.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import stat
import struct
import sys
import tempfile
from pathlib import Path

from app import APP_NAME
from app.places import runtime_dir, state_home

#: The longest socket path, in bytes, ``sun_path``'s size less its NUL.
MAX_SOCKET_PATH = 107 if sys.platform.startswith("linux") else 103
SOCKET_NAME = "instance.sock"


def directory_key(config_dir: Path) -> str:
    """A short name for the settings directory, the same for every spelling of its path."""
    resolved = os.path.realpath(config_dir)
    return hashlib.sha256(os.fsencode(resolved)).hexdigest()[:16]


def state_dir() -> str:
    """The program's state directory (its log's), where read-only settings keep their lock."""
    return os.path.join(state_home(), APP_NAME)


def socket_path(config_dir: Path) -> str | None:
    """Where the window on ``config_dir`` listens, or ``None`` if no place is private and short.

    ``config_dir`` should exist, so that its path resolves the same way in
    every process.
    """
    name = f"{APP_NAME}-{directory_key(config_dir)}.sock"
    runtime = str(runtime_dir() or "")
    private = os.path.join(tempfile.gettempdir(), f"{APP_NAME}-{os.getuid()}")
    # (directory, file name, whether others must be shut out of the directory).
    # The settings directory is often readable by others: there the socket's
    # own mode 0600 and the peer check keep them out. The others must be
    # closed, or someone else could put a socket of their own in our place.
    candidates = [
        (runtime, name, True),
        (os.path.realpath(config_dir), SOCKET_NAME, False),
        (private, name, True),
    ]
    for directory, file_name, closed in candidates:
        path = os.path.join(directory, file_name)
        if not os.path.isabs(directory) or len(os.fsencode(path)) > MAX_SOCKET_PATH:
            continue
        if directory == private:
            with contextlib.suppress(OSError):
                os.mkdir(directory, 0o700)
        if _ours(directory, closed):
            return path
    return None


def _ours(directory: str, closed: bool) -> bool:
    """Whether ``directory`` is a directory of this user's (and, if ``closed``, only theirs)."""
    try:
        info = os.lstat(directory)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return False
    return not closed or info.st_mode & 0o077 == 0


def peer_uid(sock: socket.socket) -> int | None:
    """The user id of the process at the other end of a UNIX socket, or ``None`` if unknown."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:  # not Linux: the socket's mode still keeps others out
        return None
    try:
        credentials = sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    except OSError:
        return None
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return int(uid)


def remove_stale_socket(path: str) -> None:
    """Remove a socket a killed window left at ``path``; call only while holding the lock.

    Whoever holds the settings directory's lock is the only window on it, so
    a socket already there is a dead window's. Anything that is not a socket
    is left alone (binding will then fail and say so).
    """
    try:
        if stat.S_ISSOCK(os.lstat(path).st_mode):
            os.unlink(path)
    except FileNotFoundError:
        pass
