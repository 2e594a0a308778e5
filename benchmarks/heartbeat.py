"""How responsive the Qt event loop stays: a 10 ms heartbeat timer and a paint counter.

A ``QTimer`` due every 10 ms fires late by however long the loop was busy
elsewhere; that lateness is the *lag* a user feels as stutter. Counting
``Paint`` events on the table's viewport shows whether repaints are
coalesced or follow every received chunk.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PyQt5.QtCore import QEvent, QObject, Qt, QTimer

HEARTBEAT_MS = 10


class Heartbeat(QObject):
    """Records how late each 10 ms tick fires, in seconds, between start() and stop().

    ``times`` holds when each tick fired (``time.monotonic()``), beside its
    lag in ``lags``; ``on_tick``, if set, is called at every tick.
    """

    def __init__(self) -> None:
        super().__init__()
        self.lags: list[float] = []
        self.times: list[float] = []
        self.on_tick: Callable[[], None] | None = None
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.monotonic()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        # The stretch since the last tick counts too: a stall at the end is a stall.
        self._tick()

    def _tick(self) -> None:
        now = time.monotonic()
        self.lags.append(max(0.0, now - self._last - HEARTBEAT_MS / 1000))
        self.times.append(now)
        self._last = now
        if self.on_tick is not None:
            self.on_tick()

    @property
    def longest(self) -> float:
        return max(self.lags, default=0.0)


class PaintCounter(QObject):
    """Counts the ``Paint`` events a widget receives (install on the table's viewport)."""

    def __init__(self, widget: QObject) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Paint:
            self.count += 1
        return False
