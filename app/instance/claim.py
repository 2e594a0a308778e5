"""One window per settings directory: take the directory, or hand this launch to its window.

Two windows on one settings directory each save ``settings.json`` when they
quit, and the last to quit wins: the servers added in the other are lost.
So a start-up first takes an exclusive ``flock`` (Windows: ``msvcrt.locking``)
on ``instance.lock`` in the settings directory (or, for settings that cannot
hold it, in the state directory: :mod:`app.instance.lock_file`), before
anything reads the settings, and holds it for the life of the process (the kernel drops it
however the process ends, even by ``kill -9``). Whoever holds it is the one
window on the directory and the only process that writes there; it clears
the socket's place (or the port file) at once (:mod:`app.instance.place`).

A launch that finds the lock taken opens no window: it connects to the
holder's socket or port file (:mod:`app.instance.place`), sends its addresses
(:mod:`app.instance.message`) and exits 0 once the window has them. If the
holder does not answer yet (it is still starting, or it is quitting), the
launch tries again for :data:`STARTUP_WAIT` seconds, taking the lock itself
should the holder go; then it gives up with one line and exit status 1,
rather than risk two writers. Something other than a socket left at the
socket's place by this user, which the holder could not clear, is named at
once instead, with what to remove.

All of this is blocking and runs in ``main()`` before the ``QApplication``
is made; :meth:`Instance.serve` then listens on the reactor.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from twisted.internet.error import CannotListenError
from twisted.internet.interfaces import IListeningPort, IReactorCore
from twisted.logger import Logger

from app import APP_NAME
from app.i18n import _, ngettext
from app.instance.client import send_message
from app.instance.in_the_way import InTheWay, PlaceTaken
from app.instance.lock_file import (
    LOCK_NAME,
    LockFile,
    holder_pid,
    open_lock_file,
    try_lock,
)
from app.instance.message import Answer, Launch, Reply, encode_launches
from app.instance.place import clear_place, launch_place, obstacle
from app.instance.server import Deliver, listen_for_launches
from app.instance.socket_path import shown
from app.net.address import Address
from app.net.global_reactor import or_global
from app.settings.store import default_config_dir

log = Logger(namespace="poetry.instance")

#: How long a launch keeps trying to reach a window that holds the lock but
#: does not answer yet: a window is listening well within a second of its start.
STARTUP_WAIT = 5.0
RETRY_PAUSE = 0.05
#: How long a launch lets something not a socket stand at the socket's place
#: before naming it: the holder clears what it can as soon as it holds the lock.
IN_THE_WAY_GRACE = 0.5


@dataclass
class Instance:
    """This process holds the settings directory: it opens the window, and listens."""

    config_dir: Path
    #: Where later launches reach it: its UNIX socket, or its port file (app.instance.place).
    socket_path: str | None
    #: The locked file, open for the life of the process; closing it would free the lock.
    lock_fd: int | None
    #: Why later launches cannot reach this window, if they cannot.
    problem: str | None = None
    #: What the claim removed from the socket's place, for the log.
    removed: InTheWay | None = None
    #: The lock file, when it is not in the settings directory.
    lock_elsewhere: str | None = None

    def serve(self, deliver: Deliver, reactor: IReactorCore | None = None) -> IListeningPort | None:
        """Hand later launches to ``deliver`` until ``reactor`` shuts down; never raises.

        ``reactor`` is the global one unless given, as in Twisted's own APIs.
        """
        if self.lock_elsewhere is not None:
            log.info(
                "The settings directory cannot hold the lock; it is {path}",
                path=self.lock_elsewhere,
            )
        if self.removed is not None:
            log.warn(
                "Removed {path}: it was {what}, not this program's socket",
                path=self.removed.path,
                what=self.removed.english,
            )
        if self.socket_path is None or self.problem is not None:
            log.warn(
                "Later launches cannot reach this window: {problem}",
                problem=self.problem or "no private place for its socket",
            )
            return None
        reactor = or_global(reactor)
        try:
            port = listen_for_launches(self.socket_path, deliver, reactor=reactor)
        except (CannotListenError, OSError) as e:
            thing = obstacle(self.socket_path)
            problem = thing.for_the_log() if thing is not None else e
            log.warn("Later launches cannot reach this window: {problem}", problem=problem)
            return None
        # Stop listening as the window goes: a launch arriving then finds no
        # socket, waits for the lock, and opens the next window itself.
        reactor.addSystemEventTrigger("before", "shutdown", port.stopListening)
        path = shown(self.socket_path)
        log.info("Later launches reach this window through {path}", path=path)
        return port


@dataclass(frozen=True)
class HandedOver:
    """The window already open took this launch's addresses."""

    count: int


@dataclass(frozen=True)
class NotHandedOver:
    """Neither the directory nor its window could be had; ``reason`` is one line for the user."""

    reason: str


def claim(
    config_dir: Path, launch: Launch, *, wait: float = STARTUP_WAIT
) -> Instance | HandedOver | NotHandedOver:
    """Take ``config_dir`` for this process, or give ``launch`` to the window that has it."""
    try:
        config_dir.mkdir(parents=True, exist_ok=True)
        lock = open_lock_file(config_dir)
    except (OSError, ValueError) as e:
        # Settings cannot be saved there either, and the window will say so;
        # with nothing to protect, a window is better than none.
        reason = (isinstance(e, OSError) and e.strerror) or str(e)
        problem = f"cannot lock {config_dir}: {reason}"  # untranslated: for the log
        return Instance(config_dir, None, None, problem)
    try:
        outcome = _take_or_hand_over(lock, config_dir, launch, wait)
    except BaseException:
        os.close(lock.fd)
        raise
    if not (isinstance(outcome, Instance) and outcome.lock_fd == lock.fd):
        os.close(lock.fd)  # not ours: only the holder keeps the file open
    return outcome


def _take_or_hand_over(
    lock: LockFile, config_dir: Path, launch: Launch, wait: float
) -> Instance | HandedOver | NotHandedOver:
    """:func:`claim`'s loop, on the open lock file."""
    messages = encode_launches(launch.addresses, launch.demo)
    deadline = time.monotonic() + wait
    why = _("it does not answer")
    seen_in_the_way: float | None = None
    while True:
        try:
            if try_lock(lock):
                return _hold(config_dir, lock)
        except OSError as e:  # no locks on this file system (some network ones)
            problem = f"cannot lock {config_dir}: {e.strerror}"  # untranslated: for the log
            return Instance(config_dir, None, None, problem)
        path = launch_place(config_dir)
        thing = obstacle(path) if path is not None else None
        if path is None:
            why = _("it has no socket")
        elif thing is not None:
            # Never connect through it: a link may lead to another window's socket.
            seen_in_the_way = seen_in_the_way or time.monotonic()
            if time.monotonic() - seen_in_the_way >= IN_THE_WAY_GRACE:
                return NotHandedOver(_unreachable(config_dir, _holder(lock), thing))
        else:
            seen_in_the_way = None
            try:
                reply = _send_in_turn(path, messages)
            except OSError as e:
                return NotHandedOver(_trouble(config_dir, _holder(lock), e))
            if not messages:
                return HandedOver(len(set(launch.addresses)))
            if reply is not None and reply.answer is Answer.REFUSED:
                refused = _("the window already open refused: {reason}")
                return NotHandedOver(refused.format(reason=reply.reason))
            if reply is not None:
                why = reply.reason  # busy: closing, or crowded
        if time.monotonic() >= deadline:
            return NotHandedOver(
                _(
                    "another {program}{pid} is using {folder}, but {why};"
                    " try again, or quit that one first"
                ).format(program=APP_NAME, pid=_holder(lock), folder=config_dir, why=why)
            )
        time.sleep(RETRY_PAUSE)


def _hold(config_dir: Path, lock: LockFile) -> Instance:
    """This process now holds ``config_dir``: clear its socket's place, for the window."""
    path = launch_place(config_dir)
    removed: InTheWay | None = None
    problem: str | None = None
    if path is not None:
        try:
            removed = clear_place(path)
        except PlaceTaken as e:
            problem = str(e)
    elsewhere = None if lock.path == os.path.join(config_dir, LOCK_NAME) else lock.path
    return Instance(config_dir, path, lock.fd, problem, removed=removed, lock_elsewhere=elsewhere)


def _send_in_turn(path: str, messages: list[bytes]) -> Reply | None:
    """Send ``messages`` in order, removing each the window takes; stop at a "no".

    Returns the window's "no", or ``None`` if nothing listens at ``path``
    (yet, or any more). Raises ``OSError`` on any other fault.
    """
    try:
        while messages:
            reply = send_message(path, messages[0])
            if reply.answer is not Answer.OK:
                return reply
            messages.pop(0)
    except (FileNotFoundError, ConnectionRefusedError):
        return None
    return None


def _holder(lock: LockFile) -> str:
    """ " (pid N)" naming the lock's holder as it wrote itself, or "" if that cannot be read."""
    pid = holder_pid(lock)
    return f" (pid {pid})" if pid else ""


def _unreachable(config_dir: Path, pid: str, thing: InTheWay) -> str:
    said = _("cannot reach the window already open on {folder}{pid}: {reason}")
    return said.format(folder=config_dir, pid=pid, reason=thing.for_a_launch())


def _trouble(config_dir: Path, pid: str, error: OSError) -> str:
    if isinstance(error, TimeoutError):
        said = _(
            "the window already open on {folder}{pid} did not answer in time;"
            " it may still add the servers"
        )
    else:
        said = _("cannot reach the window already open on {folder}{pid}: {reason}")
    return said.format(folder=config_dir, pid=pid, reason=error.strerror or error)


def claim_or_exit(config_dir: Path | None, addresses: Sequence[Address], demo: bool) -> Instance:
    """:func:`claim` for ``main()``: return the :class:`Instance`, or say what happened and exit.

    ``config_dir`` is the settings directory, the user's own if ``None``.

    Exit status 0 when the window already open took the launch, 1 when it
    could not be reached; one line either way.
    """
    if config_dir is None:
        config_dir = default_config_dir()
    outcome = claim(config_dir, Launch(tuple(addresses), demo))
    if isinstance(outcome, Instance):
        return outcome
    if isinstance(outcome, HandedOver):
        count = outcome.count
        if count:
            said = ngettext(
                "handed {n} server to the window already open on {folder}",
                "handed {n} servers to the window already open on {folder}",
                count,
            )
        else:
            said = _("brought up the window already open on {folder}")
        print(f"{APP_NAME}: {said.format(n=count, folder=config_dir)}")
        sys.exit(0)
    sys.stderr.write(f"{APP_NAME}: {outcome.reason}\n")
    sys.exit(1)
