"""A settings disk that is full loses nothing: the window says so, retries, asks, and recovers.

The setup is the issue's, scaled down: the config directory is a 64 KiB
tmpfs holding a settings file of 200 servers and a filler file that leaves
less room than a save of the list needs; then servers are added. Mounting
needs root: without it, or where the mount fails, these tests skip and say
why. The window runs in this process on the real reactor (a later launch
talks to it through a real UNIX socket), except where a SIGTERM is sent:
there it is the real ``python -m app`` as a process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PyQt5.QtWidgets import (
    QAction,
    QDockWidget,
    QFileDialog,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
)
from twisted.internet.defer import DeferredList
from twisted.internet.interfaces import IListeningPort
from twisted.python.failure import Failure

from app import APP_NAME
from app.gui import MainWindow, window_settings
from app.instance.client import send_message
from app.instance.message import Answer, Launch, Reply, encode_launch
from app.instance.server import listen_for_launches
from app.log import LOG_FILE_NAME
from app.net.address import Address
from app.settings import writer as settings_writer
from app.settings.recovery import PREFIX, read_recovery, write_recovery
from app.settings.store import FILE_NAME, SavedServer, Settings, load_settings, save_settings
from tests.conftest import open_window
from tests.small_disk import small_tmpfs

REPO = Path(__file__).resolve().parents[2]
SAVED = 200
#: Room left on the disk: less than the settings file, so no save fits beside it.
ROOM = 8 * 1024


def servers(first: int, count: int) -> list[Address]:
    """``count`` addresses of 127.0.0.1, from port ``first`` (nothing needs to listen there)."""
    return [Address("127.0.0.1", port) for port in range(first, first + count)]


@dataclass
class FullDisk:
    config: Path
    filler: Path

    def free(self) -> None:
        """Delete the filler: now a save has room."""
        self.filler.unlink()


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[FullDisk]:
    """A 64 KiB tmpfs config dir with :data:`SAVED` servers saved, nearly full."""
    with small_tmpfs(tmp_path / "config") as config:
        save_settings(config, Settings(servers=[SavedServer(a) for a in servers(20000, SAVED)]))
        filler = config / "filler"
        with filler.open("wb", buffering=0) as f, contextlib.suppress(OSError):
            while f.write(b"\0" * 4096):
                pass
        os.truncate(filler, max(filler.stat().st_size - ROOM, 0))
        yield FullDisk(config, filler)


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own state directory (the log, recovery files): the program's is under it."""
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home / APP_NAME


def recovery_files(state: Path) -> list[Path]:
    return sorted(state.glob(f"{PREFIX}*.json"))


def on_disk(config: Path) -> list[Address]:
    loaded, message = load_settings(config)
    assert message is None, message
    return [server.address for server in loaded.servers]


def notice(window: MainWindow) -> QToolButton:
    found = window.findChild(QToolButton, "settingsNotSavedNotice")
    assert found is not None
    return found


def question(window: MainWindow, name: str) -> QMessageBox:
    """The visible question named ``name`` (``unsavedSettingsDialog``...)."""
    found = [box for box in window.findChildren(QMessageBox, name) if box.isVisible()]
    assert len(found) == 1, found
    return found[0]


def has_question(window: MainWindow, name: str) -> bool:
    return any(box.isVisible() for box in window.findChildren(QMessageBox, name))


def press(box: QMessageBox, name: str) -> None:
    button = box.findChild(QPushButton, name)
    assert button is not None, name
    button.click()


def closed_signal(window: MainWindow) -> list[bool]:
    """A list that gets an entry when the window emits ``closed``."""
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    return closed


def unsaved_window(qtbot, disk: FullDisk, added: int = 100) -> MainWindow:
    """A window on ``disk`` with ``added`` servers more than the file holds."""
    window = open_window(qtbot, disk.config)
    assert len(window.model.rows) == SAVED
    window.add_servers(servers(30000, added))
    qtbot.waitUntil(notice(window).isVisible, timeout=5000)
    return window


# The notice, the log, and the retries


def test_a_failed_save_is_shown_until_a_retry_succeeds_by_itself(qtbot, full_disk, monkeypatch):
    monkeypatch.setattr(window_settings, "RETRY_MS", 500)
    tries: list[Path] = []
    real_write = settings_writer.write_atomically

    def counted(path: Path, data: bytes) -> None:
        tries.append(path)
        real_write(path, data)

    monkeypatch.setattr(settings_writer, "write_atomically", counted)
    window = unsaved_window(qtbot, full_disk)
    shown = notice(window)
    assert shown.text() == "Servers not saved: disk full — Retry"
    assert str(full_disk.config) in shown.toolTip()
    assert "No space left on device" in shown.toolTip()

    # In the log, as a warning (the log dock shows what the log file gets).
    window.findChild(QAction, "actionShowLog").trigger()
    view = window.findChild(QDockWidget, "logDock").findChild(QPlainTextEdit, "logView")
    qtbot.waitUntil(lambda: "Could not save the settings" in view.toPlainText(), timeout=2000)
    warning = [line for line in view.toPlainText().splitlines() if "Could not save" in line]
    assert len(warning) == 1 and warning[0].split()[1] == "WARNING", warning
    assert str(full_disk.config) in warning[0] and "No space left on device" in warning[0]

    # It stays through the retries, which fail, and the old file stays whole.
    first_tries = len(tries)
    qtbot.wait(2000)
    assert len(tries) >= first_tries + 2, "the window retries on its own"
    assert shown.isVisible()
    assert len(on_disk(full_disk.config)) == SAVED
    assert sorted(p.name for p in full_disk.config.iterdir()) == ["filler", FILE_NAME]
    logged_once = [line for line in view.toPlainText().splitlines() if "Could not save" in line]
    assert len(logged_once) == 1, "one warning, not one per retry"

    # Room again: the list is saved within a retry interval, and the notice goes.
    full_disk.free()
    qtbot.waitUntil(lambda: not shown.isVisible(), timeout=2000)
    assert on_disk(full_disk.config) == servers(20000, SAVED) + servers(30000, 100)
    closed = closed_signal(window)
    window.close()
    assert closed == [True]


def test_clicking_the_notice_retries_at_once(qtbot, full_disk):
    window = unsaved_window(qtbot, full_disk)
    full_disk.free()
    notice(window).click()  # the retry timer is 10 s away
    qtbot.waitUntil(lambda: not notice(window).isVisible(), timeout=2000)
    assert len(on_disk(full_disk.config)) == SAVED + 100
    window.close()


# Quitting while the list is not saved


def test_quitting_unsaved_asks_and_the_window_stays_until_answered(qtbot, full_disk, state):
    window = unsaved_window(qtbot, full_disk)
    closed = closed_signal(window)

    window.findChild(QAction, "actionQuit").trigger()
    box = question(window, "unsavedSettingsDialog")
    assert "No space left on device" in box.text() and str(full_disk.config) in box.text()
    assert window.isVisible() and closed == []
    press(box, "keepWindowButton")  # Cancel: back to the window
    qtbot.waitUntil(lambda: not has_question(window, "unsavedSettingsDialog"), timeout=1000)
    assert window.isVisible() and closed == [] and notice(window).isVisible()
    assert not window.shut_down, "the downloads and the list are as they were"

    window.close()  # the window's own close button: asked again
    box = question(window, "unsavedSettingsDialog")
    press(box, "quitWithoutSavingButton")
    qtbot.waitUntil(lambda: closed == [True], timeout=2000)
    assert len(on_disk(full_disk.config)) == SAVED
    assert recovery_files(state) == [], "lost as chosen: no recovery file"


def test_save_elsewhere_writes_a_file_that_loads_as_settings_then_quits(qtbot, full_disk, tmp_path):
    window = unsaved_window(qtbot, full_disk)
    closed = closed_signal(window)
    window.close()
    press(question(window, "unsavedSettingsDialog"), "saveElsewhereButton")
    qtbot.waitUntil(
        lambda: window.findChild(QFileDialog, "saveSettingsElsewhereDialog") is not None,
        timeout=1000,
    )
    dialog = window.findChild(QFileDialog, "saveSettingsElsewhereDialog")
    qtbot.waitUntil(dialog.isVisible, timeout=1000)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dialog.selectFile(str(elsewhere / FILE_NAME))
    dialog.accept()

    qtbot.waitUntil(lambda: closed == [True], timeout=2000)
    assert on_disk(elsewhere) == servers(20000, SAVED) + servers(30000, 100)
    assert sorted(p.name for p in elsewhere.iterdir()) == [FILE_NAME]  # no temporary file left


def test_retry_in_the_question_saves_once_there_is_room_and_quits(qtbot, full_disk):
    window = unsaved_window(qtbot, full_disk)
    closed = closed_signal(window)
    window.close()
    box = question(window, "unsavedSettingsDialog")
    press(box, "retrySaveButton")  # still full: asked again
    qtbot.waitUntil(lambda: has_question(window, "unsavedSettingsDialog"), timeout=1000)
    assert closed == []
    full_disk.free()
    press(question(window, "unsavedSettingsDialog"), "retrySaveButton")
    qtbot.waitUntil(lambda: closed == [True], timeout=2000)
    assert len(on_disk(full_disk.config)) == SAVED + 100


# A later launch: "taken" only once its addresses are saved, or the window said they are not


@pytest.fixture
def launch_socket(qtbot) -> Iterator[Callable[[MainWindow], str]]:
    """``launch_socket(window)``: the window's launch socket, as ``poetry-downloader`` makes it."""
    directory = tempfile.mkdtemp(prefix="launch-")  # short: a socket path must fit
    ports: list[IListeningPort] = []

    def listen(window: MainWindow) -> str:
        path = os.path.join(directory, "instance.sock")
        ports.append(listen_for_launches(path, window.take_launch))
        return path

    yield listen
    stopped = DeferredList([port.stopListening() for port in ports])
    done: list[object] = []
    stopped.addBoth(done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=2000)
    shutil.rmtree(directory, ignore_errors=True)


def send_in_thread(path: str, launch: Launch) -> list[Reply | Failure]:
    """Send ``launch`` as a later launch does, from a thread; the list gets its answer."""
    from twisted.internet import threads

    answers: list[Reply | Failure] = []
    threads.deferToThread(send_message, path, encode_launch(launch), 5.0).addBoth(answers.append)
    return answers


@pytest.fixture
def held_writes(monkeypatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Settings writes wait, once begun, until the test lets them go: (began, let_go)."""
    began, let_go = threading.Event(), threading.Event()
    real_write = settings_writer.write_atomically

    def held(path: Path, data: bytes) -> None:
        began.set()
        assert let_go.wait(10), "never let go"
        real_write(path, data)

    monkeypatch.setattr(settings_writer, "write_atomically", held)
    yield began, let_go
    let_go.set()


def test_a_launch_is_answered_only_once_its_addresses_are_saved(
    qtbot, window, launch_socket, held_writes
):
    began, let_go = held_writes
    path = launch_socket(window)
    handed = Address("127.0.0.1", 9)

    answers = send_in_thread(path, Launch((handed,)))
    qtbot.waitUntil(began.is_set, timeout=5000)
    assert [row.address for row in window.model.rows] == [handed]
    qtbot.wait(500)  # the address is listed, but not yet on disk: no answer
    assert answers == []
    let_go.set()
    qtbot.waitUntil(lambda: bool(answers), timeout=5000)
    assert answers == [Reply(Answer.OK)]
    assert on_disk(window.config_dir) == [handed]


def test_a_launch_the_disk_cannot_take_is_answered_once_the_window_says_so(
    qtbot, full_disk, launch_socket, held_writes
):
    began, let_go = held_writes
    window = open_window(qtbot, full_disk.config)
    path = launch_socket(window)
    handed = tuple(servers(30000, 100))

    answers = send_in_thread(path, Launch(handed))
    qtbot.waitUntil(began.is_set, timeout=5000)
    qtbot.wait(500)
    assert answers == [] and not notice(window).isVisible()
    let_go.set()
    qtbot.waitUntil(lambda: bool(answers), timeout=5000)
    assert answers == [Reply(Answer.OK)]
    assert notice(window).isVisible()  # the window said so before the launch was told
    assert len(window.model.rows) == SAVED + 100
    assert len(on_disk(full_disk.config)) == SAVED
    full_disk.free()
    window.close()
    assert len(on_disk(full_disk.config)) == SAVED + 100


# SIGTERM: no one to ask, so the list is kept for the next start


def logged(state: Path) -> str:
    try:
        return (state / LOG_FILE_NAME).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def test_sigterm_with_the_list_unsaved_keeps_it_and_the_next_start_restores_it(
    qtbot, full_disk, state
):
    # Ports bound but never listening: the handed-over downloads are refused at once.
    holders = [socket.socket() for _ in range(50)]
    for holder in holders:
        holder.bind(("127.0.0.1", 0))
    handed = [f"127.0.0.1:{holder.getsockname()[1]}" for holder in holders]
    env = dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    app = subprocess.Popen(
        [sys.executable, "-m", "app", "--config-dir", str(full_disk.config)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        qtbot.waitUntil(
            lambda: "Later launches reach this window" in logged(state) or app.poll() is not None,
            timeout=20_000,
        )
        assert app.poll() is None, app.stderr.read() if app.stderr else ""
        second = subprocess.run(
            [sys.executable, "-m", "app", "--config-dir", str(full_disk.config), *handed],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert second.returncode == 0, second.stderr
        assert "Could not save the settings" in logged(state), "told before the launch was"

        sent = time.monotonic()
        app.send_signal(signal.SIGTERM)
        qtbot.waitUntil(lambda: app.poll() is not None, timeout=10_000)
        took = time.monotonic() - sent
    finally:
        app.kill()
        app.wait()
        for holder in holders:
            holder.close()
    assert app.returncode == 0, app.stderr.read() if app.stderr else ""
    assert took < 2.0, took
    assert len(on_disk(full_disk.config)) == SAVED
    (recovered,) = recovery_files(state)
    assert len(read_recovery(recovered).servers) == SAVED + len(handed)
    assert str(recovered) in logged(state)

    # The next start, with room again: asked once the window is up; Restore lists and saves.
    full_disk.free()
    window = open_window(qtbot, full_disk.config)
    qtbot.waitUntil(lambda: has_question(window, "recoverSettingsDialog"), timeout=2000)
    box = question(window, "recoverSettingsDialog")
    assert not box.isModal()
    assert f"{len(handed)} servers could not be saved" in box.text()
    assert str(recovered) in box.text()
    press(box, "restoreSettingsButton")
    qtbot.waitUntil(lambda: recovery_files(state) == [], timeout=5000)
    assert len(window.model.rows) == SAVED + len(handed)
    assert [str(a) for a in on_disk(full_disk.config)[SAVED:]] == handed
    window.close()


def test_the_recovery_question_keeps_the_file_until_answered(qtbot, tmp_path, state):
    config = tmp_path / "config"
    save_settings(config, Settings(servers=[SavedServer(Address("127.0.0.1", 9))]))
    kept = Settings(servers=[SavedServer(a) for a in servers(9, 3)])
    recovered = write_recovery(config, kept)
    assert recovered.parent == state and recovered.stat().st_mode & 0o777 == 0o600

    # Ignored: the file stays, and the next start asks again.
    window = open_window(qtbot, config)
    qtbot.waitUntil(lambda: has_question(window, "recoverSettingsDialog"), timeout=2000)
    assert "2 servers could not be saved" in question(window, "recoverSettingsDialog").text()
    press(question(window, "recoverSettingsDialog"), "decideLaterButton")
    window.close()
    assert recovery_files(state) == [recovered]

    # Discard: the file goes, the list is as it was.
    again = open_window(qtbot, config)
    qtbot.waitUntil(lambda: has_question(again, "recoverSettingsDialog"), timeout=2000)
    press(question(again, "recoverSettingsDialog"), "discardSettingsButton")
    qtbot.waitUntil(lambda: recovery_files(state) == [], timeout=2000)
    assert [row.address for row in again.model.rows] == [Address("127.0.0.1", 9)]
    again.close()
    assert on_disk(config) == [Address("127.0.0.1", 9)]

    # Another settings directory's recovery file is not this window's business.
    write_recovery(tmp_path / "other", kept)
    third = open_window(qtbot, config)
    qtbot.wait(300)
    assert not has_question(third, "recoverSettingsDialog")
    third.close()
