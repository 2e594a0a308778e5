"""Blocking the reactor: the one place this program blocks its own event loop, on purpose.

Everything in the window runs on one thread, the reactor's. Code that does
not return holds up every timer, every socket and every repaint: the
window freezes, then catches up. The experiment busy-waits on the main
thread for a few seconds and measures, with a timer that should tick every
50 ms, how long the reactor stood still.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

from twisted.internet.interfaces import IReactorTCP
from twisted.internet.task import LoopingCall

from app.downloads.experiments.experiment import Experiment
from app.i18n import _
from app.i18n.units import format_seconds

BLOCK_SECONDS = 3.0
TICK_SECONDS = 0.05
#: Time for the window to show "about to block" before it freezes, and to catch up after.
SETTLE_SECONDS = 0.3


class BlockedReactor(Experiment):
    """Busy-waits on the reactor's thread; reports the longest gap between a timer's ticks."""

    name = "BlockedReactor"

    def __init__(
        self, reactor: IReactorTCP | None = None, changed: Callable[[], object] | None = None
    ) -> None:
        super().__init__(reactor, changed)
        self.ticks: list[float] = []
        self.blocked_for: float | None = None

    @staticmethod
    def title() -> str:
        return _("Blocking the Reactor for 3 s")

    @staticmethod
    def explanation() -> str:
        return _(
            "The experiment runs a busy loop for 3 seconds on the reactor's thread, as a "
            "blocking call would. Meanwhile no timer fires, no socket is read and the window "
            "does not repaint; then everything catches up at once."
        )

    def _tick(self) -> None:
        self.ticks.append(time.monotonic())

    async def _run(self) -> None:
        ticker = LoopingCall(self._tick)
        ticker.clock = self.clock
        ticker.start(TICK_SECONDS, now=True)
        try:
            await self.sleep(SETTLE_SECONDS)
            self.block()
            await self.sleep(SETTLE_SECONDS)
            gaps = [later - earlier for earlier, later in itertools.pairwise(self.ticks)]
            self.blocked_for = max(gaps, default=0.0)
        finally:
            ticker.stop()

    @staticmethod
    def block() -> None:
        """The deliberate mistake: a loop that never gives the reactor back for BLOCK_SECONDS."""
        end = time.monotonic() + BLOCK_SECONDS
        while time.monotonic() < end:
            pass

    def findings(self) -> list[str]:
        if self.blocked_for is None:
            return [
                _("About to block the reactor: the window will freeze for {seconds}.").format(
                    seconds=format_seconds(BLOCK_SECONDS)
                )
            ]
        return [
            _(
                "The timer should tick every {tick}; the longest gap between two ticks was "
                "{gap}. For that long the reactor ran nothing else: no socket was read and the "
                "window was frozen."
            ).format(tick=format_seconds(TICK_SECONDS), gap=format_seconds(self.blocked_for))
        ]
