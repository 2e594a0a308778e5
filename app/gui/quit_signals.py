"""SIGINT and SIGTERM as a Qt signal, delivered at once even while Qt sleeps.

Python runs a signal handler only when the interpreter next gets control,
and under ``reactor.run()`` the interpreter may be idle inside Qt's C++
event loop for as long as nothing happens. ``signal.set_wakeup_fd`` makes
the C-level handler write the signal number to a socket; a
``QSocketNotifier`` on the other end wakes the loop, and :class:`QuitSignals`
emits ``received`` so the window can quit through its one quit path.
"""

from __future__ import annotations

import signal
import socket

from PyQt5 import sip
from PyQt5.QtCore import QObject, QSocketNotifier, pyqtSignal

QUIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class QuitSignals(QObject):
    """Emits ``received(signum)`` for SIGINT or SIGTERM; :meth:`close` restores the old state."""

    received = pyqtSignal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        # The handler itself does nothing: the wakeup socket carries the signal.
        self._previous = {signum: signal.signal(signum, _note) for signum in QUIT_SIGNALS}
        self._notifier = QSocketNotifier(
            sip.voidptr(self._reader.fileno()), QSocketNotifier.Read, self
        )
        self._notifier.activated.connect(self._drain)

    def _drain(self) -> None:
        try:
            data = self._reader.recv(256)
        except BlockingIOError:
            return
        for signum in data:
            if signum in QUIT_SIGNALS:
                self.received.emit(signum)

    def close(self) -> None:
        self._notifier.setEnabled(False)
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()


def _note(signum: int, frame: object) -> None:
    """Python-level handler; a no-op because ``set_wakeup_fd`` already woke the loop."""
