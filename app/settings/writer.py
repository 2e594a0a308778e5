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
- a failure is reported to the ``failed`` function on the reactor's thread
  (the window's), as an ``OSError``.

A crash in the middle of a write leaves the old file or the new one
(:mod:`app.atomic_file`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

from twisted.internet.interfaces import IReactorThreads
from twisted.internet.threads import deferToThreadPool
from twisted.logger import Logger
from twisted.python.failure import Failure

from app.atomic_file import write_atomically
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
    its thread pool and hears back on its own thread.
    """

    def __init__(
        self,
        config_dir: Path,
        failed: Callable[[OSError], None],
        reactor: IReactorThreads | None = None,
    ) -> None:
        if reactor is None:
            from twisted.internet import reactor as global_reactor

            reactor = cast(IReactorThreads, global_reactor)
        self.config_dir = config_dir
        self._failed = failed
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

    @property
    def busy(self) -> bool:
        """True from a :meth:`save` until its settings are written (or failed to be)."""
        return self._writing or self._waiting is not None

    def save(self, settings: SettingsTaken) -> None:
        """Write ``settings()`` soon, on a worker thread; returns at once."""
        self._latest += 1
        self._waiting = (self._latest, settings)
        if not self._writing:
            self._write_next()

    def save_now(self, settings: Settings) -> None:
        """Write ``settings`` before returning, after any write in flight. Raises ``OSError``.

        Saves waiting for their turn are dropped: these settings are newer.
        """
        self._latest += 1
        self._waiting = None
        self._write(self._latest, lambda: settings)

    def _write_next(self) -> None:
        threads = self._reactor
        assert self._waiting is not None
        (number, settings), self._waiting = self._waiting, None
        self._writing = True
        written = deferToThreadPool(threads, threads.getThreadPool(), self._write, number, settings)
        written.addErrback(self._report)
        written.addBoth(self._written)

    def _write(self, number: int, settings: SettingsTaken) -> None:
        """On a worker thread (or the caller's, for :meth:`save_now`)."""
        taken = settings()
        _let_others_run()
        data = settings_bytes(taken, _let_others_run)
        with self._file_lock:
            if number < self._begun:
                return  # newer settings were written meanwhile (save_now)
            self._begun = number
            write_atomically(self.config_dir / FILE_NAME, data)

    def _report(self, failure: Failure) -> None:
        if isinstance(failure.value, OSError):
            self._failed(failure.value)
        else:
            # A bug, not the disk: the log has its traceback.
            text = "Saving the settings in {folder} failed"  # untranslated: log record
            log.failure(text, failure, folder=self.config_dir)

    def _written(self, _result: object) -> None:
        self._writing = False
        if self._waiting is not None:
            self._write_next()
