"""Settings saved on a worker thread: one write at a time, the newest wins, the last save waits.

The window hands :class:`SettingsWriter` the settings of each moment; these
tests hold a write up (the settings' own function waits on an event, or the
file's write does) to reach the orders a busy disk produces.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest_twisted
from twisted.python.threadpool import ThreadPool

from app.net.address import Address
from app.settings import writer as settings_writer
from app.settings.store import FILE_NAME, SavedServer, Settings, load_settings
from app.settings.writer import SettingsWriter
from tests.conftest import wait_until


def numbered(count: int) -> Settings:
    servers = [SavedServer(Address("127.0.0.1", n)) for n in range(1, count + 1)]
    return Settings(servers=servers, connection_limit=count)


class Taken:
    """A save's settings function that records its calls and, if asked, waits to be let go."""

    def __init__(self, settings: Settings, held: bool = False) -> None:
        self.settings = settings
        self.threads: list[threading.Thread] = []
        self.entered = threading.Event()
        self.let_go = threading.Event()
        if not held:
            self.let_go.set()

    def __call__(self) -> Settings:
        self.threads.append(threading.current_thread())
        self.entered.set()
        assert self.let_go.wait(10), "never let go"
        return self.settings


def on_disk(config_dir: Path) -> Settings:
    loaded, message = load_settings(config_dir)
    assert message is None, message
    return loaded


def writer_for(config_dir: Path) -> tuple[SettingsWriter, list[OSError]]:
    failures: list[OSError] = []
    return SettingsWriter(config_dir, failures.append), failures


@pytest_twisted.ensureDeferred
async def test_a_save_returns_at_once_and_is_written_on_a_worker_thread(tmp_path):
    writer, failures = writer_for(tmp_path)
    taken = Taken(numbered(3))
    writer.save(taken)
    assert writer.busy
    await wait_until(lambda: not writer.busy, "the write")
    assert on_disk(tmp_path) == numbered(3)
    assert taken.threads and taken.threads[0] is not threading.main_thread()
    assert failures == []


class LendingReactor:
    """The real reactor, but for the threads it lends: a pool of the test's own."""

    def __init__(self, pool: ThreadPool) -> None:
        self.pool = pool

    def getThreadPool(self) -> ThreadPool:
        return self.pool

    def __getattr__(self, name: str) -> object:
        from twisted.internet import reactor

        return getattr(reactor, name)


@pytest_twisted.ensureDeferred
async def test_the_writer_borrows_the_threads_of_the_reactor_it_is_given(tmp_path):
    pool = ThreadPool(minthreads=1, maxthreads=1, name="given")
    pool.start()
    try:
        failures: list[OSError] = []
        writer = SettingsWriter(tmp_path, failures.append, LendingReactor(pool))
        taken = Taken(numbered(2))
        writer.save(taken)
        await wait_until(lambda: not writer.busy, "the write")
    finally:
        pool.stop()
    assert on_disk(tmp_path) == numbered(2)
    assert [thread.name for thread in taken.threads] == ["PoolThread-given-0"]
    assert failures == []


@pytest_twisted.ensureDeferred
async def test_saves_during_a_write_wait_as_one_and_the_newest_is_written(tmp_path):
    writer, failures = writer_for(tmp_path)
    first = Taken(numbered(1), held=True)
    writer.save(first)
    await wait_until(first.entered.is_set, "the first write to begin")
    skipped, newest = Taken(numbered(2)), Taken(numbered(3))
    writer.save(skipped)
    writer.save(newest)
    first.let_go.set()
    await wait_until(lambda: not writer.busy, "the writes")
    assert on_disk(tmp_path) == numbered(3)
    assert skipped.threads == [], "older settings waiting behind newer ones are never written"
    assert failures == []


@pytest_twisted.ensureDeferred
async def test_an_older_write_never_lands_over_the_last_save(tmp_path):
    writer, failures = writer_for(tmp_path)
    older = Taken(numbered(1), held=True)
    writer.save(older)
    await wait_until(older.entered.is_set, "the older write to begin")
    writer.save_now(numbered(2))  # the window closing, while the older one is still encoding
    assert on_disk(tmp_path) == numbered(2)
    older.let_go.set()
    await wait_until(lambda: not writer.busy, "the older write to end")
    assert on_disk(tmp_path) == numbered(2)
    assert failures == []


def test_the_last_save_waits_for_the_write_in_flight(tmp_path, monkeypatch):
    writer, failures = writer_for(tmp_path)
    written: list[int] = []
    in_write, let_go = threading.Event(), threading.Event()
    real_write: Callable[[Path, bytes], None] = settings_writer.write_atomically

    def slow_write(path: Path, data: bytes) -> None:
        if not written:
            in_write.set()
            assert let_go.wait(10)
        real_write(path, data)
        written.append(len(load_settings(path.parent)[0].servers))

    monkeypatch.setattr(settings_writer, "write_atomically", slow_write)
    writer.save(Taken(numbered(1)))
    assert in_write.wait(10), "the worker's write never began"
    threading.Timer(0.2, let_go.set).start()
    writer.save_now(numbered(2))  # blocks until the write in flight has renamed its file
    assert written == [1, 2]
    assert on_disk(tmp_path) == numbered(2)
    assert failures == []


@pytest_twisted.ensureDeferred
async def test_a_failed_write_is_told_on_the_reactor_thread(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("in the way")
    told: list[tuple[OSError, threading.Thread]] = []
    writer = SettingsWriter(
        not_a_folder, lambda error: told.append((error, threading.current_thread()))
    )
    writer.save(Taken(numbered(1)))
    await wait_until(lambda: not writer.busy, "the write to fail")
    ((error, thread),) = told
    assert isinstance(error, OSError)
    assert thread is threading.main_thread()
    assert not writer.save_now(numbered(1))  # told, as the worker's failure was
    assert len(told) == 2 and told[1][1] is threading.main_thread()
    assert not (tmp_path / FILE_NAME).exists()


# Waiting for the save: a later launch is answered only once its addresses are on disk.


@pytest_twisted.ensureDeferred
async def test_written_fires_once_the_settings_handed_over_are_on_disk(tmp_path):
    writer, failures = writer_for(tmp_path)
    assert writer.written().called, "nothing handed over: nothing to wait for"
    held = Taken(numbered(2), held=True)
    writer.save(held)
    outcome: list[bool] = []
    writer.written().addCallback(outcome.append)
    await wait_until(held.entered.is_set, "the write to begin")
    assert outcome == []
    held.let_go.set()
    await wait_until(lambda: outcome, "the write to end")
    assert outcome == [True]
    assert on_disk(tmp_path) == numbered(2)
    assert failures == []


@pytest_twisted.ensureDeferred
async def test_written_waits_for_newer_settings_that_took_the_place_of_waiting_ones(tmp_path):
    writer, _failures = writer_for(tmp_path)
    first = Taken(numbered(1), held=True)
    writer.save(first)
    await wait_until(first.entered.is_set, "the first write to begin")
    writer.save(Taken(numbered(2)))
    outcome: list[bool] = []
    writer.written().addCallback(outcome.append)
    writer.save(Taken(numbered(3)))  # the waiting save is dropped for this one
    first.let_go.set()
    await wait_until(lambda: outcome, "the writes to end")
    assert outcome == [True]
    assert on_disk(tmp_path) == numbered(3)


@pytest_twisted.ensureDeferred
async def test_written_fires_after_the_failure_is_told(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("in the way")
    order: list[str] = []
    writer = SettingsWriter(not_a_folder, lambda error: order.append("told"))
    writer.save(Taken(numbered(1)))
    writer.written().addCallback(lambda ok: order.append(f"written {ok}"))
    await wait_until(lambda: len(order) == 2, "the failure")
    assert order == ["told", "written False"]
    assert writer.failing
    assert writer.written().result is False  # already told: nothing to wait for


@pytest_twisted.ensureDeferred
async def test_a_success_is_told_and_ends_the_failing(tmp_path):
    config_dir = tmp_path / "later"
    config_dir.write_text("in the way, for now")
    failures: list[OSError] = []
    saved: list[bool] = []
    writer = SettingsWriter(config_dir, failures.append, saved=lambda: saved.append(True))
    writer.save(Taken(numbered(1)))
    await wait_until(lambda: failures, "the failure")
    assert writer.failing and saved == []
    config_dir.unlink()
    writer.save(Taken(numbered(2)))
    await wait_until(lambda: saved, "the save")
    assert not writer.failing
    assert on_disk(config_dir) == numbered(2)


@pytest_twisted.ensureDeferred
async def test_an_older_write_skipped_for_a_newer_one_tells_nothing(tmp_path):
    failures: list[OSError] = []
    saved: list[bool] = []
    writer = SettingsWriter(tmp_path, failures.append, saved=lambda: saved.append(True))
    older = Taken(numbered(1), held=True)
    writer.save(older)
    await wait_until(older.entered.is_set, "the older write to begin")
    assert writer.save_now(numbered(2))
    assert saved == [True]
    older.let_go.set()
    await wait_until(lambda: not writer.busy, "the older write to end")
    assert saved == [True], "the skipped write is not a save"
    assert on_disk(tmp_path) == numbered(2)
    assert failures == []
