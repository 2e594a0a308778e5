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
"""

from __future__ import annotations

import resource

#: Where the hard limit is "unlimited" (as on macOS), the soft one cannot be:
#: ask for this much, and keep what there is if the system refuses.
UNLIMITED_HARD_TARGET = 1_048_576


def raise_open_file_limit() -> int:
    """Raise this process's soft ``RLIMIT_NOFILE`` to its hard limit; return the soft limit now.

    Never lowers the limit and never fails: where the system refuses the
    new limit, the old one stays in force (and is returned).
    ``resource.RLIM_INFINITY`` is returned as it is.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return soft
    target = UNLIMITED_HARD_TARGET if hard == resource.RLIM_INFINITY else hard
    if soft >= target:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        return soft
    return target
