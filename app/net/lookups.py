"""Host name lookups that never hold up quitting.

Twisted resolves names with ``getaddrinfo`` on the reactor's thread pool,
and stopping the reactor joins that pool: one lookup stuck on a dead DNS
server keeps the process alive for as long as the lookup takes. The window
promises to quit within 2 s, so lookups run on a pool of daemon threads
that is simply abandoned at exit; a late answer has nobody left to tell.
"""

from __future__ import annotations

import threading

from twisted.internet.interfaces import IReactorPluggableNameResolver, IReactorThreads
from twisted.python.threadpool import ThreadPool

from app import APP_NAME
from app.internals import threaded_name_resolver

MAX_LOOKUPS = 10


class _DaemonThread(threading.Thread):
    """A thread the interpreter does not wait for at exit."""

    def start(self) -> None:
        # Here rather than in __init__, so whatever arguments the pool passes
        # go to Thread untouched.
        self.daemon = True
        super().start()


class _AbandonablePool(ThreadPool):
    threadFactory = _DaemonThread


def install_abandonable_resolver(reactor: IReactorThreads) -> ThreadPool:
    """Make ``reactor`` resolve host names on daemon threads it never waits for."""
    pool = _AbandonablePool(0, MAX_LOOKUPS, f"{APP_NAME} lookups")
    pool.start()
    resolver = threaded_name_resolver(reactor, lambda: pool)
    IReactorPluggableNameResolver(reactor).installNameResolver(resolver)
    return pool
