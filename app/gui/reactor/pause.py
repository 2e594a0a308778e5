"""Pause, step and slow motion for the reactor, with a clock that stands still while it waits.

A learner follows the reactor turn by turn (the reactor dock): paused, no
socket is read and no Twisted timer fires, while Qt goes on (menus, dialogs,
painting); a step lets exactly one turn run, one batch of ready sockets and
the timers then due; slow motion holds the reactor for a while after each
turn. Only the reactor's work waits: what Qt does is untouched.

**A paused minute is not an idle minute.** Every timeout in the program
(the client's idle and connect timeouts, the controller's pacing, the demo
servers' writes) is a ``callLater`` on the reactor's ``seconds()``, so
:class:`HeldClock` stops that clock while the reactor is held, and a timer
due in 0.3 s when the pause began is still due 0.3 s after it ends.

:class:`ReactorPause` is a mixin for
:class:`app.gui.reactor.qt_reactor.PoetryQtReactor`, listed before
qt5reactor's ``QtReactor``: it gates ``iterate`` (the timers) and asks the
reactor to stop or start listening to its sockets
(:meth:`ReactorPause.listen_for_sockets`). Only the epoll reactor can stop
listening to every socket at once; without it :attr:`ReactorPause.can_pause`
is False. Stopping the reactor first lets it go, so quitting while paused
quits at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PyQt5.QtCore import Qt, QTimer
from twisted.python.runtime import seconds as wall_seconds

from app.net import turns

if TYPE_CHECKING:
    from collections.abc import Callable


class HeldClock:
    """Seconds that do not advance while held: the reactor's ``seconds()``.

    Without a hold it reads exactly ``now()`` (Twisted's own clock); each
    hold takes its length off every later reading.
    """

    def __init__(self, now: Callable[[], float] = wall_seconds) -> None:
        self._now = now
        self._held_since: float | None = None
        #: Seconds spent held, in all.
        self.lost = 0.0

    @property
    def held(self) -> bool:
        return self._held_since is not None

    def seconds(self) -> float:
        held = self._held_since
        return (self._now() if held is None else held) - self.lost

    def hold(self) -> None:
        if self._held_since is None:
            self._held_since = self._now()

    def release(self) -> None:
        held, self._held_since = self._held_since, None
        if held is not None:
            self.lost += max(0.0, self._now() - held)


class ReactorPause:
    """Mixin: :meth:`pause`, :meth:`resume`, :meth:`step` and :attr:`slow_motion` for a QtReactor.

    A *busy* turn is one in which sockets were served or a timer was due;
    the reactor also turns with nothing to do (to re-arm its Qt timer),
    and those turns neither use up a step nor wait for slow motion.
    """

    _clock: HeldClock
    _paused: bool
    _stepping: bool
    _spacing: float
    _spaced: bool
    _turn_busy: bool
    _space_timer: QTimer

    def _init_pause(self) -> None:
        self._clock = HeldClock()
        self._paused = False
        self._stepping = False
        self._spacing = 0.0
        self._spaced = False
        self._turn_busy = False
        self._space_timer = QTimer()
        self._space_timer.setSingleShot(True)
        self._space_timer.setTimerType(Qt.PreciseTimer)  # a coarse one comes up to 5 % early
        self._space_timer.timeout.connect(self._spacing_over)

    # What the reactor provides.

    @property
    def can_pause(self) -> bool:
        """Whether this reactor can stop reading every socket at once (it watches one epoll fd)."""
        raise NotImplementedError

    def listen_for_sockets(self, listening: bool) -> None:
        """Start or stop taking batches of ready sockets."""
        raise NotImplementedError

    # The state a person sees.

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def held(self) -> bool:
        """True while the reactor may not turn: paused (no step pending) or slowed."""
        return (self._paused and not self._stepping) or self._spaced

    @property
    def one_batch_per_turn(self) -> bool:
        """True while stepping or in slow motion: a turn is exactly one batch and its timers."""
        return self._stepping or self._spacing > 0

    @property
    def slow_motion(self) -> float:
        """Seconds the reactor waits after each busy turn; 0 for none."""
        return self._spacing

    @slow_motion.setter
    def slow_motion(self, seconds: float) -> None:
        self._spacing = max(0.0, seconds) if self.can_pause else 0.0
        if self._spacing == 0:
            self._space_timer.stop()
            self._spaced = False
        self._update_hold()

    def seconds(self) -> float:
        return self._clock.seconds()

    def pause(self) -> None:
        """Stop reading sockets and firing timers until :meth:`resume` (nothing if unsupported)."""
        if self.can_pause:
            self._paused = True
            self._stepping = False
            self._update_hold()

    def resume(self) -> None:
        self._paused = self._stepping = False
        self._update_hold()

    def step(self) -> None:
        """While paused, let exactly one busy turn run, then hold again."""
        if self._paused:
            self._stepping = True
            self._update_hold()

    def stop(self) -> None:
        # The timer that stops the reactor must fire, and the shutdown triggers run.
        self.resume()
        self.slow_motion = 0
        super().stop()  # type: ignore[misc]

    # The hooks the reactor calls.

    def batch_served(self, size: int) -> None:
        """A batch of ``size`` ready sockets was served; the turn's timers come next."""
        if size:
            self._turn_busy = True
            if self.one_batch_per_turn:
                self.listen_for_sockets(False)  # the next batch is the next turn's

    def iterate(self, delay: float | None = None, fromqt: bool = False) -> None:
        """The timers that are due, then re-arm; nothing while held (the turn waits)."""
        if self.held:
            return
        record = turns.recording
        # Only stepping and slow motion need to know whether anything was due;
        # the clock stands still meanwhile, so that what was due is what runs.
        watching = self.one_batch_per_turn
        if watching:
            self._clock.hold()
        busy = self._turn_busy or (watching and self.timeout() == 0)  # type: ignore[attr-defined]
        self._turn_busy = False
        if record is not None:
            record.timers_due()
        super().iterate(delay, fromqt)  # type: ignore[misc]
        if record is not None:
            record.turn_ended()
        if watching and busy:
            self._turn_over()
        elif watching:
            self._clock.release()

    def _turn_over(self) -> None:
        if self._stepping:
            self._stepping = False
        elif self._spacing > 0:
            self._spaced = True
            self._space_timer.start(round(self._spacing * 1000))
        self._update_hold()

    def _spacing_over(self) -> None:
        self._spaced = False
        self._update_hold()

    def _update_hold(self) -> None:
        if self.held:
            self._clock.hold()
            self.listen_for_sockets(False)
        else:
            self._clock.release()
            self.listen_for_sockets(True)
            # The turn that waited: its timers, and re-arming (a wake-up asked
            # for while held found the reactor held, and did nothing).
            self.reactorInvocation()  # type: ignore[attr-defined]
