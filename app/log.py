"""The program's log: one hub that every record reaches, read by the log dock and a rotated file.

Everything that goes wrong without a dialog of its own ends up here: a
Deferred garbage-collected with an unhandled failure (Twisted logs it as
"Unhandled error in Deferred"), an exception escaping one of our callbacks
or Qt slots, and the story of each download.

Two producers, one hub, two readers. Records come from ``twisted.logger``
(our :data:`log` and Twisted's own events), which :data:`record_hub`
observes and turns into a :class:`LogRecord` once per event; and from
:mod:`app.downloads.download_log`, which makes each download's records
itself and publishes them to the hub: they come by the thousand, and
Twisted's event dictionary and publisher, there for events anyone may
observe, would cost each of them more than the record itself. The hub
hands each record, in the order it came, to whoever follows it: a log
dock's :class:`LogBuffer` and the log file,
``$XDG_STATE_HOME/poetry-downloader/poetry-downloader.log``, rotated at
:data:`~app.log_rotation.ROTATE_BYTES` with five old files kept (a rotation that
fails never silences it: :mod:`app.log_rotation`), begun once per
process by :func:`start_file_log` (the tests never begin it: they run many
windows in one process). With one route, the file and the dock see the
same records in the same order, and a reader is added in one place.
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
from typing import TYPE_CHECKING, NamedTuple, TypeAlias

from twisted.logger import (
    ILogObserver,
    LogEvent,
    Logger,
    LogLevel,
    LogPublisher,
    formatEvent,
    globalLogBeginner,
    globalLogPublisher,
)
from twisted.python.failure import Failure
from zope.interface import implementer

from app import APP_NAME, places
from app.i18n import _
from app.log_rotation import SteadyLogFile, open_log_file

if TYPE_CHECKING:
    from twisted.internet.interfaces import IDelayedCall
    from twisted.python.logfile import LogFile

LOG_FILE_NAME = f"{APP_NAME}.log"
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


def clock_time(second: int) -> str:
    """``HH:MM:SS`` of a time in whole seconds, in local time."""
    return time.strftime("%H:%M:%S", time.localtime(second))


class ClockTimes:
    """``HH:MM:SS`` of whole seconds, each worked out once: a log's lines come many to a second.

    Each writer of lines (the file, a log dock) keeps its own. The last
    second and its words are one tuple, replaced whole, so a line written
    from a worker thread never reads half of it.
    """

    def __init__(self) -> None:
        self._last: tuple[int, str] = (-1, "")

    def of(self, second: int) -> str:
        """``HH:MM:SS`` of ``second``, as :func:`clock_time` words it."""
        last = self._last
        if last[0] != second:
            last = self._last = (second, clock_time(second))
        return last[1]


class LogRecord(NamedTuple):
    """One event as a person reads it: when, how bad, where from, what (and the traceback).

    A named tuple, not a frozen dataclass: as unchangeable, and much
    cheaper to make, which a few records for every download notice.
    """

    time: float
    level: LogLevel
    namespace: str
    text: str
    traceback: str | None = None

    def line(self, clock_times: ClockTimes | None = None) -> str:
        """The record as the file and the dock show it; a writer of lines brings its clock times."""
        second = int(self.time)
        stamp = clock_time(second) if clock_times is None else clock_times.of(second)
        millis = _MILLIS[int(self.time * 1000) % 1000]
        text = f"{stamp}.{millis} {_LEVEL_COLUMNS[self.level]} {self.text}"
        if self.traceback:
            text += "\n" + self.traceback.rstrip("\n")
        return text


#: Whoever reads the records: a log dock's buffer, the log file.
RecordReader: TypeAlias = Callable[[LogRecord], object]


def record_of(event: LogEvent) -> LogRecord:
    """Turn a ``twisted.logger`` event into a record; never raises, whatever the event holds."""
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

    Most events name plain fields, which ``str.format_map`` fills in
    directly; ``formatEvent``, which parses the format and looks each field
    up its own way, is for the rest (``{method()}`` calls, legacy events,
    broken formats), so a step logged per connection stays cheap.
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


class LogBuffer:
    """The newest :data:`BUFFER_RECORDS` records, and a callback for each new one.

    The callback only gets the record; the log dock batches them on a timer,
    so a storm of records costs one repaint per tick, not one per record.
    """

    def __init__(self, capacity: int = BUFFER_RECORDS) -> None:
        self.records: deque[LogRecord] = deque(maxlen=capacity)
        self.listeners: list[RecordReader] = []

    def add(self, record: LogRecord) -> None:
        """Keep ``record`` and pass it on: a reader of :data:`record_hub`."""
        self.records.append(record)
        for listener in list(self.listeners):
            listener(record)


@implementer(ILogObserver)
class RecordHub:
    """Where every log record goes, and where every reader of the log follows them.

    Records arrive two ways: :meth:`publish` takes a record already made,
    and calling the hub with a ``twisted.logger`` event (it is that
    publisher's observer) turns the event into a record first, once for
    all readers. The hub observes the publisher only while someone
    follows it, so a log nobody reads costs nothing.
    """

    def __init__(self, publisher: LogPublisher) -> None:
        self._publisher = publisher
        #: A tuple, replaced on (un)following: publishing iterates it without a copy.
        self._readers: tuple[RecordReader, ...] = ()

    def follow(self, reader: RecordReader) -> None:
        """Give ``reader`` every record from now on, Twisted's events among them."""
        if not self._readers:
            self._publisher.addObserver(self)
        self._readers = (*self._readers, reader)

    def unfollow(self, reader: RecordReader) -> None:
        """Stop giving ``reader`` records; a reader that does not follow is no error."""
        readers = list(self._readers)
        if reader in readers:
            readers.remove(reader)
            self._readers = tuple(readers)
            if not readers:
                self._publisher.removeObserver(self)

    def publish(self, record: LogRecord) -> None:
        """Hand ``record`` to every reader, in the order they followed."""
        for reader in self._readers:
            reader(record)

    def __call__(self, event: LogEvent) -> None:
        """A ``twisted.logger`` event: made a record, then published."""
        self.publish(record_of(event))


#: The process's one hub: log docks and the log file follow it; download records are published
#: to it. Twisted's events reach it through ``globalLogPublisher``, like every other observer.
record_hub = RecordHub(globalLogPublisher)


#: The longest an ordinary line waits before it is in the log file, seconds.
FILE_FLUSH_SECONDS = 0.5
_MAIN_THREAD_ID = threading.main_thread().ident
#: Levels written to the file at once, with every line waiting before them.
_URGENT_LEVELS = frozenset({LogLevel.warn, LogLevel.error, LogLevel.critical})


class FileLines:
    """The log file's writer: lines wait a moment and are written together, in order.

    Twisted's ``LogFile`` is unbuffered: written one by one, each of a
    download's lines would be a system call of its own. Lines wait at most
    :data:`FILE_FLUSH_SECONDS` on a reactor timer. A warning or worse is
    written at once, with everything before it, so what led to a crash is
    in the file; the lines still waiting when the process ends are written
    then (``atexit``). Before a reactor is installed there is no timer to
    wait on, and each line is written at once. It reads :data:`record_hub`,
    which brings Twisted's events and the download records alike, so the
    file keeps their order. The file rotates as
    :class:`app.log_rotation.SteadyLogFile` says, which never loses a line
    to a rotation that fails.
    """

    def __init__(self, logfile: LogFile) -> None:
        self._file = SteadyLogFile(logfile, self._dropped_line)
        self._lines: list[str] = []
        self._due: IDelayedCall | None = None
        self._lock = threading.Lock()
        self._clock_times = ClockTimes()
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
        """A reader of :data:`record_hub`: the record as a line (and its traceback)."""
        self.add(record.line(self._clock_times) + "\n", record.level in _URGENT_LEVELS)

    def _flush_due(self) -> None:
        self._due = None
        self.flush()

    def flush(self) -> None:
        """Write every waiting line now; then log what the rotation had to say, if anything."""
        on_main_thread = threading.get_ident() == _MAIN_THREAD_ID
        if on_main_thread:
            due, self._due = self._due, None
            if due is not None and due.active():
                due.cancel()
        with self._lock:
            lines, self._lines = self._lines, []
            # A full or vanished disk: the window's log dock still has the records.
            with contextlib.suppress(OSError):
                self._write(lines)
            news = self._file.take_news()
        if not news:
            return
        # Outside the lock: the news comes back here as records (and to the window, on its thread).
        reactor = sys.modules.get("twisted.internet.reactor")
        if on_main_thread or reactor is None:
            _tell(news)
        else:
            reactor.callFromThread(_tell, news)

    def _write(self, lines: list[str]) -> None:
        """Write ``lines`` in as few calls as rotation allows.

        The file is rotated (or, while rotation fails, tried again, or
        capped) between two writes, so a batch is cut where that is due: a
        file ends at most one line past it, as when each line was written alone.
        """
        file = self._file
        room = file.room()
        piece: list[str] = []
        size = 0
        for line in lines:
            piece.append(line)
            size += len(line)
            if size >= room:
                file.write("".join(piece), len(piece))
                piece, size = [], 0
                room = file.room()
        if piece:
            file.write("".join(piece), len(piece))
        if lines:
            file.flush()

    def _dropped_line(self, count: int) -> str:
        """The line that opens a new file after the cap kept ``count`` lines out of the last."""
        words = "log lines were dropped: the log file could not be rotated"  # untranslated: log
        record = LogRecord(time.time(), LogLevel.warn, "poetry.log", f"{count} {words}")
        return record.line(self._clock_times) + "\n"


def _tell(news: list[Callable[[], None]]) -> None:
    for tell in news:
        tell()


def start_file_log(state_dir: Path | None = None) -> tuple[Path | None, str | None]:
    """Begin logging to the rotated file; returns its path, or ``None`` and why not.

    Events logged before this call (Twisted buffers them) are written too;
    records published to the hub before it are not, and the window
    publishes download records only once the file is begun. An unwritable
    state directory is not fatal: the window still shows the log, and the
    reason is returned for the user.
    """
    directory = state_dir or places.state_dir()
    path: Path | None = None
    problem = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        record_hub.follow(FileLines(open_log_file(LOG_FILE_NAME, str(directory))).record)
        path = directory / LOG_FILE_NAME
    except OSError as e:
        problem = _("cannot write the log in {folder}: {reason}").format(
            folder=directory, reason=e.strerror or e
        )
    # Twisted keeps the events logged so far until logging begins, then
    # hands them to its publisher's observers: the hub, if the file follows it.
    globalLogBeginner.beginLoggingTo([], redirectStandardIO=False)
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
