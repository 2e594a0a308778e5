"""The bridge from the Qt-free download events to Qt: one typed signal per kind of event.

The window's widgets never subscribe to the core themselves: the table
model, the timeline, the log, the poem pane, the failure dialog and the
status summary all connect to one :class:`DownloadSignals`, which observes
the controller's :class:`~app.events.EventStream` and re-emits every event,
in the order it happened, first on ``happened`` (for the observers that take
them all) and then on the signal of its kind (for those that want one).

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
    Done,
    DownloadEvent,
    EventStream,
    Failed,
    Forgotten,
    InternalError,
    Progress,
    Queued,
)


class DownloadSignals(QObject):
    """Re-emits each download event as ``happened(e)``, then as the signal named for its kind."""

    #: Every event, in order; for the observers that take them all (timeline, log).
    happened = pyqtSignal(object)
    queued = pyqtSignal(Queued)
    connecting = pyqtSignal(Connecting)
    connected = pyqtSignal(Connected)
    progress = pyqtSignal(Progress)
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
            Progress: self.progress,
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
        self._by_kind[type(event)].emit(event)
