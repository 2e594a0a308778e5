"""Run a program as if this machine lacked some libraries, without touching the machine.

The bundle claims to need from the system only glibc, libGL, the X base and
the C++ runtime. A build machine has much more installed (other people
install X libraries on it too), so a plain run proves little. Here the
program runs in a private mount namespace where each hidden library file
has ``/dev/null`` bound over it: the loader finds the name but cannot load
it, exactly as if it were missing, and nobody outside the namespace sees a
change. It takes root (``CAP_SYS_ADMIN``); :func:`can_hide` says whether.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
from collections.abc import Callable, Iterable

_CLONE_NEWNS = 0x00020000
_MS_BIND = 1 << 12
_MS_REC = 1 << 14
_MS_PRIVATE = 1 << 18


def can_hide() -> bool:
    return os.geteuid() == 0


def system_copies(sonames: Iterable[str]) -> list[str]:
    """The files the system's loader cache gives for ``sonames`` (links followed)."""
    wanted = set(sonames)
    cache = subprocess.run(
        ["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=True
    ).stdout
    found = set()
    for line in cache.splitlines()[1:]:
        name, _, path = line.strip().partition(" => ")
        if name.split(" ", 1)[0] in wanted:
            found.add(os.path.realpath(path))
    return sorted(found)


def hiding(paths: Iterable[str]) -> Callable[[], None]:
    """A ``preexec_fn`` that moves the child into a new mount namespace without ``paths``.

    It uses libc directly: once the first library is hidden, no helper
    program that links it could run any more.
    """
    targets = [os.fsencode(p) for p in paths]

    def hide() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(_CLONE_NEWNS) != 0:
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
        # Private first, so the bind mounts below never propagate to the machine.
        if libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
            raise OSError(ctypes.get_errno(), "mount --make-rprivate /")
        for path in targets:
            if libc.mount(b"/dev/null", path, None, _MS_BIND, None) != 0:
                raise OSError(ctypes.get_errno(), f"mount --bind /dev/null {path!r}")

    return hide
