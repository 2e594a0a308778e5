"""The bridge from the Qt-free download events to the window: two streams, then one signal per kind.

The window's widgets never subscribe to the core themselves: the table
model, the timeline, the log, the poem pane, the failure dialog and the
status summary all follow one :class:`DownloadSignals`, which observes the
controller's :class:`~app.downloads.events.EventStream` and passes on:

* every event, in the order it happened, to the listeners of
  :meth:`~DownloadSignals.follow_steps` that asked for its kind (the log
  hears only what it writes a line for, the table only what changes a
  status), then on the Qt signal of its kind
  (``done``, ``failed``...), for the dialogs and the window, which care
  about one kind;
* on each tick of the window (:meth:`~DownloadSignals.deliver_bytes`,
  called by the table's refresh timer), the rows that got bytes since the
  last tick, to the listeners of :meth:`~DownloadSignals.follow_bytes`.

Bytes are no events (see :mod:`app.downloads.events`): 10,000 downloads bring some
18,000 chunks a second, and passing each to the model, the counts, the
lane and the story cost the window more than a second of CPU per 10,000
poems; told once a tick, each listener walks the rows that changed in one
loop. The two streams are plain Python calls, not Qt signals. A listener
that raises is reported by the application's ``sys.excepthook`` (the
log), as a Qt slot would be, and the other listeners still hear.

Everything runs synchronously on the reactor's thread, which is Qt's main
thread, so a listener runs before the next event is published, and success
and failure reach the window along the same path.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PyQt5.QtCore import QMetaMethod, QObject, pyqtBoundSignal, pyqtSignal

from app.downloads.events import (
    BatchEnded,
    BatchStarted,
    Cancelled,
    Connected,
    Connecting,
    DeferredStep,
    Done,
    DownloadEvent,
    EventStream,
    Failed,
    Forgotten,
    InternalError,
    Queued,
)
from app.downloads.rows import ServerRow

#: A listener to the events.
Listener = Callable[[DownloadEvent], object]
#: A listener to the bytes: given the rows that got some since the last tick.
BytesListener = Callable[[list[ServerRow]], object]


class DownloadSignals(QObject):
    """Passes events to the step listeners, then a signal; a tick's rows with bytes to others."""

    queued = pyqtSignal(Queued)
    connecting = pyqtSignal(Connecting)
    connected = pyqtSignal(Connected)
    deferredStep = pyqtSignal(DeferredStep)
    done = pyqtSignal(Done)
    failed = pyqtSignal(Failed)
    cancelled = pyqtSignal(Cancelled)
    internalError = pyqtSignal(InternalError)
    forgotten = pyqtSignal(Forgotten)
    batchStarted = pyqtSignal(BatchStarted)
    batchEnded = pyqtSignal(BatchEnded)

    def __init__(self, events: EventStream, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._by_kind: dict[type, pyqtBoundSignal] = {
            Queued: self.queued,
            Connecting: self.connecting,
            Connected: self.connected,
            DeferredStep: self.deferredStep,
            Done: self.done,
            Failed: self.failed,
            Cancelled: self.cancelled,
            InternalError: self.internalError,
            Forgotten: self.forgotten,
            BatchStarted: self.batchStarted,
            BatchEnded: self.batchEnded,
        }
        self._events = events
        self._bytes_listeners: tuple[BytesListener, ...] = ()
        #: Each step listener, with the kinds of event it asked for (``None``: all).
        self._step_listeners: tuple[tuple[Listener, tuple[type, ...] | None], ...] = ()
        #: The listeners of each kind of event, in the order they followed; made when first needed.
        self._listeners_of: dict[type, tuple[Listener, ...]] = {}
        #: The kinds whose signal has a receiver; ``None`` when a connection changed since.
        self._heard_kinds: frozenset[type] | None = None
        events.subscribe(self.observe)

    # Most kinds' signals have no receiver (the listeners above do the work):
    # emitting one still costs a microsecond, 50,000 times for 10,000 downloads.
    # Qt tells of every connection made or dropped (a receiver deleted too);
    # the next event asks Qt again which signals have receivers.

    def connectNotify(self, signal: QMetaMethod) -> None:
        self._heard_kinds = None

    def disconnectNotify(self, signal: QMetaMethod) -> None:
        self._heard_kinds = None

    def follow_bytes(self, listener: BytesListener) -> None:
        """Call ``listener(rows)`` on each tick with the rows that got bytes since the last one.

        Their counts are on the rows (``received``, ``chunks``); a row may
        have ended meanwhile, and its ending event was heard first.
        """
        self._bytes_listeners = (*self._bytes_listeners, listener)

    def follow_steps(self, listener: Listener, kinds: tuple[type, ...] | None = None) -> None:
        """Call ``listener(event)`` for every event, in order, before its signal.

        Given ``kinds``, only for the events of those kinds: with 10,000
        downloads every event goes to every listener that wants it, and
        a listener that only returns costs a call all the same.
        """
        self._step_listeners = (*self._step_listeners, (listener, kinds))
        self._listeners_of = {}

    def deliver_bytes(self) -> bool:
        """The window's tick: tell the bytes listeners which rows got bytes; ``False`` if none."""
        rows = self._events.take_arrivals()
        if not rows:
            return False
        for listener in self._bytes_listeners:
            try:
                listener(rows)
            except Exception as error:
                _report(error)
        return True

    def observe(self, event: DownloadEvent) -> None:
        kind = type(event)
        listeners = self._listeners_of.get(kind)
        if listeners is None:
            listeners = self._listeners_of[kind] = tuple(
                listener
                for listener, kinds in self._step_listeners
                if kinds is None or issubclass(kind, kinds)
            )
        for listener in listeners:
            try:
                listener(event)
            except Exception as error:
                _report(error)
        heard = self._heard_kinds
        if heard is None:
            heard = self._heard_kinds = frozenset(
                kind for kind, signal in self._by_kind.items() if self.receivers(signal)
            )
        if kind in heard:
            self._by_kind[kind].emit(event)


def _report(error: Exception) -> None:
    """A listener raised: report it as an exception escaping a Qt slot would be."""
    sys.excepthook(type(error), error, error.__traceback__)
