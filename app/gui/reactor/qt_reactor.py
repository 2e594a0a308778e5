"""The event loop: qt5reactor's ``QtReactor``, handed one epoll fd and a bounded batch per pass.

qt5reactor wraps every watched socket in its own ``QSocketNotifier`` and
runs a full reactor iteration after each read or write. With thousands of
slow connections that goes wrong three ways: one Qt loop pass takes every
ready socket (thousands at once), so the window's timers and painting wait
behind all of them; glib polls every notifier on every pass; and
registering or removing a notifier costs more the more there are.

:class:`PoetryQtReactor` keeps qt5reactor's loop and timers and changes how
sockets are watched. They all go into one level-triggered epoll set
(:class:`app.gui.reactor.epoll_watch.EpollWatch`) and Qt watches only its fd. Each
time Qt says that fd is readable the reactor takes at most :data:`BATCH`
(64) ready sockets, does their reads and writes, and asks for *one* reactor
iteration on the next loop pass. After a full batch it stops listening
until a posted event comes back: Qt's glib dispatcher lowers timers that
have just fired to idle priority until it next sends posted events, so an
fd that is always ready would otherwise starve them. The sockets still
ready are served on the next pass, the kernel handing them out round-robin.

Each event of a batch names the descriptor that owned its fd when the batch
was taken; one removed earlier in the batch, or whose fd number a new
socket took, is not served. A descriptor with no fd (``fileno()`` is -1),
or whose closed fd another took, loses its connection
(``ConnectionFdescWentAway``) on the next turn. Without ``select.epoll``
(not Linux), or with ``epoll=False``, each descriptor gets its own
notifier as before, still one iteration per loop pass.

A batch of 64 reads is a millisecond or two of work, well inside a frame,
so painting and input never wait long behind the network. What this buys
at scale is measured by ``make bench`` (docs/performance.md).

Per-descriptor notifiers are made through qt5reactor's private ``_add``;
a failed read or write goes to Twisted's private ``_disconnectSelectable``
and ``removeAll`` to its ``_removeAll``, all by way of :mod:`app.internals`,
which says what they rely on.

``install()`` is what ``app.__main__`` calls instead of
``qt5reactor.install()``. It is still a ``qt5reactor.QtReactor``, so
pytest-twisted's ``--reactor=qt5reactor`` accepts it when the test set-up
(``conftest.py``) installs it first, and the tests run on the reactor the
program uses.
"""

from __future__ import annotations

import select
import sys
from collections.abc import Callable
from typing import cast

from PyQt5 import sip
from PyQt5.QtCore import QCoreApplication, QEvent, QObject, QSocketNotifier
from qt5reactor import QtReactor
from twisted.internet import error
from twisted.internet.base import DelayedCall
from twisted.internet.interfaces import IReadDescriptor, IWriteDescriptor
from twisted.python import log
from twisted.python.failure import Failure

from app.gui.reactor.epoll_watch import EpollWatch
from app.gui.reactor.pause import ReactorPause
from app.internals import (
    Descriptor,
    NotifierPerDescriptor,
    disconnect_selectable,
    remove_all_but_internal,
)
from app.net import turns

#: Ready descriptors handled per Qt loop pass (see the module's docstring for why 64).
BATCH = 64


def _run(descriptor: Descriptor, reading: bool) -> tuple[BaseException | Failure | None, bool]:
    """Run ``descriptor``'s ``doRead`` (or ``doWrite``): why its connection must end, if it
    must, and whether that came from the read. An exception is logged and is the reason."""
    try:
        # A descriptor is only ever watched for reading if it is a reader, and so on.
        if reading:
            return cast(IReadDescriptor, descriptor).doRead(), True
        return cast(IWriteDescriptor, descriptor).doWrite(), False
    except BaseException:
        log.err(None, f"Error in {'doRead' if reading else 'doWrite'} of {descriptor!r}")
        return sys.exc_info()[1], False


def _serve(reactor: PoetryQtReactor, descriptor: Descriptor, reading: bool) -> bool:
    """Run ``descriptor``'s ``doRead`` (or ``doWrite``); end its connection if that says so.

    Returns whether the connection was ended, as every Twisted reactor does.
    """
    why, in_read = _run(descriptor, reading)
    if why:
        disconnect_selectable(reactor, descriptor, why, in_read)
        return True
    return False


class _SocketNotifier:
    """Reads or writes one descriptor when Qt says it is ready; then asks for one iteration.

    What :class:`PoetryQtReactor` uses without epoll: one ``QSocketNotifier``
    per watched descriptor and kind.
    """

    def __init__(self, reactor: PoetryQtReactor, watcher: Descriptor, reading: bool) -> None:
        self.reactor = reactor
        self.watcher: Descriptor | None = watcher
        self.reading = reading
        kind = QSocketNotifier.Read if reading else QSocketNotifier.Write
        self.notifier = QSocketNotifier(sip.voidptr(watcher.fileno()), kind)
        self.notifier.activated.connect(self._ready)
        self.notifier.setEnabled(True)

    def shutdown(self) -> None:
        """The reactor calls this when the descriptor is no longer watched."""
        self.notifier.setEnabled(False)
        self.notifier.activated.disconnect(self._ready)
        self.notifier.deleteLater()
        self.watcher = None

    def _ready(self, _fd: int) -> None:
        watcher = self.watcher
        if watcher is None:
            return
        if (record := turns.recording) is not None:
            record.sockets_ready([turns.ready_socket(watcher)])
        _serve(self.reactor, watcher, self.reading)
        self.reactor.wake()


class _Resume(QObject):
    """Calls ``function`` on Qt's next loop pass, through a posted event.

    Not a zero-time ``QTimer``: Qt's glib dispatcher lowers timers to idle
    priority once they have fired, until it next sends posted events, so a
    socket that is always ready would starve them; a posted event is what
    lets them (the window's and the reactor's own) run again.
    """

    def __init__(self, function: Callable[[], None]) -> None:
        super().__init__()
        self._function = function

    def soon(self) -> None:
        QCoreApplication.postEvent(self, QEvent(QEvent.User))

    def customEvent(self, _event: QEvent | None) -> None:
        self._function()


class PoetryQtReactor(ReactorPause, NotifierPerDescriptor, QtReactor):  # type: ignore[misc]  # qt5reactor has no type hints
    """A ``QtReactor`` that handles at most :data:`BATCH` ready sockets per Qt loop pass,
    and runs one reactor iteration per pass, not one per socket event.

    ``epoll=False`` (the default where ``select.epoll`` is missing) watches
    each descriptor with its own ``QSocketNotifier`` instead, unbounded, and
    cannot pause (:mod:`app.gui.reactor.pause`). While somebody listens,
    each turn is recorded (:mod:`app.net.turns`).
    """

    def __init__(self, *, epoll: bool = hasattr(select, "epoll"), batch: int = BATCH) -> None:
        self._init_pause()
        self._wake_pending = False
        self.batch = batch
        #: When a list, the size of each batch handled is appended (tests read the bound there).
        self.batch_sizes: list[int] | None = None
        self._watch = EpollWatch(self._lost) if epoll else None
        super().__init__()  # installs the waker: addReader, so the watch comes first
        if self._watch is not None:
            self._notifier = QSocketNotifier(
                sip.voidptr(self._watch.fileno()), QSocketNotifier.Read
            )
            self._notifier.activated.connect(self._sockets_ready)
            self._resume = _Resume(lambda: self._notifier.setEnabled(not self.held))

    @property
    def uses_epoll(self) -> bool:
        return self._watch is not None

    @property
    def can_pause(self) -> bool:
        return self._watch is not None

    def listen_for_sockets(self, listening: bool) -> None:
        if self._watch is not None:
            self._notifier.setEnabled(listening)

    def callLater(
        self, delay: float, function: Callable[..., object], *args: object, **kw: object
    ) -> DelayedCall:
        """qt5reactor's ``callLater``; while somebody listens, a timer names itself as it runs."""
        if turns.recording is not None:
            function = turns.timed(function)
        return cast(DelayedCall, super().callLater(delay, function, *args, **kw))

    # IReactorFDSet: through the epoll watch, or qt5reactor's own (one notifier each).

    def addReader(self, reader: IReadDescriptor) -> None:
        if self._watch is None:
            super().addReader(reader)
        else:
            self._watch.add(reader, reading=True)

    def addWriter(self, writer: IWriteDescriptor) -> None:
        if self._watch is None:
            super().addWriter(writer)
        else:
            self._watch.add(writer, reading=False)

    def removeReader(self, reader: IReadDescriptor) -> None:
        if self._watch is None:
            super().removeReader(reader)
        else:
            self._watch.remove(reader, reading=True)

    def removeWriter(self, writer: IWriteDescriptor) -> None:
        if self._watch is None:
            super().removeWriter(writer)
        else:
            self._watch.remove(writer, reading=False)

    def removeAll(self) -> list[Descriptor]:
        if self._watch is None:
            return cast(list[Descriptor], super().removeAll())
        return remove_all_but_internal(self, list(self._watch.readers), list(self._watch.writers))

    def getReaders(self) -> list[IReadDescriptor]:
        if self._watch is None:
            return list(super().getReaders())
        return cast(list[IReadDescriptor], list(self._watch.readers))

    def getWriters(self) -> list[IWriteDescriptor]:
        if self._watch is None:
            return list(super().getWriters())
        return cast(list[IWriteDescriptor], list(self._watch.writers))

    def notifier_for(self, descriptor: Descriptor, kind: int) -> _SocketNotifier:
        return _SocketNotifier(self, descriptor, reading=kind == QSocketNotifier.Read)

    def _sockets_ready(self, _fd: int) -> None:
        """Qt saw the epoll fd readable: handle one batch; Qt calls again if more are ready."""
        watch = self._watch
        assert watch is not None
        if self.held:
            self._notifier.setEnabled(False)
            return
        batch = watch.ready(self.batch)
        if self.batch_sizes is not None:
            self.batch_sizes.append(len(batch))
        if (record := turns.recording) is not None:
            record.sockets_ready([turns.ready_socket(event.descriptor) for event in batch])
        for event in batch:
            reading = watch.watches(event, reading=True)
            if not reading and not watch.watches(event, reading=False):
                continue  # removed earlier in this batch, or its fd reused
            descriptor = event.descriptor
            if descriptor.fileno() == -1:
                self._lost_now(descriptor)
            elif reading and _serve(self, descriptor, True):
                pass
            # The read may have removed the writer, or closed it and let its number go.
            elif watch.watches(event, reading=False):
                self._write(descriptor)
        self.batch_served(len(batch))
        if len(batch) == self.batch and not self.one_batch_per_turn:
            # More may be ready: Qt's timers, painting and input first.
            self._notifier.setEnabled(False)
            self._resume.soon()
        self.wake()

    def _write(self, descriptor: Descriptor) -> None:
        """``doWrite``; if the peer is gone, first read what it sent before it went.

        The event was polled earlier in the batch: a peer that answered and
        closed since (a server refusing a long request, say) fails this write,
        while its answer waits unread. A notifier per descriptor read it first.
        """
        why, _ = _run(descriptor, False)
        if not why:
            return
        watch = self._watch
        assert watch is not None
        if descriptor in watch.readers:
            _run(descriptor, True)  # for what it delivers; the write's failure ends it
            if descriptor not in watch.readers and descriptor not in watch.writers:
                return  # what it delivered ended it already (an abortConnection, say)
        disconnect_selectable(self, descriptor, why, False)

    def _lost(self, descriptor: Descriptor) -> None:
        """``descriptor`` can get no events (its fd is closed): end it on the next turn."""
        self.callLater(0, self._lost_if_watched, descriptor)

    def _lost_if_watched(self, descriptor: Descriptor) -> None:
        watch = self._watch
        assert watch is not None
        if descriptor in watch.readers or descriptor in watch.writers:
            self._lost_now(descriptor)

    def _lost_now(self, descriptor: Descriptor) -> None:
        why = "its file descriptor is closed"  # untranslated: read in a traceback
        disconnect_selectable(self, descriptor, error.ConnectionFdescWentAway(why), False)

    def wake(self) -> None:
        """Run the due timers and re-arm on the next loop pass (once, however often asked)."""
        if not self._wake_pending:
            self._wake_pending = True
            self.reactorInvocation()

    def doIteration(self, delay: float | None = None, fromqt: bool = False) -> None:
        self._wake_pending = False
        super().doIteration(delay, fromqt)


def install() -> PoetryQtReactor:
    """Install :class:`PoetryQtReactor` as Twisted's reactor (a ``QApplication`` must exist)."""
    from twisted.internet.main import installReactor

    reactor = PoetryQtReactor()
    installReactor(reactor)
    return reactor
