"""Pulling the plug on a program that is saving its settings never costs the settings.

A child process saves through the program's own ``save_settings`` as fast as
it can, each time with one server more; the test kills it with SIGKILL at a
random moment, round after round, in the same config directory. After every
kill the file must load as one whole save (never half of one, never a
damaged file set aside), and the temporary files of killed writers must not
pile up: the next writer clears them.
"""

from __future__ import annotations

import fcntl
import os
import random
import signal
import sys
import time
from pathlib import Path

import pytest_twisted
from twisted.internet import protocol
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater

from app.net.address import Address
from app.settings.store import FILE_NAME, SavedServer, Settings, load_settings, save_settings

ROUNDS = 30
# How long after its first save a writer is killed, at most (seconds).
LONGEST_LIFE = 0.15

WRITER = """\
import sys
from pathlib import Path

from app.net.address import Address
from app.settings.store import SavedServer, Settings, save_settings


def saved(count):
    servers = [SavedServer(Address("127.0.0.1", n), "utf-8", n) for n in range(1, count + 1)]
    geometry = count.to_bytes(4, "big") * (count % 97)  # grows and shrinks
    return Settings(servers=servers, connection_limit=1 + count % 50, geometry=geometry)


config_dir = Path(sys.argv[1])
count = 1
while True:
    save_settings(config_dir, saved(count))
    if count == 1:
        print("saved", flush=True)
    count += 1
"""


def saved(count: int) -> Settings:
    """What the writer saves the ``count``-th time (the same recipe as in WRITER)."""
    servers = [SavedServer(Address("127.0.0.1", n), "utf-8", n) for n in range(1, count + 1)]
    geometry = count.to_bytes(4, "big") * (count % 97)
    return Settings(servers=servers, connection_limit=1 + count % 50, geometry=geometry)


class Writer(protocol.ProcessProtocol):
    """The writing child: tells when it has saved once, and when it has ended."""

    def __init__(self) -> None:
        self.first_save: Deferred[None] | None = Deferred()
        self.ended: Deferred[None] = Deferred()
        self.out = b""
        self.err = b""
        self.signal: int | None = None

    def outReceived(self, data: bytes) -> None:
        self.out += data
        if b"\n" in self.out and self.first_save is not None:
            d, self.first_save = self.first_save, None
            d.callback(None)

    def errReceived(self, data: bytes) -> None:
        self.err += data

    def processEnded(self, reason) -> None:
        self.signal = reason.value.signal
        if self.first_save is not None:
            d, self.first_save = self.first_save, None
            d.errback(AssertionError(f"the writer ended before saving: {self.err!r}"))
        self.ended.callback(None)


def leftovers(config_dir: Path) -> list[str]:
    return sorted(p.name for p in config_dir.iterdir() if p.name != FILE_NAME)


@pytest_twisted.ensureDeferred
async def test_a_writer_killed_at_random_moments_always_leaves_settings_that_load(
    tmp_path: Path,
) -> None:
    from twisted.internet import reactor

    seed = random.randrange(2**32)
    rng = random.Random(seed)
    config_dir = tmp_path / "config"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    started = time.monotonic()
    counts = []
    littered = 0
    for round_number in range(ROUNDS):
        context = f"round {round_number}, seed {seed}"
        writer = Writer()
        reactor.spawnProcess(
            writer,
            sys.executable,
            [sys.executable, str(script), str(config_dir)],
            env=dict(os.environ),
            path=str(Path(__file__).resolve().parents[2]),
        )
        assert writer.first_save is not None
        await writer.first_save
        await deferLater(reactor, rng.uniform(0, LONGEST_LIFE))
        writer.transport.signalProcess("KILL")
        await writer.ended
        assert writer.signal == signal.SIGKILL, f"{context}: the writer died early: {writer.err!r}"

        loaded, message = load_settings(config_dir)
        assert message is None, f"{context}: {message}"
        counts.append(len(loaded.servers))
        assert loaded == saved(len(loaded.servers)), f"{context}: not one whole save"
        # The killed writer's own temporary file may be left; older ones are cleared.
        assert len(leftovers(config_dir)) <= 1, f"{context}: {leftovers(config_dir)}"
        littered += len(leftovers(config_dir))

    save_settings(config_dir, saved(1))
    assert leftovers(config_dir) == [], "a save clears what killed writers left"
    elapsed = time.monotonic() - started
    print(f"{ROUNDS} kills in {elapsed:.1f} s, {littered} mid-write; saves per round: {counts}")
    # The kills landed at different points of the loop, some in the middle of a
    # write, so the clearing was needed and done.
    assert len(set(counts)) > 1, counts
    assert littered > 0


def test_a_temporary_file_a_live_writer_holds_is_left_to_it(tmp_path: Path) -> None:
    live = tmp_path / f".{FILE_NAME}.w8ing4it.tmp"
    live.write_bytes(b"being written by another process")
    with live.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a writer holds its own until its rename
        save_settings(tmp_path, saved(1))
        assert live.read_bytes() == b"being written by another process"
    # Its writer gone, its lock went with it: the next save clears the file.
    save_settings(tmp_path, saved(2))
    assert leftovers(tmp_path) == []
    assert load_settings(tmp_path) == (saved(2), None)


def test_clearing_temporary_files_touches_nothing_else(tmp_path: Path) -> None:
    others = {
        "notes.txt": b"mine",
        f"{FILE_NAME}.corrupt-20000101-000000": b"{set aside earlier",
        f".{FILE_NAME}.tmp": b"not named as the writer names its files",
        ".other.json.abcdefgh.tmp": b"another target's",
    }
    for name, data in others.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / f".{FILE_NAME}.abandon1.tmp").write_bytes(b"left by a killed writer")
    save_settings(tmp_path, saved(3))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name != FILE_NAME} == others
