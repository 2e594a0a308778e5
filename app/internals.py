"""Every use this program makes of another package's private or undocumented parts.

These things the program needs have no public way in Twisted or qt5reactor:
reading in bigger pieces from a fast server, running host name lookups on
threads that quitting does not wait for, watching sockets with a lighter
notifier than qt5reactor's (or on one epoll fd, which needs Twisted's
``removeAll`` helper), and letting an ended connection's objects go without
waiting for a full garbage collection. Each is one small function or mixin
here, whose docstring names what it relies on and why. Nowhere else in
``app`` touches another package's underscore names or undocumented
attributes, but for one use of the standard library's: argparse's own words
(``usage:``, its errors) in the program's language, routed by
:func:`app.i18n.argparse_words.route_argparse_words`, which must import
without Twisted (the start-up check runs on a bare system's Python).

``tests/test_internals.py`` checks each of them against the installed
versions, so an upgrade that moves one fails there, by name, rather than as
a stalled download or a hung quit; ``pyproject.toml`` bounds the versions
they were written for.

Nothing here imports Qt: the core (:mod:`app.net.client`) imports this module,
and qt5reactor imports Qt. What touches qt5reactor is a mixin that its
subclass lists before ``QtReactor``, and a function taking the reactor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeAlias

from twisted.internet import tcp
from twisted.internet._resolver import GAIResolver
from twisted.internet.base import BaseConnector
from twisted.internet.interfaces import (
    IConnector,
    IHostnameResolver,
    IReactorThreads,
    IReadDescriptor,
    ITransport,
    IWriteDescriptor,
)
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

if TYPE_CHECKING:
    from twisted.internet.posixbase import PosixReactorBase

#: What a reactor watches: zope interfaces have no ``|`` at run time, hence the quotes.
Descriptor: TypeAlias = "IReadDescriptor | IWriteDescriptor"  # untranslated: a type


def read_size(transport: ITransport | None) -> int | None:
    """The most bytes one read takes from ``transport``'s socket; ``None`` if not a TCP one.

    Relies on ``bufferSize``, an attribute of ``twisted.internet.tcp.Connection``
    (64 KiB, from ``abstract.FileDescriptor``) that its ``doRead`` passes to
    ``recv()`` on every read. No interface has it, and no public call sets
    how much one read takes; with 64 KiB a fast 64 MiB download costs a
    thousand reads and reactor iterations, each a Qt loop pass.
    """
    if isinstance(transport, tcp.Connection):
        return transport.bufferSize
    return None


def set_read_size(transport: ITransport | None, size: int) -> None:
    """Make each later read of ``transport`` take up to ``size`` bytes (see :func:`read_size`).

    Does nothing to a transport that is not a TCP connection. The same
    attribute is also the write buffer's pause mark for a producer on that
    connection, which a poetry client, writing nothing, does not have.
    """
    if isinstance(transport, tcp.Connection):
        transport.bufferSize = size


def forget_ended_transport(connector: IConnector) -> None:
    """Let go of the ended connection ``connector`` made (call it from
    ``clientConnectionLost``), so neither keeps the other alive.

    Relies on ``twisted.internet.base.BaseConnector.transport``, which no
    interface names: ``connect()`` sets it to the new ``tcp.Client``, whose
    ``connector`` attribute points back, and only a failed connect clears it
    again. After an ended connection the two are a reference cycle holding
    the factory and everything it holds, which only a full (generation 2)
    garbage collection frees: with 10,000 downloads, tens of thousands of
    objects and collections of hundreds of milliseconds. Setting it to
    ``None`` is what ``connectionFailed`` does; a later ``connect()`` sets it
    anew. A connector of another kind is left alone.
    """
    if isinstance(connector, BaseConnector) and connector.state == "disconnected":
        connector.transport = None


def threaded_name_resolver(
    reactor: IReactorThreads, thread_pool: Callable[[], ThreadPool]
) -> IHostnameResolver:
    """Twisted's own ``getaddrinfo`` resolver, blocking threads of ``thread_pool()``.

    Relies on ``twisted.internet._resolver.GAIResolver(reactor, getThreadPool)``,
    the resolver every reactor installs by default, which lives in a private
    module. Its ``getThreadPool`` argument is the only way to choose the
    threads a lookup blocks; writing our own resolver would repeat its
    address-family and socket-type handling for that one argument.
    """
    return GAIResolver(reactor, thread_pool)


class DescriptorNotifier(Protocol):
    """What :class:`NotifierPerDescriptor` keeps for each watched descriptor."""

    def shutdown(self) -> None:
        """The descriptor is no longer watched: stop notifying, let go of it."""


class NotifierPerDescriptor:
    """Mixin for a subclass of qt5reactor's ``QtReactor``, listed before it in the bases:
    each watched descriptor gets the object :meth:`notifier_for` makes.

    Relies on ``qt5reactor.QtReactor`` 0.6: ``addReader`` and ``addWriter``
    call ``self._add(descriptor, self._reads or self._writes,
    QSocketNotifier.Read or .Write)``, whose job is to store a notifier for
    the descriptor in that dict unless one is there; ``removeReader`` and
    ``removeWriter`` call ``self._remove``, which pops the stored object and
    calls its ``shutdown()``; everything else only reads the dicts' keys.
    qt5reactor offers no hook for its notifier class (a ``QObject`` that runs
    a whole reactor iteration after every read), so ``_add`` is overridden.
    """

    def _add(
        self, descriptor: Descriptor, watched: dict[Descriptor, DescriptorNotifier], kind: int
    ) -> None:
        if descriptor not in watched:
            watched[descriptor] = self.notifier_for(descriptor, kind)

    def notifier_for(self, descriptor: Descriptor, kind: int) -> DescriptorNotifier:
        """A notifier watching ``descriptor`` for ``kind``, qt5reactor's
        ``QSocketNotifier.Read`` or ``QSocketNotifier.Write``."""
        raise NotImplementedError


def disconnect_selectable(
    reactor: PosixReactorBase,
    selectable: Descriptor,
    why: BaseException | Failure,
    is_read: bool,
) -> None:
    """End ``selectable``'s connection because its ``doRead`` (``is_read``) or ``doWrite``
    returned or raised ``why``.

    Relies on ``PosixReactorBase._disconnectSelectable(selectable, why,
    isRead)``, what every Twisted reactor and qt5reactor's own notifier call
    after a read or write: it stops watching the descriptor and tells it of
    the lost connection, or only of the lost reading half when the peer shut
    down its side of a half-closeable connection. Twisted has no public way
    to do this, and doing it by hand would lose the half-close case.
    """
    reactor._disconnectSelectable(selectable, why, is_read)  # type: ignore[no-untyped-call]


def remove_all_but_internal(
    reactor: PosixReactorBase, readers: list[Descriptor], writers: list[Descriptor]
) -> list[Descriptor]:
    """Stop watching every one of ``readers`` and ``writers`` except the reactor's own
    (its waker); return those it stopped watching: ``IReactorFDSet.removeAll``.

    Relies on ``PosixReactorBase._removeAll(readers, writers)``, which Twisted
    documents as "meant for calling from subclasses, to implement removeAll"
    and which every one of its reactors and qt5reactor call: it alone knows
    the reactor's internal readers (``_internalReaders``), which must stay
    watched so that threads can still wake the reactor during shutdown.
    """
    removed: list[Descriptor] = reactor._removeAll(readers, writers)  # type: ignore[no-untyped-call]
    return removed
