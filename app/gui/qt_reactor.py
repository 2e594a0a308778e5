"""The event loop: qt5reactor's ``QtReactor`` with a lighter path for each socket event.

qt5reactor wraps every readable or writable socket in a ``QSocketNotifier``
and, after *each* read or write, disables and re-enables that notifier,
pushes a logging context, runs the reactor's due timers and re-arms its Qt
timer. With 2,000 slow connections that is thousands of full reactor
iterations a second, all in bursts: the servers' timers fire together, so
Qt hands over a few hundred readable sockets in one loop pass and the
window's own timers wait behind all of them.

:class:`PoetryQtReactor` keeps everything else of qt5reactor and changes
only that: a socket event does its read or write, and asks for *one*
reactor iteration on the next loop pass, however many sockets fired in
this one. Measured with ``benchmarks/scale`` at 2,000 connections on this
2-core machine (three runs each, back to back): heartbeat lag p99 44–62 ms
and max 246–344 ms with qt5reactor's notifier, 17–22 ms and 61–72 ms with
this one, and 15 % less CPU.

Re-enabling the notifier around a read only matters if a read can run a
nested event loop (a modal ``exec_()`` inside a callback); this program
never does that (ARCHITECTURE.md, the reactor integration's trap "Never a
nested loop").

The notifier is swapped in through qt5reactor's private ``_add``, and a
failed read or write is handed to Twisted's private ``_disconnectSelectable``,
both by way of :mod:`app.internals`, which says what they rely on.

``install()`` is what ``app.__main__`` calls instead of
``qt5reactor.install()``. It is still a ``qt5reactor.QtReactor``, so
pytest-twisted's ``--reactor=qt5reactor`` accepts it when the test set-up
(``conftest.py``) installs it first, and the tests run on the reactor the
program uses.
"""

from __future__ import annotations

import sys
from typing import cast

from PyQt5 import sip
from PyQt5.QtCore import QSocketNotifier
from qt5reactor import QtReactor
from twisted.internet.interfaces import IReadDescriptor, IWriteDescriptor
from twisted.python import log
from twisted.python.failure import Failure

from app.internals import Descriptor, NotifierPerDescriptor, disconnect_selectable


class _SocketNotifier:
    """Reads or writes one descriptor when Qt says it is ready; then asks for one iteration."""

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
        why: BaseException | Failure | None
        try:
            # A reading notifier was made for a reader, a writing one for a writer.
            if self.reading:
                why = cast(IReadDescriptor, watcher).doRead()
            else:
                why = cast(IWriteDescriptor, watcher).doWrite()
            in_read = self.reading
        except BaseException:
            log.err(None, f"Error in {'doRead' if self.reading else 'doWrite'} of {watcher!r}")
            why, in_read = sys.exc_info()[1], False
        if why:
            disconnect_selectable(self.reactor, watcher, why, in_read)
        self.reactor.wake()


class PoetryQtReactor(NotifierPerDescriptor, QtReactor):  # type: ignore[misc]  # qt5reactor has no type hints
    """A ``QtReactor`` that runs one iteration per Qt loop pass, not one per socket event."""

    def __init__(self) -> None:
        self._wake_pending = False
        super().__init__()

    def notifier_for(self, descriptor: Descriptor, kind: int) -> _SocketNotifier:
        return _SocketNotifier(self, descriptor, reading=kind == QSocketNotifier.Read)

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
