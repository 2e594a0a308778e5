"""Where a settings directory's window listens for later launches, and who is on the other end.

The socket's name is tied to the settings directory, so two windows on two
directories never meet, and two launches on one directory always do: the
hash in its name is the first 16 hex digits of the SHA-256 of the
directory's resolved absolute path. It lives in the first of these places
that is a directory of this user's that others cannot write into:

1. ``$XDG_RUNTIME_DIR/poetry-downloader-<hash>.sock``, the place made for
   exactly this (a directory of our own, mode 0700, emptied at log-out);
2. ``instance.sock`` in the settings directory itself, if we can write there;
3. ``instance-<hash>.sock`` in the program's state directory (read-only
   settings still get a window that later launches reach).

None of these can be made or filled by another user first, as a directory
in the shared temporary directory could: any local user could make
``$TMPDIR/poetry-downloader-<uid>`` before us, and shut us out. (A directory
its group may write is taken: most systems give each user a group of their
own.)

A socket's path must fit in ``sun_path`` (107 bytes on Linux, 103 on the
BSDs and macOS), and a settings directory can be deeper than that. A deeper
place is reached through a descriptor of the directory, held open for the
life of the process: ``/proc/self/fd/N/instance.sock`` names the same file
in the same directory, and is short whatever the directory's depth. Two
other ways were passed over: a relative path after ``chdir`` changes the
whole process's directory while the window's threads run; and Linux's
abstract names, which need no directory, are listed to every user in
``/proc/net/unix``, so another user could take ours the moment our window
goes. Without ``/proc`` a place too deep is skipped.

Anything at the place that is not this user's (a file another user put in
a group-writable settings directory, say) makes both ends skip to the next
place, so it never blocks a launch. What this user left there is cleared or
named by :mod:`app.instance.in_the_way`.

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
from pathlib import Path

from app import APP_NAME, places, platform
from app.places import runtime_dir

#: The longest socket path, in bytes, ``sun_path``'s size less its NUL.
MAX_SOCKET_PATH = 107 if sys.platform.startswith("linux") else 103
SOCKET_NAME = "instance.sock"
#: Where a process's open descriptors are, each a link to what it has open.
DESCRIPTORS = "/proc/self/fd"

#: Directories held open to spell deep socket paths short: path -> descriptor.
_held: dict[str, int] = {}


def directory_key(config_dir: Path) -> str:
    """A short name for the settings directory, the same for every spelling of its path."""
    resolved = os.path.realpath(config_dir)
    return hashlib.sha256(os.fsencode(resolved)).hexdigest()[:16]


def socket_path(config_dir: Path) -> str | None:
    """Where the window on ``config_dir`` listens, or ``None`` if no place is private and short.

    ``config_dir`` should exist, so that its path resolves the same way in
    every process. The path may be spelled through ``/proc/self/fd``: use
    :func:`shown` to name it to a person.
    """
    key = directory_key(config_dir)
    settings = os.path.realpath(config_dir)
    # (directory, file name, whether others must not even read the directory,
    # whether to make it). The settings and state directories are often
    # readable by others: there the socket's own mode 0600 and the peer check
    # keep them out.
    candidates = [
        (str(runtime_dir() or ""), f"{APP_NAME}-{key}.sock", True, False),
        (settings if os.access(settings, os.W_OK | os.X_OK) else "", SOCKET_NAME, False, False),
        (str(places.state_dir()), f"instance-{key}.sock", False, True),
    ]
    for directory, name, closed, make in candidates:
        if not os.path.isabs(directory):
            continue
        if make:
            with contextlib.suppress(OSError):
                os.makedirs(directory, 0o700, exist_ok=True)
        if not _ours(directory, closed):
            continue
        path = _spelled(directory, name)
        if path is not None and not _taken_by_another_user(path):
            return path
    return None


def shown(path: str) -> str:
    """``path`` as a person knows it: ``/proc/self/fd/N/…`` gives the directory's own path."""
    for directory, fd in _held.items():
        prefix = f"{DESCRIPTORS}/{fd}/"
        if path.startswith(prefix):
            return os.path.join(directory, path[len(prefix) :])
    return path


def _ours(directory: str, closed: bool) -> bool:
    """Whether ``directory`` is a directory of this user's that no one else can write.

    If ``closed``, no one else may even look in it. Where files have no
    owner to compare (Windows), none is.
    """
    try:
        info = os.lstat(directory)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != platform.user_id():
        return False
    return info.st_mode & (0o077 if closed else 0o002) == 0


def _spelled(directory: str, name: str) -> str | None:
    """The path of ``name`` in ``directory``, short enough for a socket, or ``None``."""
    path = os.path.join(directory, name)
    if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
        return path
    fd = _held_open(directory)
    if fd is None:
        return None
    short = f"{DESCRIPTORS}/{fd}/{name}"
    return short if len(os.fsencode(short)) <= MAX_SOCKET_PATH else None


def _held_open(directory: str) -> int | None:
    """A descriptor of ``directory``, opened once and kept, or ``None`` where that cannot serve.

    Kept for the life of the process: the window's socket is removed through
    the same path when it stops listening.
    """
    try:
        now = os.lstat(directory)
        fd = _held.get(directory)
        if fd is not None:
            held = os.fstat(fd)
            if (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
                return fd
            # The directory was replaced since: follow the new one.
            del _held[directory]
            os.close(fd)
        if not os.path.isdir(DESCRIPTORS):
            return None
        flags = os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC | getattr(os, "O_PATH", os.O_RDONLY)
        fd = os.open(directory, flags)
    except OSError:
        return None
    opened = os.fstat(fd)
    if (opened.st_dev, opened.st_ino) != (now.st_dev, now.st_ino):
        os.close(fd)  # changed between the look and the open: not the directory checked
        return None
    _held[directory] = fd
    return fd


def _taken_by_another_user(path: str) -> bool:
    """Whether something not this user's stands at ``path`` (then the place is skipped)."""
    try:
        return os.lstat(path).st_uid != platform.user_id()
    except OSError:
        return False


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
    is left alone here (:mod:`app.instance.in_the_way` deals with it).
    """
    try:
        if stat.S_ISSOCK(os.lstat(path).st_mode):
            os.unlink(path)
    except FileNotFoundError:
        pass
