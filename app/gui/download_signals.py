"""The bridge from the Qt-free download events to Qt: one typed signal per kind of event.

The window's widgets never subscribe to the core themselves: the table
model, the timeline, the log, the poem pane, the failure dialog and the
status summary all connect to one :class:`DownloadSignals`, which observes
the controller's :class:`~app.events.EventStream` and re-emits every event,
in the order it happened, first on ``happened`` (for the observers that take
them all), then, unless it is a chunk of bytes, on ``milestone`` and on the
signal of its kind (for those that want one).

Signals are emitted synchronously on the reactor's thread, which is Qt's
main thread, so a slot runs before the next event is published, and
success and failure reach the window along the same path. A slot that
raises is reported by the application's ``sys.excepthook`` (the log); the
downloads carry on.
"""

from __future__ import annotations

from PyQt5.QtCore import QObject, pyqtBoundSignal, pyqtSignal

from app.events import (
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


class DownloadSignals(QObject):
    """Re-emits each download event as ``happened(e)``, then as the signal named for its kind.

    ``Progress``, thousands of chunks a second in a big batch, comes only
    on ``happened``. Every other event also comes on ``milestone(e)``, for
    the observers that care about steps, not bytes, and then on its own
    signal.
    """

    #: Every event, in order; for the observers that take them all (model, timeline, counts).
    happened = pyqtSignal(object)
    #: Every event but Progress, in order (poem pane, log).
    milestone = pyqtSignal(object)
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
        events.subscribe(self.observe)

    def observe(self, event: DownloadEvent) -> None:
        self.happened.emit(event)
        signal = self._by_kind.get(type(event))
        if signal is not None:  # not a Progress
            self.milestone.emit(event)
            signal.emit(event)
