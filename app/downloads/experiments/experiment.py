"""What every experiment shares: a run that can be cut short, a server of its own, a report.

An experiment is something a learner runs many times, while downloads run,
and closes whenever they like: so each one starts its own poetry server on a
free port of 127.0.0.1, every wait in it can be cut short
(:meth:`Experiment.stop`), and it ends only once its server, its timers and
its connections are gone. Its report is worded when it is read, never when
the run happens, so an open window follows a change of language.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import ClassVar, TypeVar

from twisted.internet.address import IPv4Address
from twisted.internet.defer import CancelledError, Deferred, ensureDeferred
from twisted.internet.interfaces import IListeningPort, IReactorTCP, IReactorTime
from twisted.internet.task import deferLater
from twisted.python.failure import Failure

from app.i18n import _
from app.net.global_reactor import or_global
from app.net.server import PoetryServerFactory, listen_poetry

LOCALHOST = "127.0.0.1"
#: The poem every experiment's server serves: short, and ours.
POEM = (
    b"The kettle sings before the water boils,\n"  # untranslated: a poem, served as bytes
    b"the reactor turns before the poem is done;\n"  # untranslated: a poem
    b"nothing waits for anything, and yet\n"  # untranslated: a poem
    b"every line arrives, and then the one.\n"  # untranslated: a poem
)
#: How long the clean-up waits for the server's last connections to close.
CLOSING_TURNS = 200
T = TypeVar("T")


class RunState(enum.Enum):
    NOT_STARTED = enum.auto()
    RUNNING = enum.auto()
    FINISHED = enum.auto()
    STOPPED = enum.auto()


class Experiment:
    """One experiment: explains itself in two sentences, runs once, reports what it saw.

    A subclass gives :attr:`name` (the stem of its action's object name),
    :meth:`title`, :meth:`explanation`, :meth:`_run` (the experiment, a
    coroutine that awaits through :meth:`wait` and :meth:`sleep`) and
    :meth:`findings` (what it saw so far, worded now, one text per column).
    ``changed`` is called whenever the report changed. ``reactor`` connects,
    listens and times; ``None`` is the global reactor.
    """

    name: ClassVar[str]

    def __init__(
        self,
        reactor: IReactorTCP | None = None,
        changed: Callable[[], object] | None = None,
    ) -> None:
        self.reactor: IReactorTCP = or_global(reactor)
        self.clock = IReactorTime(self.reactor)
        self._changed = changed
        self.state = RunState.NOT_STARTED
        #: Our own bug, if the experiment itself failed: shown, never hidden.
        self.error: Failure | None = None
        self._stopping = False
        self._waits: set[Deferred[object]] = set()

    # What a subclass gives

    @staticmethod
    def title() -> str:
        raise NotImplementedError

    @staticmethod
    def explanation() -> str:
        """Two sentences: what the experiment does, and what to look for."""
        raise NotImplementedError

    async def _run(self) -> None:
        raise NotImplementedError

    def findings(self) -> list[str]:
        """What the experiment saw so far, worded now: one text, or two shown side by side."""
        raise NotImplementedError

    # Running

    def start(self) -> Deferred[None]:
        """Run once; the Deferred fires (never fails) once all the run started has ended."""
        if self.state is not RunState.NOT_STARTED:
            raise RuntimeError("an experiment runs once")  # untranslated: a caller's bug
        return ensureDeferred(self._run_to_the_end())

    def stop(self) -> None:
        """Cut the run short: the wait under way ends in ``CancelledError``, then it cleans up."""
        self._stopping = True
        for d in list(self._waits):
            d.cancel()

    @property
    def running(self) -> bool:
        return self.state is RunState.RUNNING

    async def _run_to_the_end(self) -> None:
        self.state = RunState.RUNNING
        self.changed()
        try:
            await self._run()
        except CancelledError:
            if not self._stopping:
                self.error = Failure()
        except Exception:
            self.error = Failure()
        self.state = RunState.STOPPED if self._stopping else RunState.FINISHED
        self.changed()

    async def wait(self, d: Deferred[T]) -> T:
        """``await d``, unless :meth:`stop` comes first (then ``d`` is cancelled)."""
        if self._stopping:
            d.cancel()
        waiting: Deferred[object] = d  # type: ignore[assignment]
        self._waits.add(waiting)
        try:
            return await d
        finally:
            self._waits.discard(waiting)

    async def sleep(self, seconds: float) -> None:
        """Let the reactor run for ``seconds`` (a timer, never a blocking sleep)."""
        await self.wait(deferLater(self.clock, seconds, lambda: None))

    async def until(self, condition: Callable[[], bool], every: float = 0.02) -> None:
        """Let the reactor run until ``condition()`` holds, looking every ``every`` seconds."""
        while not condition():
            await self.sleep(every)

    def changed(self) -> None:
        """Tell whoever shows the report that it changed."""
        if self._changed is not None:
            self._changed()

    # The report's own lines

    def report(self) -> list[str]:
        """The findings, then where the run is: running, finished, stopped, or our own error."""
        columns = self.findings()
        ending = {
            RunState.NOT_STARTED: "",
            RunState.RUNNING: _("Running…"),
            RunState.FINISHED: _("Finished: everything the experiment started has ended."),
            RunState.STOPPED: _("Stopped before the end; everything it started has ended."),
        }[self.state]
        if self.error is not None:
            ending = _("The experiment itself failed (a bug in this program):") + "\n\n"
            ending += self.error.getTraceback()
        columns[0] = "\n\n".join(part for part in (columns[0], ending) if part)
        return columns


class LocalPoetryServer:
    """A poetry server of the experiment's own on a free port of 127.0.0.1, for ``async with``.

    On the way out it stops listening, aborts the connections still being
    served, and waits until they are closed: nothing of it outlives the run.
    """

    def __init__(
        self, reactor: IReactorTCP, delay: float = 0.02, num_bytes: int = 16, poem: bytes = POEM
    ) -> None:
        self.reactor = reactor
        self.factory = PoetryServerFactory(poem, delay, num_bytes, clock=IReactorTime(reactor))
        self._listening: IListeningPort | None = None

    @property
    def port(self) -> int:
        assert self._listening is not None, "only inside async with"  # untranslated: a bug
        host = self._listening.getHost()
        assert isinstance(host, IPv4Address)
        return host.port

    async def __aenter__(self) -> LocalPoetryServer:
        self._listening = listen_poetry(self.factory, 0, LOCALHOST, self.reactor)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        listening, self._listening = self._listening, None
        if listening is not None:
            stopped = listening.stopListening()
            if stopped is not None:
                await stopped
        for connection in list(self.factory.serving):
            connection.transport.abortConnection()
        clock = IReactorTime(self.reactor)
        for _turn in range(CLOSING_TURNS):
            if not self.factory.clients:
                break
            await deferLater(clock, 0.01, lambda: None)
