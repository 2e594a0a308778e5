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
never does that (DESIGN §8, trap 5).

``install()`` is what ``app.__main__`` calls instead of
``qt5reactor.install()``. It is still a ``qt5reactor.QtReactor``, so
pytest-twisted's ``--reactor=qt5reactor`` accepts it when the test set-up
(``conftest.py``) installs it first, and the tests run on the reactor the
program uses.
"""

from __future__ import annotations

import sys

from PyQt5.QtCore import QSocketNotifier
from qt5reactor import QtReactor
from twisted.internet.interfaces import IReadDescriptor, IWriteDescriptor
from twisted.python import log


class _SocketNotifier:
    """Reads or writes one descriptor when Qt says it is ready; then asks for one iteration."""

    def __init__(
        self,
        reactor: PoetryQtReactor,
        watcher: IReadDescriptor | IWriteDescriptor,
        kind: QSocketNotifier.Type,
    ) -> None:
        self.reactor = reactor
        self.watcher: IReadDescriptor | IWriteDescriptor | None = watcher
        self.reading = kind == QSocketNotifier.Read
        self.notifier = QSocketNotifier(watcher.fileno(), kind)
        self.notifier.activated.connect(self._ready)
        self.notifier.setEnabled(True)

    def shutdown(self) -> None:
        """The reactor's ``_remove`` calls this when the descriptor is no longer watched."""
        self.notifier.setEnabled(False)
        self.notifier.activated.disconnect(self._ready)
        self.notifier.deleteLater()
        self.watcher = None

    def _ready(self, _fd: int) -> None:
        watcher = self.watcher
        if watcher is None:
            return
        try:
            why = watcher.doRead() if self.reading else watcher.doWrite()
            in_read = self.reading
        except BaseException:
            log.err(None, f"Error in {'doRead' if self.reading else 'doWrite'} of {watcher!r}")
            why, in_read = sys.exc_info()[1], False
        if why:
            self.reactor._disconnectSelectable(watcher, why, in_read)
        self.reactor.wake()


class PoetryQtReactor(QtReactor):
    """A ``QtReactor`` that runs one iteration per Qt loop pass, not one per socket event."""

    def __init__(self) -> None:
        self._wake_pending = False
        super().__init__()

    def _add(self, xer, primary, type):
        if xer not in primary:
            primary[xer] = _SocketNotifier(self, xer, type)

    def wake(self) -> None:
        """Run the due timers and re-arm on the next loop pass (once, however often asked)."""
        if not self._wake_pending:
            self._wake_pending = True
            self.reactorInvocation()

    def doIteration(self, delay=None, fromqt=False):
        self._wake_pending = False
        super().doIteration(delay, fromqt)


def install() -> PoetryQtReactor:
    """Install :class:`PoetryQtReactor` as Twisted's reactor (a ``QApplication`` must exist)."""
    from twisted.internet.main import installReactor

    reactor = PoetryQtReactor()
    installReactor(reactor)
    return reactor
