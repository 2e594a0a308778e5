"""Saving the settings on a worker thread, so a long server list never freezes the window.

The window saves the moment its list changes. With ten thousand servers,
turning the settings into JSON and writing them (fsync, rename) on the
window's thread made it stutter. :class:`SettingsWriter` takes the settings
as they are at the moment of the save (the caller copies what may change)
and does the rest on the reactor's thread pool:

- one write at a time, and the newest settings win: while a write runs,
  further saves wait as one, the newest;
- a write never renames older settings over newer ones: each save is
  numbered, and a write whose settings are older than the last one begun
  writes nothing;
- :meth:`SettingsWriter.save_now`, for the last save as the window closes,
  writes on the caller's thread, after any write in flight;
- each outcome is told on the reactor's thread (the window's), newest last:
  a failure to the ``failed`` function, as an ``OSError``, a success to
  ``saved``; an older write that ends after a newer one was told is not
  told, so what the window shows is the newest save's fate;
- :meth:`SettingsWriter.written` is a Deferred for the settings handed over
  so far: it fires once they are on disk, or once their failure has been
  told. A later launch's addresses are answered "taken" only then.

A crash in the middle of a write leaves the old file or the new one
(:mod:`app.atomic_file`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from twisted.internet.defer import Deferred, succeed
from twisted.internet.interfaces import IReactorThreads
from twisted.internet.threads import deferToThreadPool
from twisted.logger import Logger
from twisted.python.failure import Failure

from app.atomic_file import write_atomically
from app.net.global_reactor import or_global
from app.settings.store import FILE_NAME, Settings, settings_bytes

log = Logger(namespace="poetry.settings")

#: The settings at the moment of a save, finished on the worker thread: it may
#: read only what it copied then, never the window's live objects.
SettingsTaken = Callable[[], Settings]


def _let_others_run() -> None:
    """Hand the GIL to a thread waiting for it: the window's, to handle its events.

    Otherwise a worker busy with Python code keeps it for the whole switch
    interval each time, and the window's events wait behind it.
    """
    time.sleep(0)


class SettingsWriter:
    """Writes ``config_dir``'s settings file off the reactor's thread, one write at a time.

    ``reactor`` (the global one unless given, as in Twisted's own APIs) lends
    its thread pool and hears back on its own thread. ``saved`` (if given)
    is told each time settings reach the disk, ``failed`` each time they do not.
    """

    def __init__(
        self,
        config_dir: Path,
        failed: Callable[[OSError], None],
        reactor: IReactorThreads | None = None,
        *,
        saved: Callable[[], None] | None = None,
    ) -> None:
        reactor = or_global(reactor)
        self.config_dir = config_dir
        self._failed = failed
        self._saved = saved
        self._reactor = reactor
        #: Held by whoever writes the file, a worker or :meth:`save_now`.
        self._file_lock = threading.Lock()
        #: The number of the newest settings handed over (the reactor's thread only).
        self._latest = 0
        #: The number of the newest settings whose write has begun (under the lock).
        self._begun = 0
        #: The newest settings waiting for the write in flight to end.
        self._waiting: tuple[int, SettingsTaken] | None = None
        self._writing = False
        #: The number of the newest save whose outcome was told, and that outcome.
        self._told = 0
        self._ok = True
        #: :meth:`written`'s Deferreds, each with the number of the save it waits for.
        self._waiters: list[tuple[int, Deferred[bool]]] = []

    @property
    def busy(self) -> bool:
        """True from a :meth:`save` until its settings are written (or failed to be)."""
        return self._writing or self._waiting is not None

    @property
    def failing(self) -> bool:
        """True when the newest save told failed: the file is older than the window's settings."""
        return not self._ok

    def save(self, settings: SettingsTaken) -> None:
        """Write ``settings()`` soon, on a worker thread; returns at once."""
        self._latest += 1
        self._waiting = (self._latest, settings)
        if not self._writing:
            self._write_next()

    def save_now(self, settings: Settings) -> bool:
        """Write ``settings`` before returning, after any write in flight; True if written.

        Saves waiting for their turn are dropped: these settings are newer.
        The outcome is told (``saved`` or ``failed``) before this returns.
        """
        self._latest += 1
        number = self._latest
        self._waiting = None
        try:
            self._write(number, lambda: settings)
        except OSError as e:
            self._tell(number, e)
            return False
        self._tell(number, None)
        return True

    def written(self) -> Deferred[bool]:
        """Fires once every save handed over so far is written (True), or told failed (False)."""
        if not self.busy or self._latest <= self._told:
            return succeed(self._ok)
        waiting: Deferred[bool] = Deferred()
        self._waiters.append((self._latest, waiting))
        return waiting

    def _write_next(self) -> None:
        threads = self._reactor
        assert self._waiting is not None
        (number, settings), self._waiting = self._waiting, None
        self._writing = True
        written = deferToThreadPool(threads, threads.getThreadPool(), self._write, number, settings)
        written.addCallbacks(
            self._write_ended, self._report, callbackArgs=(number,), errbackArgs=(number,)
        )
        written.addBoth(self._written)

    def _write(self, number: int, settings: SettingsTaken) -> bool:
        """On a worker thread (or the caller's, for :meth:`save_now`); False if skipped."""
        taken = settings()
        _let_others_run()
        data = settings_bytes(taken, _let_others_run)
        with self._file_lock:
            if number < self._begun:
                return False  # newer settings were written meanwhile (save_now)
            self._begun = number
            write_atomically(self.config_dir / FILE_NAME, data)
        return True

    def _write_ended(self, wrote: bool, number: int) -> None:
        if wrote:
            self._tell(number, None)

    def _report(self, failure: Failure, number: int) -> None:
        if isinstance(failure.value, OSError):
            self._tell(number, failure.value)
        else:
            # A bug, not the disk: the log has its traceback.
            text = "Saving the settings in {folder} failed"  # untranslated: log record
            log.failure(text, failure, folder=self.config_dir)
            self._answer_waiters(number, False)

    def _tell(self, number: int, error: OSError | None) -> None:
        """Tell the outcome of save ``number``, unless a newer one was told; then answer waiters."""
        if number >= self._told:
            self._told = number
            self._ok = error is None
            if error is not None:
                self._failed(error)
            elif self._saved is not None:
                self._saved()
        self._answer_waiters(number, error is None)

    def _answer_waiters(self, number: int, ok: bool) -> None:
        """Fire the Deferreds of :meth:`written` waiting for save ``number`` or an older one."""
        ready = [waiting for wanted, waiting in self._waiters if wanted <= number]
        self._waiters = [(wanted, w) for wanted, w in self._waiters if wanted > number]
        for waiting in ready:
            waiting.callback(ok)

    def _written(self, _result: object) -> None:
        self._writing = False
        if self._waiting is not None:
            self._write_next()
