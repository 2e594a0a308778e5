"""The log: connection stories, our own bugs and unhandled Deferred errors reach the log dock.

The dock is opened as a person would (View → Log, Ctrl+L) and read as
text; the file log and the crash-proof ``sys.excepthook`` are checked in
child processes, since a process begins its file log only once.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import QAction, QApplication, QComboBox, QDialog, QDockWidget, QPlainTextEdit
from twisted.internet.defer import Deferred
from twisted.logger import Logger, LogLevel, LogPublisher

from app.downloads.events import Done, DownloadEvent
from app.gui.panes.log_dock import FLUSH_MS
from app.log import (
    LOG_FILE_NAME,
    ClockTimes,
    FileLines,
    LogBuffer,
    LogRecord,
    RecordHub,
    record_hub,
    record_of,
)
from app.log_rotation import ROTATE_BYTES, open_log_file
from tests import hostile
from tests.conftest import local, status, statuses

REPO = Path(__file__).resolve().parents[2]


def open_log(qtbot, window) -> QPlainTextEdit:
    action = window.findChild(QAction, "actionShowLog")
    assert action.shortcut() == QKeySequence("Ctrl+L")
    action.trigger()
    dock = window.findChild(QDockWidget, "logDock")
    qtbot.waitUntil(dock.isVisible, timeout=1000)
    return dock.findChild(QPlainTextEdit, "logView")


def show_level(window, word: str) -> None:
    combo = window.findChild(QComboBox, "logLevelFilter")
    combo.setCurrentIndex(combo.findText(word))


def test_each_connection_tells_its_story_in_the_log(qtbot, window, servers):
    good = local(servers.poetry(b"A short poem.\n", delay=0.01, num_bytes=5)[0])
    bad = local(servers.hostile(hostile.ResetMidPoem))
    view = open_log(qtbot, window)
    assert view.isReadOnly()

    window.add_servers([good, bad], start=True)
    qtbot.waitUntil(lambda: statuses(window) == ["Done", "Failed"], timeout=5000)
    qtbot.waitUntil(lambda: "failed" in view.toPlainText(), timeout=2000)

    text = view.toPlainText()
    for line in (
        f"INFO     {good}: connecting",
        f"INFO     {good}: connected",
        f"INFO     {good}: done, 14 bytes in ",
        f"WARNING  {bad}: failed: connection lost after 14 bytes",
    ):
        assert line in text
    show_level(window, "Warnings")
    assert "connecting" not in view.toPlainText()
    assert f"{bad}: failed: connection lost after 14 bytes" in view.toPlainText()


def test_a_bug_in_our_own_callback_is_logged_and_shown_and_the_rest_goes_on(qtbot, window, servers):
    addresses = [local(servers.poetry(f"poem {n}\n".encode())[0]) for n in range(3)]
    unlucky = addresses[0]

    def buggy_on_done(event: DownloadEvent) -> None:  # a simulated bug in one result's handling
        if isinstance(event, Done) and event.row.address == unlucky:
            raise RuntimeError("simulated bug in on_done")

    window.events.subscribe(buggy_on_done)
    window.downloads.set_limit(1)  # a leaked connection slot would block the rest
    view = open_log(qtbot, window)

    window.add_servers(addresses, start=True)

    qtbot.waitUntil(lambda: statuses(window) == ["Done"] * 3, timeout=5000)
    assert window.downloads.running == 0
    dialog = window.findChild(QDialog, "failureDialog")
    qtbot.waitUntil(dialog.isVisible, timeout=1000)
    listed = dialog.failure_list.model()
    qtbot.waitUntil(lambda: listed.rowCount() >= 1, timeout=1000)
    assert listed.rowCount() == 1
    entry = listed.index(0, 0).data()
    assert str(unlucky) in entry and "RuntimeError: simulated bug in on_done" in entry
    show_level(window, "Errors")
    qtbot.waitUntil(lambda: "simulated bug" in view.toPlainText(), timeout=2000)
    shown = view.toPlainText()
    assert f"Internal error while handling the download from {unlucky}" in shown
    assert "Traceback" in shown and "buggy_on_done" in shown
    # The reactor still runs: a later download works.
    later = local(servers.poetry(b"still here\n")[0])
    window.add_servers([later], start=True)
    qtbot.waitUntil(lambda: status(window, later) == "Done", timeout=5000)


def test_an_unhandled_error_in_a_deferred_is_logged_not_dropped(qtbot, window):
    view = open_log(qtbot, window)
    d: Deferred[None] = Deferred()
    d.errback(ValueError("nobody handled me"))
    del d
    gc.collect()
    qtbot.waitUntil(lambda: "nobody handled me" in view.toPlainText(), timeout=2000)
    text = view.toPlainText()
    assert "CRITICAL Unhandled error in Deferred" in text
    assert "ValueError: nobody handled me" in text


def test_copy_puts_the_shown_records_on_the_clipboard(qtbot, window):
    view = open_log(qtbot, window)
    Logger(namespace="test").warn("<b>not markup</b> & {count} things", count=3)
    qtbot.waitUntil(lambda: "things" in view.toPlainText(), timeout=2000)
    dock = window.findChild(QDockWidget, "logDock")
    qtbot.mouseClick(dock.copy_button, Qt.LeftButton)
    copied = QApplication.clipboard().text()
    assert "WARNING  <b>not markup</b> & 3 things" in copied
    assert copied == view.toPlainText()


def test_a_storm_of_events_is_appended_in_batches(qtbot, window):
    view = open_log(qtbot, window)
    appends = []
    view.textChanged.connect(lambda: appends.append(1))
    log = Logger(namespace="test")
    for n in range(2000):
        log.info("event {n}", n=n)
    qtbot.waitUntil(lambda: "event 1999" in view.toPlainText(), timeout=2000)
    for _ in range(2):  # a negative check: two more flushes would show any append left over
        with qtbot.waitSignal(window.log_dock._timer.timeout, timeout=FLUSH_MS * 10):
            pass
    assert len(appends) <= 3, "the view repainted per event"
    assert view.toPlainText().count("event ") >= 2000


def test_records_logged_while_the_dock_is_hidden_are_there_when_it_opens(qtbot, window):
    view = open_log(qtbot, window)
    log = Logger(namespace="test")
    log.info("before hiding")
    qtbot.waitUntil(lambda: "before hiding" in view.toPlainText(), timeout=2000)
    window.findChild(QAction, "actionShowLog").trigger()  # Ctrl+L again: hidden
    dock = window.findChild(QDockWidget, "logDock")
    qtbot.waitUntil(lambda: not dock.isVisible(), timeout=1000)
    for n in range(300):
        log.info("while hidden {n}", n=n)
    with qtbot.waitSignal(dock._timer.timeout, timeout=FLUSH_MS * 10):
        pass  # a flush passed while hidden
    assert "while hidden" not in view.toPlainText()  # nothing drawn for nobody

    view = open_log(qtbot, window)
    lines = view.toPlainText().splitlines()
    assert any(line.endswith("INFO     before hiding") for line in lines)
    hidden = [line for line in lines if "while hidden" in line]
    assert [line.rsplit(" ", 1)[1] for line in hidden] == [str(n) for n in range(300)]
    log.info("after showing")
    qtbot.waitUntil(lambda: view.toPlainText().endswith("after showing"), timeout=2000)


def test_a_log_file_that_cannot_rotate_says_so_in_the_dock_and_once_in_the_status_bar(
    qtbot, window, tmp_path
):
    # A log file of its own (the tests never begin the process's), with a
    # directory where its oldest rotated file goes: every rotation fails.
    planted = tmp_path / f"{LOG_FILE_NAME}.5"
    planted.mkdir()
    lines = FileLines(open_log_file(LOG_FILE_NAME, str(tmp_path)))
    view = open_log(qtbot, window)
    said: list[str] = []
    window.statusBar().messageChanged.connect(lambda text: text and said.append(text))

    line = "x" * 150 + "\n"
    for _ in range(3 * ROTATE_BYTES // len(line)):  # past the rotation size, and many retries
        lines.add(line, urgent=False)
    lines.flush()

    qtbot.waitUntil(lambda: "Log rotation failed" in view.toPlainText(), timeout=2000)
    (warning,) = [text for text in view.toPlainText().splitlines() if "Log rotation failed" in text]
    assert "WARNING" in warning and str(planted) in warning
    assert len(said) == 1  # once, however many times it was tried since
    bar = window.statusBar()
    whole = bar.toolTip() or bar.currentMessage()  # shortened to fit, it is the tooltip
    assert whole.startswith("Cannot rotate the log file (") and str(planted) in whole
    assert (tmp_path / LOG_FILE_NAME).stat().st_size > 2 * ROTATE_BYTES  # and the lines went on


def test_a_closed_window_s_log_dock_reads_no_more_records(qtbot, window):
    records = window.log_dock.buffer.records
    log = Logger(namespace="test")
    log.info("while open")
    window.close()
    log.info("after closing")
    record_hub.publish(LogRecord(time.time(), LogLevel.info, "poetry", "made after closing"))
    texts = [record.text for record in records]
    assert "while open" in texts
    assert "after closing" not in texts and "made after closing" not in texts


def test_the_buffer_keeps_the_newest_records_only():
    publisher = LogPublisher()
    buffer = LogBuffer(capacity=10)
    RecordHub(publisher).follow(buffer.add)
    for n in range(25):
        publisher({"log_format": "n={n}", "n": n, "log_level": LogLevel.info, "log_time": 0.0})
    assert [r.text for r in buffer.records] == [f"n={n}" for n in range(15, 25)]


def test_a_broken_event_still_becomes_a_record():
    record = record_of({"log_format": "{missing", "log_level": "not a level"})
    assert record.level is LogLevel.info
    assert record.text  # Twisted says the format failed; the event is not lost


def test_a_record_reads_as_twisted_would_word_it():
    from twisted.logger import formatEvent

    formats = ["{address}: done, {size} bytes in {elapsed:.2f} s", "{who!r} {items[0]}", "{call()}"]
    formats += ["{0}", "{missing}", "no fields"]
    for log_format in formats:
        event = {
            "log_format": log_format,
            "address": "127.0.0.1:10001",
            "size": 612,
            "elapsed": 1.234,
            "who": "me",
            "items": ["first"],
            "call": lambda: "called",
        }
        assert record_of(event).text == formatEvent(event), log_format


def test_each_line_says_its_own_time_though_a_second_is_worked_out_once():
    # Lines in the same second, the next second and back: each stamped as strftime would,
    # whether the second is worked out for the line or kept by a writer of lines.
    clock_times = ClockTimes()
    for at in (1_000.25, 1_000.75, 1_001.5, 1_000.5, 86_399.999):
        record = LogRecord(at, LogLevel.info, "poetry", "words")
        stamp = time.strftime("%H:%M:%S", time.localtime(at))
        expected = f"{stamp}.{int(at * 1000) % 1000:03d} INFO     words"
        assert (record.line(clock_times), record.line()) == (expected, expected)


class CountingPublisher(LogPublisher):
    """A private ``twisted.logger`` publisher that says how many observers it has."""

    def __init__(self) -> None:
        super().__init__()
        self.observers = 0

    def addObserver(self, observer):
        self.observers += 1
        super().addObserver(observer)

    def removeObserver(self, observer):
        self.observers -= 1
        super().removeObserver(observer)


def test_an_event_becomes_one_record_that_every_reader_gets_in_turn_with_made_ones():
    # Two producers (twisted.logger, a made record), one hub, two readers (dock, file).
    publisher = CountingPublisher()
    hub = RecordHub(publisher)
    dock: list[LogRecord] = []
    file: list[LogRecord] = []
    hub.follow(dock.append)
    hub.follow(file.append)
    assert publisher.observers == 1  # the hub observes once, however many read it
    log = Logger(namespace="test", observer=publisher)
    log.warn("{n}", n=1)
    made = LogRecord(5.0, LogLevel.info, "poetry.download", "made")
    hub.publish(made)
    log.info("{n}", n=2)
    assert [(r.level, r.namespace, r.text) for r in dock] == [
        (LogLevel.warn, "test", "1"),
        (LogLevel.info, "poetry.download", "made"),
        (LogLevel.info, "test", "2"),
    ]
    assert dock[1] is made
    # Each event was made a record once, and both readers got that record.
    assert len(file) == 3 and all(d is f for d, f in zip(dock, file, strict=True))


def test_the_hub_hears_twisted_only_while_someone_reads_it():
    publisher = CountingPublisher()
    hub = RecordHub(publisher)
    log = Logger(namespace="test", observer=publisher)
    heard: list[LogRecord] = []
    log.info("before anyone reads")
    assert publisher.observers == 0
    hub.follow(heard.append)
    log.info("read")
    hub.unfollow(heard.append)
    hub.unfollow(heard.append)  # a reader that no longer follows: no error
    assert publisher.observers == 0
    log.info("after everyone left")
    hub.publish(LogRecord(5.0, LogLevel.info, "test", "published to nobody"))
    hub.follow(heard.append)
    log.info("read again")
    assert [r.text for r in heard] == ["read", "read again"]


def run_child(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_log_file_rotates_and_keeps_five_old_files(tmp_path):
    done = run_child(
        f"""
        from pathlib import Path
        from twisted.logger import Logger
        from app.log import start_file_log
        path, problem = start_file_log(Path({str(tmp_path / "state")!r}))
        assert problem is None, problem
        print(path)
        log = Logger(namespace="test")
        for n in range(40_000):
            log.info("line {{n}} " + "x" * 150, n=n)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    state = tmp_path / "state"
    assert done.stdout.strip() == str(state / "poetry-downloader.log")
    names = sorted(p.name for p in state.iterdir())
    assert names == ["poetry-downloader.log"] + [f"poetry-downloader.log.{n}" for n in range(1, 6)]
    for path in state.iterdir():
        assert path.stat().st_size <= ROTATE_BYTES + 1000
    assert "line 39999 " in (state / "poetry-downloader.log").read_text()


def test_download_records_reach_the_file_in_order_with_the_rest(tmp_path):
    # A download's records are published to the hub, not logged through twisted.logger;
    # the file must still get them, in turn.
    done = run_child(
        f"""
        from pathlib import Path
        from twisted.logger import Logger
        from twisted.python.failure import Failure
        from app.net.address import Address
        from app.downloads.download_log import log_download_event
        from app.downloads.events import Connecting, InternalError
        from app.log import start_file_log
        from app.downloads.rows import ServerRow
        path, problem = start_file_log(Path({str(tmp_path / "state")!r}))
        assert problem is None, problem
        log = Logger(namespace="test")
        row = ServerRow(Address("127.0.0.1", 10001))
        log.info("before")
        log_download_event(Connecting(row))
        try:
            1 / 0
        except ZeroDivisionError:
            log_download_event(InternalError(row, Failure(), fatal=True))
        log.info("after")
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "state" / "poetry-downloader.log").read_text()
    lines = [line.split(" ", 1)[1].strip() for line in text.splitlines() if line[:1].isdigit()]
    assert lines == [
        "INFO     before",
        "INFO     127.0.0.1:10001: connecting",
        "CRITICAL Internal error while handling the download from 127.0.0.1:10001",
        "INFO     after",
    ]
    assert "ZeroDivisionError: division by zero" in text


def test_with_a_reactor_lines_reach_the_file_soon_warnings_at_once_and_the_rest_at_exit(
    tmp_path,
):
    # Lines wait a moment to be written together; a warning must not wait,
    # nor be written before the lines logged ahead of it, nor may the
    # lines still waiting when the process ends be lost.
    done = run_child(
        f"""
        from pathlib import Path
        from twisted.internet import reactor
        from twisted.logger import Logger
        from app.net.address import Address
        from app.downloads.download_log import log_download_event
        from app.downloads.events import Connecting
        from app.log import FILE_FLUSH_SECONDS, start_file_log
        from app.downloads.rows import ServerRow
        path, problem = start_file_log(Path({str(tmp_path / "state")!r}))
        assert problem is None, problem
        log = Logger(namespace="test")
        row = ServerRow(Address("127.0.0.1", 10001))

        def go():
            log.info("first")
            log_download_event(Connecting(row))
            log.warn("a warning")
            print(repr(path.read_text()))
            log.info("later")
            reactor.callLater(FILE_FLUSH_SECONDS + 0.5, look)

        def look():
            print(repr(path.read_text()))
            log.info("at exit")
            reactor.stop()

        reactor.callWhenRunning(go)
        reactor.run()
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr

    def lines(text: str) -> list[str]:
        return [line.split(" ", 1)[1].strip() for line in text.splitlines() if line[:1].isdigit()]

    at_warning, a_moment_later = (eval(line) for line in done.stdout.splitlines())
    assert lines(at_warning) == [
        "INFO     first",
        "INFO     127.0.0.1:10001: connecting",
        "WARNING  a warning",
    ]
    assert lines(a_moment_later)[3:] == ["INFO     later"]
    text = (tmp_path / "state" / "poetry-downloader.log").read_text()
    assert lines(text)[3:5] == ["INFO     later", "INFO     at exit"]


def test_an_unwritable_state_dir_is_reported_not_fatal(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the directory should be")
    done = run_child(
        f"""
        from pathlib import Path
        from app.log import start_file_log
        path, problem = start_file_log(Path({str(blocker / "state")!r}))
        print(path, "|", problem)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("None | cannot write the log in ")


def test_an_exception_escaping_a_qt_slot_is_logged_and_the_program_goes_on(tmp_path):
    done = run_child(
        f"""
        import sys
        from pathlib import Path
        from PyQt5.QtCore import QTimer
        from PyQt5.QtWidgets import QApplication
        from app.log import log_uncaught, start_file_log
        app = QApplication([])
        start_file_log(Path({str(tmp_path / "state")!r}))
        sys.excepthook = log_uncaught
        QTimer.singleShot(0, lambda: 1 / 0)
        QTimer.singleShot(50, lambda: print("still running") or app.quit())
        app.exec_()
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "still running\n"
    log = (tmp_path / "state" / "poetry-downloader.log").read_text()
    assert "CRITICAL Uncaught exception in a Qt handler" in log
    assert "ZeroDivisionError" in log
