"""A callback that raises: the exception becomes a Failure for the errback; the reactor goes on.

The Twisted Introduction's point (part 3 and part 6): an exception in a
callback does not reach the reactor loop. Here a real download's first
callback raises; the experiment shows the Failure the next errback caught
(its traceback, with the raising callback's frame), the stack that called
the callback (the reactor's read of the socket down to the Deferred), and
that the reactor kept turning: its timer kept ticking, and the same server
served the poem again.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable

from twisted.internet.interfaces import IReactorTCP
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from app.downloads.experiments.experiment import LOCALHOST, Experiment, LocalPoetryServer
from app.i18n import _
from app.i18n.units import count_bytes, format_seconds
from app.net.client import get_poetry
from app.net.poem import Poem

#: How often the experiment's own timer ticks, to show the reactor turning.
TICK_SECONDS = 0.05
#: How long the reactor is watched after the exception.
WATCH_AFTER = 0.5


class RaisingCallback(Experiment):
    """Downloads a poem whose callback raises; reports the Failure, the stack, and the ticks."""

    name = "RaisingCallback"

    def __init__(
        self, reactor: IReactorTCP | None = None, changed: Callable[[], object] | None = None
    ) -> None:
        super().__init__(reactor, changed)
        self.ticks = 0
        self.ticks_before: int | None = None
        self.ticks_after: int | None = None
        self.caller_stack: list[traceback.FrameSummary] = []
        self.failure: Failure | None = None
        self.again: Poem | None = None

    @staticmethod
    def title() -> str:
        return _("A Callback That Raises")

    @staticmethod
    def explanation() -> str:
        return _(
            "A poem is downloaded from a server on 127.0.0.1, and the first callback on its "
            "Deferred raises an exception. Twisted turns the exception into a Failure and "
            "passes it down the callback chain to the next errback, while the reactor goes on "
            "running its timers and connections."
        )

    def a_callback_that_raises(self, poem: Poem) -> Poem:
        """The callback under test: notes who called it, then raises."""
        self.caller_stack = traceback.extract_stack()[:-1]
        raise ValueError(
            f"this callback refuses a poem of {poem.size} bytes"  # untranslated: in a traceback
        )

    def an_errback_that_catches(self, failure: Failure) -> None:
        """The next errback down the chain: keeps the Failure; returning None ends the error."""
        self.failure = failure
        self.ticks_before = self.ticks
        self.changed()

    def _tick(self) -> None:
        self.ticks += 1
        if self.failure is not None:
            self.changed()

    async def _run(self) -> None:
        ticker = LoopingCall(self._tick)
        ticker.clock = self.clock
        ticker.start(TICK_SECONDS, now=False)
        try:
            async with LocalPoetryServer(self.reactor) as server:
                d = get_poetry(LOCALHOST, server.port, reactor=self.reactor)
                d.addCallback(self.a_callback_that_raises)
                d.addErrback(self.an_errback_that_catches)
                await self.wait(d)
                await self.sleep(WATCH_AFTER)
                assert self.ticks_before is not None
                self.ticks_after = self.ticks - self.ticks_before
                # The network is served as before: the same poem, again.
                self.again = await self.wait(
                    get_poetry(LOCALHOST, server.port, reactor=self.reactor)
                )
        finally:
            ticker.stop()

    def findings(self) -> list[str]:
        failure = self.failure
        if failure is None:
            return [
                _("Downloading; the reactor's timer has ticked {n} times.").format(n=self.ticks)
            ]
        assert failure.type is not None
        parts = [
            _(
                "The callback {callback} raised {exception}. The errback {errback} caught it as "
                "a Failure; its traceback:"
            ).format(
                callback=self.a_callback_that_raises.__name__,
                exception=failure.type.__name__,
                errback=self.an_errback_that_catches.__name__,
            ),
            failure.getTraceback().rstrip(),
            _("Who called the callback (the stack as it ran, the reactor first):"),
            "\n".join(
                f"  {frame.name}  ({_short_file(frame.filename)}:{frame.lineno})"
                for frame in _from_the_reactor(self.caller_stack)
            ),
        ]
        before = self.ticks_before or 0
        after = self.ticks_after if self.ticks_after is not None else self.ticks - before
        parts.append(
            _(
                "The reactor kept running: its timer ticked {before} times before the exception "
                "and {after} times in the {seconds} after it."
            ).format(
                before=before,
                after=after,
                seconds=format_seconds(WATCH_AFTER),
            )
        )
        if self.again is not None:
            parts.append(
                _("Then the same server's poem was downloaded again: {size}.").format(
                    size=count_bytes(self.again.size)
                )
            )
        return ["\n\n".join(parts)]


def _short_file(path: str) -> str:
    """``twisted/internet/tcp.py`` rather than the whole path of the installed package."""
    parts = path.replace("\\", "/").split("/")
    for root in ("twisted", "qt5reactor", "app"):
        if root in parts:
            return "/".join(parts[len(parts) - 1 - parts[::-1].index(root) :])
    return parts[-1]


def _from_the_reactor(stack: list[traceback.FrameSummary]) -> list[traceback.FrameSummary]:
    """The frames from the reactor's last one down: how it ran the loop before is not news."""
    reactor_frames = [
        index for index, frame in enumerate(stack) if "reactor" in _short_file(frame.filename)
    ]
    return stack[reactor_frames[-1] :] if reactor_frames else stack
