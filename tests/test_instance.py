"""Who has a settings directory, where its window listens, and what a launch makes of its answers.

``flock`` locks belong to an open file, so two claims in this one process
contend as two processes would; the claims whose window answers are in
``tests/gui/test_instance_main.py``, with real processes.
"""

from __future__ import annotations

import os
import socket
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import APP_NAME
from app.instance.claim import LOCK_NAME, Instance, NotHandedOver, claim
from app.instance.client import send_message
from app.instance.message import Answer, Launch
from app.instance.socket_path import (
    MAX_SOCKET_PATH,
    SOCKET_NAME,
    directory_key,
    shown,
    socket_path,
)
from app.net.address import Address
from app.platform import FORCE_VARIABLE


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="rt-"))  # short, and mode 0700
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(directory))
    yield directory
    for item in directory.iterdir():
        item.unlink()
    directory.rmdir()


def test_the_socket_is_in_the_runtime_dir_named_for_the_settings_directory(tmp_path, runtime):
    config = tmp_path / "config"
    config.mkdir()
    path = socket_path(config)
    assert path == str(runtime / f"poetry-downloader-{directory_key(config)}.sock")
    assert len(os.fsencode(path)) <= MAX_SOCKET_PATH
    other = tmp_path / "other"
    other.mkdir()
    assert socket_path(other) != path


def test_every_spelling_of_the_directory_gives_the_same_socket(tmp_path, runtime, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    link = tmp_path / "link"
    link.symlink_to(config)
    monkeypatch.chdir(tmp_path)
    spellings = [config, link, Path("config"), Path("./link/"), tmp_path / "x" / ".." / "config"]
    assert {socket_path(spelling) for spelling in spellings} == {socket_path(config)}


def test_without_a_usable_runtime_dir_the_socket_is_in_the_settings_directory(
    tmp_path, monkeypatch
):
    config = tmp_path / "c"
    config.mkdir()
    expected = str(config.resolve() / SOCKET_NAME)
    if len(os.fsencode(expected)) > MAX_SOCKET_PATH:
        pytest.skip("the temporary directory's path is too long for this test")
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert socket_path(config) == expected
    monkeypatch.setenv("XDG_RUNTIME_DIR", "relative/dir")
    assert socket_path(config) == expected
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "missing"))
    assert socket_path(config) == expected
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)  # others could put their own socket in our place
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    assert socket_path(config) == expected


def test_a_settings_directory_too_deep_for_a_socket_path_keeps_the_socket_in_it(
    tmp_path, monkeypatch
):
    # The old place for this, a directory in the shared temporary directory,
    # could be made by any local user first: made here as one would, open to all.
    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir()
    planted = shared_tmp / f"poetry-downloader-{os.getuid()}"
    planted.mkdir()
    planted.chmod(0o777)
    monkeypatch.setenv("TMPDIR", str(shared_tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    config = tmp_path / ("deep" * 30) / "config"
    config.mkdir(parents=True)

    path = socket_path(config)

    assert path is not None and len(os.fsencode(path)) <= MAX_SOCKET_PATH
    assert os.path.realpath(path) == str(config.resolve() / SOCKET_NAME)
    # A real socket there: a window listens, a launch connects, by that path.
    with socket.socket(socket.AF_UNIX) as server, socket.socket(socket.AF_UNIX) as client:
        server.bind(path)
        server.listen()
        client.connect(socket_path(config))
        assert stat.S_ISSOCK((config / SOCKET_NAME).lstat().st_mode)
    assert list(planted.iterdir()) == []


def test_settings_others_may_write_in_keep_no_socket_there(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    config = tmp_path / "c"
    config.mkdir()
    config.chmod(0o777)
    path = socket_path(config)
    assert path is not None
    assert os.path.dirname(os.path.realpath(path)) == str(tmp_path / "state" / "poetry-downloader")


def test_the_first_claim_takes_the_directory_and_a_second_cannot(tmp_path, runtime):
    config = tmp_path / "config"
    first = claim(config, Launch())
    assert isinstance(first, Instance) and first.lock_fd is not None
    assert first.socket_path == socket_path(config)
    assert (config / LOCK_NAME).read_text() == f"{os.getpid()}\n"
    assert stat.S_IMODE((config / LOCK_NAME).stat().st_mode) == 0o600

    # Nobody listens for the first: the second waits, then says so in one line.
    second = claim(config, Launch((Address("127.0.0.1", 10002),)), wait=0.3)
    assert isinstance(second, NotHandedOver)
    assert f"another poetry-downloader (pid {os.getpid()}) is using {config}" in second.reason
    assert "\n" not in second.reason

    os.close(first.lock_fd)  # as when the first process ends, however it ends
    third = claim(config, Launch())
    assert isinstance(third, Instance)
    assert third.lock_fd is not None
    os.close(third.lock_fd)


def test_an_unusable_settings_directory_still_opens_a_window_with_nothing_to_protect(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    outcome = claim(blocker / "config", Launch())
    assert isinstance(outcome, Instance)
    assert outcome.lock_fd is None and outcome.problem is not None


# Something else at the socket's place


@pytest.fixture
def no_runtime(tmp_path, monkeypatch) -> Path:
    """No runtime directory: the socket is ``instance.sock`` in the settings directory."""
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    config = tmp_path / "config"
    config.mkdir()
    return config


def test_a_symbolic_link_at_the_socket_s_place_is_removed_and_said(tmp_path, no_runtime):
    target = tmp_path / "somebody's file"
    target.write_text("keep me\n")
    (no_runtime / SOCKET_NAME).symlink_to(target)

    holder = claim(no_runtime, Launch())

    assert isinstance(holder, Instance) and holder.lock_fd is not None
    assert holder.problem is None
    assert holder.removed is not None and holder.removed.kind == "link"
    assert holder.removed.path == str(no_runtime.resolve() / SOCKET_NAME)
    assert not os.path.lexists(no_runtime / SOCKET_NAME)
    assert target.read_text() == "keep me\n"  # the link went, not what it led to
    os.close(holder.lock_fd)


def test_a_directory_with_files_at_the_socket_s_place_is_named_at_once(no_runtime):
    place = no_runtime / SOCKET_NAME
    place.mkdir()
    (place / "notes.txt").write_text("mine\n")

    holder = claim(no_runtime, Launch())
    assert isinstance(holder, Instance) and holder.lock_fd is not None
    assert holder.problem == (
        f"{place.resolve()} is a directory, not this program's socket; remove it and start again"
    )

    began = time.monotonic()
    second = claim(no_runtime, Launch((Address("127.0.0.1", 10002),)))
    took = time.monotonic() - began

    assert isinstance(second, NotHandedOver)
    assert second.reason == (
        f"cannot reach the window already open on {no_runtime} (pid {os.getpid()}):"
        f" {place.resolve()} is a directory, not this program's socket;"
        " remove it, quit that window and start again"
    )
    assert took < 2, took
    assert (place / "notes.txt").read_text() == "mine\n"
    os.close(holder.lock_fd)


def test_what_another_user_put_in_the_socket_s_place_is_passed_over_not_touched(no_runtime):
    if os.geteuid() != 0:
        pytest.skip("making a directory another user's takes root")
    place = no_runtime / SOCKET_NAME
    place.mkdir()
    os.chown(place, 4242, 4242)  # as a group member could, in a group-writable directory

    holder = claim(no_runtime, Launch())

    assert isinstance(holder, Instance) and holder.lock_fd is not None
    assert holder.problem is None and holder.removed is None
    assert holder.socket_path is not None
    assert os.path.dirname(shown(holder.socket_path)) == str(no_runtime.parent / "state" / APP_NAME)
    assert place.is_dir() and place.stat().st_uid == 4242
    os.close(holder.lock_fd)


# A window too busy to read


def test_a_window_that_answers_busy_and_closes_before_reading_is_busy_not_broken():
    directory = tempfile.mkdtemp(prefix="busy-")
    path = os.path.join(directory, "busy.sock")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen(64)

    def answer_busy_unread() -> None:
        # What a crowded window does: answer at once, read nothing, close.
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:
                return
            with connection:
                connection.sendall(b"busy: crowded\n")

    server = threading.Thread(target=answer_busy_unread, daemon=True)
    server.start()
    try:
        # A message larger than the socket's buffer is still being sent when
        # the window closes: every time. Small ones race the close.
        messages = [b"x" * (1024 * 1024)] * 20 + [b"y" * 100 + b"\n"] * 500
        replies = [send_message(path, message, timeout=5.0) for message in messages]
    finally:
        listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        server.join(5)
        os.unlink(path)
        os.rmdir(directory)
    assert {reply.answer for reply in replies} == {Answer.BUSY}
    assert {reply.reason for reply in replies} <= {"crowded", "the window closed the connection"}


# Without pread and pwrite (Windows, taken here through app.platform)


def test_without_pread_and_pwrite_the_pid_is_still_written_and_read(tmp_path, monkeypatch):
    monkeypatch.setenv(FORCE_VARIABLE, "windows")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(os, "pwrite", _not_on_windows)
    monkeypatch.setattr(os, "pread", _not_on_windows)
    config = tmp_path / "config"
    (config).mkdir()
    (config / LOCK_NAME).write_text("a longer line an earlier holder left\n")

    first = claim(config, Launch())
    assert isinstance(first, Instance) and first.lock_fd is not None
    assert (config / LOCK_NAME).read_text() == f"{os.getpid()}\n"

    second = claim(config, Launch(), wait=0.2)
    assert isinstance(second, NotHandedOver)
    assert f"(pid {os.getpid()})" in second.reason
    os.close(first.lock_fd)


def _not_on_windows(*_args: object) -> None:
    raise AssertionError("os.pread and os.pwrite are not on Windows")
