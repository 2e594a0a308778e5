"""The Reactor dock: each turn of the loop as it happens, with pause, step and slow motion.

While the dock is shown, the reactor's turns are recorded
(:mod:`app.net.turns`) and the list ``reactorTurns`` takes the new ones a
few times a second (:data:`REFRESH_MS`), never per event, following the
newest while it is scrolled to the bottom. The Deferred callbacks and
errbacks of a turn come from the window's event stream (``DeferredStep``),
not from patching Deferred. Hidden, nothing is recorded: the reactor and
the protocol look at one ``None``.

Its toolbar holds the window's ``actionReactorPause`` and
``actionReactorStep`` and a slow-motion choice, all of them acting on the
reactor (:mod:`app.gui.reactor.pause`). :meth:`ReactorDock.stop`, on the
window's shutdown, lets a paused reactor go, so quitting quits at once.
"""

from __future__ import annotations

from PyQt5.QtCore import QModelIndex, Qt, QTimer
from PyQt5.QtWidgets import (
    QComboBox,
    QDockWidget,
    QListView,
    QMainWindow,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.downloads.events import DeferredStep, EventStream
from app.gui.actions import WindowActions
from app.gui.labels import plain_label
from app.gui.reactor.pause import ReactorPause
from app.gui.reactor.turn_model import TurnListModel
from app.gui.timeline.dock import TimelineDock
from app.i18n import _, pgettext
from app.net import turns
from app.net.global_reactor import or_global
from app.views.reactor_turns import explanation

#: How often the list takes the turns recorded since it last looked.
REFRESH_MS = 250
#: The slow-motion choices: seconds between turns (0: off).
SLOW_MOTION = (0.0, 0.25, 0.5, 1.0)


class ReactorDock(QDockWidget):
    """The reactor's turns in a list, and the controls that hold the reactor back.

    Built hidden and added to ``window`` at the bottom; it holds the window's
    ``actionReactorPause`` and ``actionReactorStep``. A turn selected is
    marked on ``timeline``'s lanes.
    """

    def __init__(
        self,
        window: QMainWindow,
        events: EventStream,
        actions: WindowActions,
        timeline: TimelineDock | None = None,
        reactor: ReactorPause | None = None,
    ) -> None:
        super().__init__(window)
        self.setObjectName("reactorDock")
        # The reactor given, else the global one: held only if it is the program's own.
        chosen: object = or_global(reactor)
        self.reactor = chosen if isinstance(chosen, ReactorPause) else None
        self.timeline = timeline
        self.pause_action = pause = actions.reactor_pause
        self.step_action = step = actions.reactor_step
        self.model = TurnListModel(self)
        self.view = QListView()
        self.view.setObjectName("reactorTurns")
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QListView.SingleSelection)
        self.explanation = plain_label(name="reactorExplanation")
        self.explanation.setWordWrap(True)
        self.slow_motion = QComboBox()
        self.slow_motion.setObjectName("reactorSlowMotion")
        for seconds in SLOW_MOTION:
            self.slow_motion.addItem("", seconds)
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("reactorToolBar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.toolbar.addAction(pause)
        self.toolbar.addAction(step)
        self.toolbar.addWidget(self.slow_motion)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 0, 4, 2)
        layout.setSpacing(2)
        layout.addWidget(self.explanation)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.view, 1)
        self.setWidget(body)

        pause.setCheckable(True)
        pause.toggled.connect(self._pause_toggled)
        step.triggered.connect(self._step)
        step.setEnabled(False)
        self.slow_motion.currentIndexChanged.connect(self._slow_motion_chosen)
        self.view.selectionModel().currentChanged.connect(self._mark_on_timeline)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.visibilityChanged.connect(self._shown_or_hidden)
        self.toggleViewAction().triggered.connect(self._opened_by_hand)
        events.on(DeferredStep, self._deferred_step)
        self.hide()  # hidden at first start; the window's saved state may show it
        window.addDockWidget(Qt.BottomDockWidgetArea, self)
        self.retranslate()

    def retranslate(self) -> None:
        """The dock's words in the current language, the rows' included."""
        # The title would become the View menu toggle's text, which the actions word.
        toggle = self.toggleViewAction()
        worded = toggle.text()
        # TRANSLATORS: the dock that lists each turn of the reactor loop.
        self.setWindowTitle(_("Reactor"))
        if worded:
            toggle.setText(worded)
        self.explanation.setText(explanation())
        self.toolbar.setWindowTitle(pgettext("toolbar", "Reactor"))
        for index, seconds in enumerate(SLOW_MOTION):
            self.slow_motion.setItemText(index, _slow_motion_words(seconds))
        self.slow_motion.setToolTip(_("Slow motion: how long the reactor waits after each turn"))
        if self.reactor is None or not self.reactor.can_pause:
            why = _("Pausing needs the epoll reactor (Linux); this one cannot hold every socket")
            for widget in (self.pause_action, self.step_action):
                widget.setEnabled(False)
                widget.setToolTip(why)
            self.slow_motion.setEnabled(False)
            self.slow_motion.setToolTip(why)
        self.model.retranslate()

    # Recording while shown

    def _shown_or_hidden(self, visible: bool) -> None:
        if visible:
            turns.listen()
            self._timer.start()
            self.refresh()
        else:
            self._timer.stop()
            turns.stop_listening()

    def _opened_by_hand(self, shown: bool) -> None:
        """Opened from the View menu: at most two fifths of the window's height, once laid out.

        Qt gives a bottom dock half the room, which on a 600-pixel screen
        leaves the poem a single line; two fifths still list half a dozen turns.
        """
        window = self.parentWidget()
        if shown and not self.isFloating() and isinstance(window, QMainWindow):
            QTimer.singleShot(0, lambda: self._at_most_two_fifths_of(window))

    def _at_most_two_fifths_of(self, window: QMainWindow) -> None:
        share = window.height() * 2 // 5
        if self.isVisible() and not self.isFloating() and self.height() > share:
            window.resizeDocks([self], [share], Qt.Vertical)

    def _deferred_step(self, event: DeferredStep) -> None:
        if (record := turns.recording) is not None:
            record.ran(event.kind, event.handler)

    def refresh(self) -> None:
        """Take the turns recorded since the last look; follow the newest if at the bottom."""
        record = turns.recording
        if record is None:
            return
        new = record.since(self.model.last_number)
        if not new:
            return
        bar = self.view.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum()
        self.model.add(new)
        if at_bottom:
            self.view.scrollToBottom()

    # Holding the reactor back

    def _pause_toggled(self, paused: bool) -> None:
        reactor = self.reactor
        if reactor is None:
            return
        if paused:
            reactor.pause()
        else:
            reactor.resume()
        self.step_action.setEnabled(reactor.paused)

    def _step(self) -> None:
        if self.reactor is not None:
            self.reactor.step()

    def _slow_motion_chosen(self, index: int) -> None:
        if self.reactor is not None:
            self.reactor.slow_motion = SLOW_MOTION[index] if index >= 0 else 0.0

    def _mark_on_timeline(self, current: QModelIndex) -> None:
        """The turn picked: a band at its moment on each lane whose socket it read."""
        timeline = self.timeline
        if timeline is None:
            return
        turn = self.model.turn(current.row()) if current.isValid() else None
        if turn is None:
            timeline.timeline.mark_turn(None)
        else:
            read = [socket.address for socket in turn.ready if socket.role == "client"]
            timeline.timeline.mark_turn(turn.started, read)
        timeline.view.update()

    def stop(self) -> None:
        """The window is closing: let the reactor run (the quit is one of its timers)."""
        self._timer.stop()
        self.pause_action.setChecked(False)
        self.slow_motion.setCurrentIndex(0)
        if self.reactor is not None:
            self.reactor.resume()
            self.reactor.slow_motion = 0
        turns.stop_listening()


def _slow_motion_words(seconds: float) -> str:
    if seconds == 0:
        # TRANSLATORS: slow motion is off: the reactor turns at full speed.
        return _("Full speed")
    return _("{seconds} s between turns").format(seconds=f"{seconds:g}")
