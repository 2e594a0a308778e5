"""The window's tick: the one clock that moves what changes all the time.

What happens to a download once (it connected, its poem came, it failed)
reaches each part of the window as an event, the moment it happens
(:meth:`app.downloads.events.EventStream.on`). What changes all the time
(bytes, rates, elapsed times, the timeline's growing bars, the status
bar's counts) is read on a tick instead, as Deluge's components
``update()`` on an interval: a value is read when it is shown, not pushed
whenever it changes. Each tick

1. takes the rows that got bytes since the last one
   (:meth:`~app.downloads.events.EventStream.take_arrivals`) and hands them
   to every record that counts bytes (the table's counts, the timeline's
   lanes, the stories), then
2. asks each view to refresh, in order: the table, the timeline, the
   status bar's counts, the Story tab.

An event wakes the tick; it stops again once no download runs and no view
has anything left to show, so an idle window costs nothing. Its pace falls
as downloads grow (:func:`refresh_interval_ms`): a repaint costs the same
however many rows there are, and with thousands of downloads the time is
better spent on the network.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

from PyQt5.QtCore import QObject, QTimer

from app.downloads.events import EVERY_KIND, DownloadEvent, EventStream
from app.downloads.rows import ServerRow

#: The tick's pace while fewer than a thousand downloads run: 20 a second.
REFRESH_INTERVAL_MS = 50
#: From this many running downloads on, the slower pace beside it.
BUSY_REFRESH = ((5_000, 400), (2_000, 200), (1_000, 100))

#: Given the rows that got bytes since the last tick.
BytesCounter = Callable[[list[ServerRow]], object]
#: Given whether bytes came this tick; returns whether it wants another tick.
View = Callable[[bool], bool]


def refresh_interval_ms(active: int) -> int:
    """How often the window ticks while ``active`` downloads run: 20 a second down to 2.5.

    Every bar still moves several times a second at the slowest pace, and
    the loop's heartbeat, which input and painting wait on, gets steadier.
    """
    for at_least, interval in BUSY_REFRESH:
        if active >= at_least:
            return interval
    return REFRESH_INTERVAL_MS


class WindowTick(QObject):
    """Hands a tick's bytes to the records, then refreshes the views, while there is work.

    ``active`` says how many downloads run now (the table's counts), which
    sets the pace.
    """

    def __init__(
        self, events: EventStream, active: Callable[[], int], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._events = events
        self._active = active
        self._counters: tuple[BytesCounter, ...] = ()
        self._views: tuple[View, ...] = ()
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_INTERVAL_MS)
        self._timer.timeout.connect(self.tick)
        self._running = False
        self._stopped = False
        events.subscribe(self._wake, EVERY_KIND)

    def count_bytes_with(self, counter: BytesCounter) -> None:
        """Give ``counter`` each tick's rows that got bytes, before any view refreshes."""
        self._counters = (*self._counters, counter)

    def refresh_with(self, view: View) -> None:
        """Call ``view(bytes_came)`` on each tick, after the counters, in the order given."""
        self._views = (*self._views, view)

    @property
    def running(self) -> bool:
        """True while the tick runs: something is downloading or waits to be shown."""
        return self._running

    def _wake(self, _event: DownloadEvent) -> None:
        self.wake()

    def wake(self) -> None:
        """Something changed: tick soon, and on until nothing is left to show."""
        if not self._running and not self._stopped:
            self._running = True
            self._timer.start()

    def tick(self) -> None:
        """One tick: bytes to the counters, then every view; stop when none wants more."""
        rows = self._events.take_arrivals()
        bytes_came = bool(rows)
        if bytes_came:
            for counter in self._counters:
                _call(counter, rows)
        wanted = bytes_came
        for view in self._views:
            wanted = bool(_call(view, bytes_came)) or wanted
        if not wanted:
            self._running = False
            self._timer.stop()
        elif self._timer.interval() != (interval := refresh_interval_ms(self._active())):
            self._timer.setInterval(interval)

    def stop(self) -> None:
        """No more ticks (the window is closing)."""
        self._stopped = True
        self._running = False
        self._timer.stop()


T = TypeVar("T")


def _call(part: Callable[[T], object], argument: T) -> object:
    """Call one part; a bug in it is reported as one escaping a Qt slot, and the others go on."""
    try:
        return part(argument)
    except Exception as error:
        sys.excepthook(type(error), error, error.__traceback__)
        return False
