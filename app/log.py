"""The program's log: ``twisted.logger`` events kept in memory for the window, and a rotated file.

Everything that goes wrong without a dialog of its own ends up here: a
Deferred garbage-collected with an unhandled failure (Twisted logs it as
"Unhandled error in Deferred"), an exception escaping one of our callbacks
or Qt slots, and the story of each download. Two observers listen:

- :class:`LogBuffer`, a bounded list of :class:`LogRecord` that the log dock
  shows; it needs nothing but ``twisted.logger`` and lives as long as the
  window that adds it to ``globalLogPublisher``;
- the log file, ``$XDG_STATE_HOME/poetry-downloader/poetry-downloader.log``,
  rotated at :data:`ROTATE_BYTES` with :data:`KEEP_FILES` old files kept,
  begun once per process by :func:`start_file_log` (the tests never begin
  it: they run many windows in one process).

Records made by the thousand (each download's steps,
:mod:`app.downloads.download_log`) skip ``twisted.logger``: they are made as
:class:`LogRecord` and handed to both places by :func:`publish_record`.
Twisted's event dictionary, its two publishers and its level filter, all
there for records anyone may observe, were three quarters of such a
record's cost, three times per download.
"""

from __future__ import annotations

import atexit
import contextlib
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, NamedTuple

from twisted.logger import (
    ILogObserver,
    LogEvent,
    Logger,
    LogLevel,
    formatEvent,
    globalLogBeginner,
)
from twisted.python.failure import Failure
from twisted.python.logfile import LogFile
from zope.interface import implementer

from app import APP_NAME
from app.i18n import _

if TYPE_CHECKING:
    from twisted.internet.interfaces import IDelayedCall

LOG_FILE_NAME = f"{APP_NAME}.log"
#: One log file grows to this size before it is rotated.
ROTATE_BYTES = 1_000_000
#: Rotated files kept beside the live one (``.1`` newest ... ``.5`` oldest).
KEEP_FILES = 5
#: Records the window keeps; older ones are only in the file.
BUFFER_RECORDS = 5_000

log = Logger(namespace="poetry")

LEVEL_WORDS = {
    LogLevel.debug: "DEBUG",
    LogLevel.info: "INFO",
    LogLevel.warn: "WARNING",
    LogLevel.error: "ERROR",
    LogLevel.critical: "CRITICAL",
}
#: The level as a line of the file shows it, padded to one width.
_LEVEL_COLUMNS = {level: f"{words:<8}" for level, words in LEVEL_WORDS.items()}
#: The milliseconds of a line's time, "000" to "999": looked up, not formatted, per line.
_MILLIS = tuple(f"{n:03d}" for n in range(1000))


class LogRecord(NamedTuple):
    """One event as a person reads it: when, how bad, where from, what (and the traceback).

    A named tuple, not a frozen dataclass: as unchangeable, and made in
    about a third of the time (0.24 µs against 0.65 µs), which thirty
    thousand records for 10,000 downloads notice.
    """

    time: float
    level: LogLevel
    namespace: str
    text: str
    traceback: str | None = None

    def line(self) -> str:
        stamp = _clock_time(int(self.time))
        millis = _MILLIS[int(self.time * 1000) % 1000]
        text = f"{stamp}.{millis} {_LEVEL_COLUMNS[self.level]} {self.text}"
        if self.traceback:
            text += "\n" + self.traceback.rstrip("\n")
        return text


#: The last second a line was stamped with, and its ``HH:MM:SS``.
_last_stamp: tuple[int, str] = (-1, "")


def _clock_time(second: int) -> str:
    """``HH:MM:SS`` of a time in whole seconds, worked out once a second, not once a line."""
    global _last_stamp
    if _last_stamp[0] != second:
        _last_stamp = (second, time.strftime("%H:%M:%S", time.localtime(second)))
    return _last_stamp[1]


#: The last event turned into a record, and the record: each event goes to the
#: log dock's buffer and to the log file, and is turned into a record once.
_last_record: tuple[LogEvent | None, LogRecord | None] = (None, None)


def record_of(event: LogEvent) -> LogRecord:
    """Turn a ``twisted.logger`` event into a record; never raises, whatever the event holds."""
    global _last_record
    seen, record = _last_record
    if seen is event and record is not None:
        return record
    record = _new_record(event)
    _last_record = (event, record)
    return record


def _new_record(event: LogEvent) -> LogRecord:
    level: LogLevel = event.get("log_level", LogLevel.info)
    if level not in LEVEL_WORDS:
        level = LogLevel.info
    text = _text_of(event)
    failure = event.get("log_failure")
    return LogRecord(
        time=float(event.get("log_time") or time.time()),
        level=level,
        namespace=str(event.get("log_namespace", "")),
        text=text,
        traceback=traceback_of(failure) if isinstance(failure, Failure) else None,
    )


def traceback_of(failure: Failure) -> str:
    """The failure's traceback as text; its type and message if even that fails."""
    try:
        return str(failure.getTraceback())
    except Exception:
        return f"{type(failure.value).__name__}: {failure.value}"


def _text_of(event: LogEvent) -> str:
    """The event's words, as ``formatEvent`` gives them.

    Most events (every download's steps among them) name plain fields,
    which ``str.format_map`` fills in a microsecond; ``formatEvent``, tens
    of times slower, is for the rest (``{method()}`` calls, legacy events,
    broken formats), so logging a step per connection at ten thousand
    connections never shows in a profile.
    """
    log_format = event.get("log_format")
    if isinstance(log_format, str):
        try:
            return log_format.format_map(event)
        except Exception:
            pass  # what formatEvent makes of it, below
    try:
        return formatEvent(event)
    except Exception as e:  # a broken format string must not lose the event
        return f"(unformattable log event: {e!r})"  # untranslated: a log record


@implementer(ILogObserver)
class LogBuffer:
    """The newest :data:`BUFFER_RECORDS` events, and a callback for each new one.

    The callback only gets the record; the log dock batches them on a timer,
    so a storm of events costs one repaint per tick, not one per event.
    """

    def __init__(self, capacity: int = BUFFER_RECORDS) -> None:
        self.records: deque[LogRecord] = deque(maxlen=capacity)
        self.listeners: list[Callable[[LogRecord], object]] = []

    def __call__(self, event: LogEvent) -> None:
        self.add(record_of(event))

    def add(self, record: LogRecord) -> None:
        """Keep ``record`` (from Twisted's log, or from :func:`publish_record`) and pass it on."""
        self.records.append(record)
        for listener in list(self.listeners):
            listener(record)


#: Who takes the records :func:`publish_record` hands over: log docks' buffers, the log file.
#: A tuple, replaced on (un)following: publishing iterates it without a copy.
_record_sinks: tuple[Callable[[LogRecord], object], ...] = ()


def follow_records(sink: Callable[[LogRecord], object]) -> None:
    """Give ``sink`` every record published from now on by :func:`publish_record`."""
    global _record_sinks
    _record_sinks = (*_record_sinks, sink)


def unfollow_records(sink: Callable[[LogRecord], object]) -> None:
    """Stop giving ``sink`` records; a sink that never followed is no error."""
    global _record_sinks
    sinks = list(_record_sinks)
    if sink in sinks:
        sinks.remove(sink)
        _record_sinks = tuple(sinks)


def publish_record(record: LogRecord) -> None:
    """Hand ``record`` to the log docks and the log file, as a Twisted log event would reach them.

    Only for records at :attr:`LogLevel.info` or above, which the log's
    level filter lets through anyway. A record published before the log
    file is begun is not in the file (Twisted's own events are buffered
    until then); the window logs downloads only after the file is begun.
    """
    for sink in _record_sinks:
        sink(record)


#: The longest an ordinary line waits before it is in the log file, seconds.
FILE_FLUSH_SECONDS = 0.5
_MAIN_THREAD_ID = threading.main_thread().ident
#: Levels written to the file at once, with every line waiting before them.
_URGENT_LEVELS = frozenset({LogLevel.warn, LogLevel.error, LogLevel.critical})


class _FileLines:
    """The log file's writer: lines wait a moment and are written together, in order.

    Twisted's ``LogFile`` is unbuffered, so every line was a system call of
    its own: three a download, 3.8 µs each, some 0.1 s of CPU per 10,000
    poems. Lines now wait at most :data:`FILE_FLUSH_SECONDS` on a reactor
    timer. A warning or worse is written at once, with everything before
    it, so what led to a crash is in the file; the lines still waiting when
    the process ends are written then (``atexit``). Before a reactor is
    installed there is no timer to wait on, and each line is written at
    once. Twisted's own events and the download records share this writer,
    so the file keeps their order.
    """

    def __init__(self, logfile: LogFile) -> None:
        self._logfile = logfile
        self._lines: list[str] = []
        self._due: IDelayedCall | None = None
        self._lock = threading.Lock()
        atexit.register(self.flush)

    def add(self, line: str, urgent: bool) -> None:
        with self._lock:
            self._lines.append(line)
        if urgent or threading.get_ident() != _MAIN_THREAD_ID:
            self.flush()  # a worker thread's line: no reactor timer from there
        elif self._due is None:
            reactor = sys.modules.get("twisted.internet.reactor")
            if reactor is None:  # importing it here would install the default reactor
                self.flush()
            else:
                self._due = reactor.callLater(FILE_FLUSH_SECONDS, self._flush_due)

    def record(self, record: LogRecord) -> None:
        """A sink for :func:`publish_record`."""
        self.add(record.line() + "\n", record.level in _URGENT_LEVELS)

    def _flush_due(self) -> None:
        self._due = None
        self.flush()

    def flush(self) -> None:
        """Write every waiting line now."""
        if threading.get_ident() == _MAIN_THREAD_ID:
            due, self._due = self._due, None
            if due is not None and due.active():
                due.cancel()
        with self._lock:
            lines, self._lines = self._lines, []
            # A full or vanished disk: the window's log dock still has the records.
            with contextlib.suppress(OSError):
                self._write(lines)

    def _write(self, lines: list[str]) -> None:
        """Write ``lines`` in as few calls as rotation allows.

        ``LogFile`` rotates before a write once the file has reached its
        size, so a batch is cut where the file would reach it: a file
        ends at most one line past :data:`ROTATE_BYTES`, as when each line
        was written alone.
        """
        logfile = self._logfile
        limit = logfile.rotateLength
        room = limit - logfile.size if limit else sys.maxsize
        piece: list[str] = []
        for line in lines:
            piece.append(line)
            room -= len(line)
            if room <= 0:
                logfile.write("".join(piece))
                piece, room = [], limit
        if piece:
            logfile.write("".join(piece))
        if lines:
            logfile.flush()


@implementer(ILogObserver)
class _FileObserver:
    """Twisted's log events, each a line (and its traceback) for :class:`_FileLines`."""

    def __init__(self, lines: _FileLines) -> None:
        self._lines = lines

    def __call__(self, event: LogEvent) -> None:
        self._lines.record(record_of(event))


def default_state_dir() -> Path:
    """``$XDG_STATE_HOME/poetry-downloader``, or ``~/.local/state/poetry-downloader``."""
    from app.places import state_home

    return state_home() / APP_NAME


def start_file_log(state_dir: Path | None = None) -> tuple[Path | None, str | None]:
    """Begin logging to the rotated file; returns its path, or ``None`` and why not.

    Events logged before this call (Twisted buffers them) are written too.
    An unwritable state directory is not fatal: the window still shows the
    log, and the reason is returned for the user.
    """
    directory = state_dir or default_state_dir()
    observers = []
    path: Path | None = None
    problem = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        logfile = LogFile(
            LOG_FILE_NAME,
            str(directory),
            rotateLength=ROTATE_BYTES,
            maxRotatedFiles=KEEP_FILES,
        )
        lines = _FileLines(logfile)
        observers.append(_FileObserver(lines))
        follow_records(lines.record)
        path = directory / LOG_FILE_NAME
    except OSError as e:
        problem = _("cannot write the log in {folder}: {reason}").format(
            folder=directory, reason=e.strerror or e
        )
    globalLogBeginner.beginLoggingTo(observers, redirectStandardIO=False)
    return path, problem


def log_uncaught(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """``sys.excepthook``: an exception that escaped a Qt slot is logged, and the program goes on.

    PyQt's default reaction is to abort the whole process, losing every
    download in flight for one bug in one handler.
    """
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    log.failure("Uncaught exception in a Qt handler", Failure(value, kind, tb))  # untranslated: log
