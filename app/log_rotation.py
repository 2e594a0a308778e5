"""The log file's rotation, and what happens when it fails: the log goes on, up to a cap.

Twisted's ``LogFile`` rotates before a write once the file has reached its
size: it renames the old files one place down, removes the oldest and
starts a new live file. When any of that fails (a directory planted where
the oldest file goes, a file another user owns, a folder made read-only)
``LogFile`` raises from the write, the line is lost, and so is every line
after it, since each write tries again: the log goes quiet, and nothing
says so.

:class:`SteadyLogFile` rotates the file itself, and a rotation that fails
never costs a line. The live file grows on past its size, up to
:data:`CAP_BYTES`; one warning, in the log and to whoever
:func:`watch_rotation` (the window's log dock), says what could not be done
and where; and rotation is tried again each time another
:data:`RETRY_BYTES` of lines has come, so the log rotates again by itself
once the obstacle is gone. Past the cap lines are counted, not written,
and the next live file begins by saying how many were lost.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from typing import NamedTuple

from twisted.logger import Logger
from twisted.python.logfile import LogFile

#: One log file grows to this size before it is rotated.
ROTATE_BYTES = 1_000_000
#: Rotated files kept beside the live one (``.1`` newest ... ``.5`` oldest).
KEEP_FILES = 5
#: While rotation fails the live file may grow to four files' worth: room for
#: the lines around whatever went wrong, yet a bound, so a log that can never
#: rotate cannot fill the disk.
CAP_BYTES = 4 * ROTATE_BYTES
#: While rotation fails it is tried again each time this much more has been logged.
RETRY_BYTES = ROTATE_BYTES // 10

_log = Logger(namespace="poetry.log")


class RotationTrouble(NamedTuple):
    """A rotation that failed: the path it could not move or remove, and the OS's reason."""

    path: str
    reason: str


_watchers: list[Callable[[RotationTrouble], object]] = []


def watch_rotation(watcher: Callable[[RotationTrouble], object]) -> None:
    """Tell ``watcher`` when rotation starts failing, once each time, on the main thread."""
    _watchers.append(watcher)


def unwatch_rotation(watcher: Callable[[RotationTrouble], object]) -> None:
    """Stop telling ``watcher``; one that does not watch is no error."""
    if watcher in _watchers:
        _watchers.remove(watcher)


def open_log_file(name: str, directory: str) -> LogFile:
    """The live file, opened to append; it never rotates by itself: :class:`SteadyLogFile` does."""
    return LogFile(name, directory, rotateLength=None, maxRotatedFiles=KEEP_FILES)


class SteadyLogFile:
    """Writes to the live file and rotates it; a failed rotation never silences the log.

    ``dropped_line`` makes the line that says, at the top of the next live
    file, how many lines the cap kept out. What the rotation has to say
    (its warning, and that it works again) is logged by whoever takes it
    (:meth:`take_news`) once it holds no lock: those records come back to
    the file through the log.
    """

    def __init__(self, logfile: LogFile, dropped_line: Callable[[int], str]) -> None:
        self._file = logfile
        self._open = True
        self._dropped_line = dropped_line
        #: Why rotation fails, while it does; None while it works.
        self.trouble: RotationTrouble | None = None
        #: Lines kept out of the file since it reached the cap.
        self.dropped = 0
        self._since_try = 0  # bytes offered since rotation last failed
        self._news: list[Callable[[], None]] = []

    @property
    def path(self) -> str:
        return str(self._file.path)

    def room(self) -> int:
        """Bytes that may come before something is due: a rotation, a retry, the cap."""
        if self.trouble is None:
            return ROTATE_BYTES - self._file.size
        return min(CAP_BYTES - self._file.size, RETRY_BYTES - self._since_try)

    def write(self, text: str, lines: int) -> None:
        """Write ``text`` (``lines`` lines), rotating first when due; past the cap, count them."""
        if self.trouble is not None:
            self._since_try += len(text)
        if self._file.size >= ROTATE_BYTES and (
            self.trouble is None or self._since_try >= RETRY_BYTES
        ):
            self._rotate()
        if self.trouble is not None and (not self._open or self._file.size >= CAP_BYTES):
            self.dropped += lines
            return
        self._file.write(text)

    def flush(self) -> None:
        if self._open:
            self._file.flush()

    def take_news(self) -> list[Callable[[], None]]:
        """What the rotation had to say since last asked: calls that log it, tell the watchers."""
        news, self._news = self._news, []
        return news

    def _rotate(self) -> None:
        try:
            if not self._open:
                self._file, self._open = self._reopened(), True
            self._file.rotate()
            if self._file.size >= ROTATE_BYTES:  # LogFile.rotate returns quietly where it may not
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), self._file.directory)
        except OSError as e:
            self._failed(e)
        else:
            self._rotated()

    def _failed(self, error: OSError) -> None:
        self._since_try = 0
        # Half-way through, the failure may have closed the live file: open it afresh.
        with contextlib.suppress(Exception):
            self._file.close()
        try:
            self._file, self._open = self._reopened(), True
        except OSError:
            self._open = False
        if self.trouble is None:
            trouble = RotationTrouble(
                str(error.filename or self._file.path), error.strerror or str(error)
            )
            self.trouble = trouble
            self._news.append(lambda: self._warn(trouble))

    def _rotated(self) -> None:
        trouble, dropped = self.trouble, self.dropped
        self.trouble, self.dropped, self._since_try = None, 0, 0
        if dropped:
            self._file.write(self._dropped_line(dropped))
        if trouble is not None:
            path = self.path
            self._news.append(
                lambda: _log.info("Log rotation works again: {log} rotated", log=path)
            )

    def _reopened(self) -> LogFile:
        old = self._file
        return open_log_file(old.name, old.directory)

    def _warn(self, trouble: RotationTrouble) -> None:
        _log.warn(
            "Log rotation failed: {reason}: {path}. The log file {log} grows on, "
            "to at most {cap} bytes, and rotation will be tried again.",
            reason=trouble.reason,
            path=trouble.path,
            log=self.path,
            cap=CAP_BYTES,
        )
        for watcher in list(_watchers):
            watcher(trouble)
