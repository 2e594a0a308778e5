"""The open-file limit: room for as many sockets as the system allows this process.

Every download holds a socket, and a socket is an open file. Linux starts
most programs with a soft limit of 1,024 open files, though the hard limit
is usually far higher: the soft one stays low for old programs that keep
descriptors in a ``select()`` set, which cannot hold more. Neither reactor
this program runs on uses ``select()`` (Twisted's default on Linux is epoll,
the window's reactor goes through Qt's event dispatcher), so the window and
``poetry-get`` raise their soft limit to the hard limit at start-up, and
20,000 downloads at once need no ``ulimit -n`` first.

Only the soft limit: raising the hard one needs privileges a user program
should not ask for. Where the hard limit is smaller than the downloads a
person starts, connections beyond it fail with "Too many open files".

Two systems differ (:mod:`app.platform` says which this is). macOS starts
programs at 256 and refuses (``EINVAL``) a soft limit above ``OPEN_MAX``
whatever the hard one says, so there the target is ``min(OPEN_MAX, hard)``.
Windows has no ``resource`` module and no such limit to raise (its C
runtime's own, for ``open()``, does not count sockets): nothing is done,
and the log says so once.
"""

from __future__ import annotations

from twisted.logger import Logger

from app import platform

log = Logger(namespace="poetry.startup")

#: Where the hard limit is "unlimited" (as on some Linux systems), the soft
#: one cannot be: ask for this much, and keep what there is if the system refuses.
UNLIMITED_HARD_TARGET = 1_048_576
#: macOS's ``OPEN_MAX`` (``<sys/syslimits.h>``): its ceiling for a soft limit.
MACOS_OPEN_MAX = 10_240

_said_no_limits = False


def raise_open_file_limit() -> int | None:
    """Raise this process's soft ``RLIMIT_NOFILE`` to its hard limit; return the soft limit now.

    Never lowers the limit and never fails: where the system refuses the
    new limit, the old one stays in force (and is returned).
    ``resource.RLIM_INFINITY`` is returned as it is; ``None`` where the
    system has no such limit (Windows).
    """
    resource = platform.resource_limits()
    if resource is None:
        _say_no_limits()
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return int(soft)
    target = target_limit(hard, resource.RLIM_INFINITY)
    if soft >= target:
        return int(soft)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        return int(soft)
    return target


def target_limit(hard: int, infinity: int) -> int:
    """The soft limit to ask for under the hard limit ``hard`` (``infinity`` when unlimited)."""
    if hard == infinity:
        # Not a number to compare: Python spells it -1 on Linux, 2**63 - 1 on macOS.
        return MACOS_OPEN_MAX if platform.system() == "macos" else UNLIMITED_HARD_TARGET
    if platform.system() == "macos":
        return min(MACOS_OPEN_MAX, int(hard))
    return int(hard)


def _say_no_limits() -> None:
    global _said_no_limits
    if not _said_no_limits:
        _said_no_limits = True
        log.info("This system has no open-file limit to raise (no resource module)")
