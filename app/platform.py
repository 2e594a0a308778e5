"""Which kind of system this is, asked in one place, so the tests can ask for another.

Most of the program runs anywhere Python, Twisted and Qt run; a few things
are the system's own: the open-file limit (``resource``, POSIX only, and
macOS's own ceiling), the single window's transport (a UNIX socket whose
peer the kernel names, ``SO_PEERCRED``, Linux only), reading a file at an
offset (``os.pread``, not on Windows), the user id (not on Windows), the
desktop's application menu (freedesktop.org desktops) and a display server
to reach before Qt starts (X or Wayland). Each of those asks here, and goes
its portable way when the answer is no.

Windows and macOS are not tested here; their ways are. The environment
variable :data:`FORCE_VARIABLE` (``windows``, ``macos`` or ``linux``) makes
every answer that of that system, on whatever system the program runs, and
the test suite sets it to run those ways on Linux. It takes away what the
system named lacks (``resource``, ``pread``, the user id, ``SO_PEERCRED``);
it cannot give what this system lacks, and ``fcntl``'s locks stay (Windows'
own locks are :mod:`app.instance.lock_file`'s to take there). A person
never needs it. Each answer reads the environment when asked, so a test or
a child process that sets it is followed.
"""

from __future__ import annotations

import os
import socket
import sys
from types import ModuleType
from typing import Literal

#: Set to ``windows``, ``macos`` or ``linux`` to be answered as that system is.
FORCE_VARIABLE = "POETRY_DOWNLOADER_PLATFORM"

System = Literal["linux", "macos", "windows", "unix"]
#: The systems :data:`FORCE_VARIABLE` may name.
FORCEABLE: tuple[System, ...] = ("linux", "macos", "windows")

#: Where Qt draws through a display server it must reach, and the desktop
#: follows freedesktop.org: Linux and the other Unix systems but macOS.
_FREEDESKTOP: tuple[System, ...] = ("linux", "unix")


def system() -> System:
    """``linux``, ``macos``, ``windows``, or ``unix`` for the others (the BSDs, illumos)."""
    forced = os.environ.get(FORCE_VARIABLE, "").strip().lower()
    for name in FORCEABLE:
        if forced == name:
            return name
    if sys.platform.startswith("linux"):
        return "linux"
    if sys.platform == "darwin":
        return "macos"
    if sys.platform == "win32":
        return "windows"
    return "unix"


def freedesktop() -> bool:
    """Whether the desktop has a freedesktop.org application menu and an X or Wayland display."""
    return system() in _FREEDESKTOP


def resource_limits() -> ModuleType | None:
    """The ``resource`` module, to read and set limits, or ``None`` where there is none."""
    if system() == "windows":
        return None
    try:
        import resource
    except ImportError:
        return None
    return resource


def user_id() -> int | None:
    """This process's user id, or ``None`` where files have no owner one can compare it to."""
    getuid = getattr(os, "getuid", None)
    if system() == "windows" or getuid is None:
        return None
    return int(getuid())


def positional_io() -> bool:
    """Whether ``os.pread`` and ``os.pwrite`` exist here (not on Windows)."""
    return system() != "windows" and hasattr(os, "pread") and hasattr(os, "pwrite")


def unix_socket_peer_check() -> bool:
    """Whether a UNIX socket can be asked who is at its other end (``SO_PEERCRED``: Linux)."""
    return (
        system() == "linux"
        and hasattr(socket, "AF_UNIX")
        and hasattr(socket, "SO_PEERCRED")
        and user_id() is not None
    )
