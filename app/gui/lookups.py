"""Host name lookups that never hold up quitting.

Twisted resolves names with ``getaddrinfo`` on the reactor's thread pool,
and stopping the reactor joins that pool: one lookup stuck on a dead DNS
server keeps the process alive for as long as the lookup takes. The window
promises to quit within 2 s, so lookups run on a pool of daemon threads
that is simply abandoned at exit; a late answer has nobody left to tell.
"""

from __future__ import annotations

import threading

from twisted.internet._resolver import GAIResolver
from twisted.internet.interfaces import IReactorPluggableNameResolver, IReactorThreads
from twisted.python.threadpool import ThreadPool

from app import APP_NAME

MAX_LOOKUPS = 10


class _DaemonThread(threading.Thread):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.daemon = True


class _AbandonablePool(ThreadPool):
    threadFactory = _DaemonThread


def install_abandonable_resolver(reactor: IReactorThreads) -> ThreadPool:
    """Make ``reactor`` resolve host names on daemon threads it never waits for."""
    pool = _AbandonablePool(0, MAX_LOOKUPS, f"{APP_NAME} lookups")
    pool.start()
    resolver_reactor: IReactorPluggableNameResolver = reactor  # type: ignore[assignment]
    resolver_reactor.installNameResolver(GAIResolver(reactor, lambda: pool))
    return pool
