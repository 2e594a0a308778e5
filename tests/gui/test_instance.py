"""A later launch's message reaches the open window; anything else on its socket is refused.

The window and its launch socket run in this process, on the real reactor,
and every message travels through a real UNIX socket: valid ones through
the launch's own blocking client (in a thread, as a second process would
send them), hostile ones through small Twisted clients that send what a
launch never would. Each refusal must be answered and logged, add nothing,
and leave the window working.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted
from twisted.internet.defer import DeferredList
from twisted.internet.endpoints import UNIXClientEndpoint, connectProtocol
from twisted.internet.interfaces import IListeningPort, IReactorCore, IReactorTime, IReactorUNIX
from twisted.internet.protocol import Protocol
from twisted.internet.task import Clock
from twisted.logger import LogEvent, LogLevel, globalLogPublisher
from twisted.python.failure import Failure
from zope.interface import implementer

from app.instance.claim import Instance
from app.instance.client import send_message
from app.instance.message import MAX_MESSAGE_BYTES, Answer, Launch, Reply, encode_launch
from app.instance.server import MAX_CONNECTIONS, Deliver, listen_for_launches
from app.net.address import Address
from tests.conftest import local, settings_on_disk, statuses

#: The server's message timeout in these tests, instead of the real 3 s.
TIMEOUT = 0.5


@pytest.fixture
def socket_dir() -> Iterator[str]:
    """A short private directory (a socket path must fit in 107 bytes; tmp_path may not)."""
    directory = tempfile.mkdtemp(prefix="launch-")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def listen(socket_dir) -> Iterator[Callable[..., str]]:
    """``listen(name, deliver, **options)``: a launch socket in ``socket_dir``; its path.

    Each stops listening when the test ends.
    """
    ports: list[IListeningPort] = []

    def start(name: str, deliver: Deliver, **options: Any) -> str:
        path = os.path.join(socket_dir, name)
        ports.append(listen_for_launches(path, deliver, **options))
        return path

    yield start
    pytest_twisted.blockon(DeferredList([port.stopListening() for port in ports]))


@pytest.fixture
def launches(window, listen) -> str:
    """The window's launch socket, listening as ``poetry-downloader`` does; its path."""
    return listen("instance.sock", window.take_launch, timeout=TIMEOUT)


@pytest.fixture
def refusals() -> Iterator[list[str]]:
    """The warnings logged in the ``poetry.instance`` namespace during the test."""
    found: list[str] = []

    def observe(event: LogEvent) -> None:
        if event.get("log_namespace") == "poetry.instance" and event["log_level"] is LogLevel.warn:
            found.append(str(event.get("reason")))

    globalLogPublisher.addObserver(observe)
    yield found
    globalLogPublisher.removeObserver(observe)


def hand_over(qtbot, path: str, launch: Launch) -> Reply:
    """Send ``launch`` with the launch's own blocking client, in a thread; its answer."""
    from twisted.internet import threads

    answers: list[Reply | Failure] = []
    threads.deferToThread(send_message, path, encode_launch(launch), 5.0).addBoth(answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=6000)
    assert isinstance(answers[0], Reply), answers[0]
    return answers[0]


class Sender(Protocol):
    """Sends ``payload`` (maybe nothing) as soon as connected; keeps what comes back."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.answer = b""
        self.ended = False

    def connectionMade(self) -> None:
        if self.payload:
            self.transport.write(self.payload)

    def dataReceived(self, data: bytes) -> None:
        self.answer += data

    def connectionLost(self, reason: Failure) -> None:
        self.ended = True


def send_raw(path: str, payload: bytes) -> Sender:
    from twisted.internet import reactor

    sender = Sender(payload)
    connectProtocol(UNIXClientEndpoint(reactor, path), sender)
    return sender


def answered(qtbot, sender: Sender, timeout: int = 3000) -> Reply:
    qtbot.waitUntil(lambda: sender.ended, timeout=timeout)
    return Reply.decode(sender.answer.partition(b"\n")[0])


def still_works(qtbot, window, launches, servers) -> None:
    """After whatever came before, a launch still adds and downloads a server."""
    address = local(servers.poetry(b"Still here.\n")[0])
    assert hand_over(qtbot, launches, Launch((address,))).answer is Answer.OK
    qtbot.waitUntil(lambda: statuses(window)[-1:] == ["Done"], timeout=5000)


# What a launch asks


def test_a_launch_adds_its_addresses_and_starts_them(qtbot, window, launches, servers):
    slow = b"A poem that takes its time to arrive.\n"
    addresses = tuple(local(servers.poetry(slow, delay=0.05, num_bytes=4)[0]) for _ in range(2))

    reply = hand_over(qtbot, launches, Launch(addresses))

    assert reply == Reply(Answer.OK)
    assert [row.address for row in window.model.rows] == list(addresses)
    qtbot.waitUntil(lambda: "Idle" not in statuses(window), timeout=2000)
    qtbot.waitUntil(lambda: statuses(window) == ["Done", "Done"], timeout=10_000)
    assert [s.address for s in settings_on_disk(qtbot, window).servers] == list(addresses)


def test_a_launch_without_addresses_only_brings_the_window_up(qtbot, window, launches):
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized, timeout=1000)

    assert hand_over(qtbot, launches, Launch()) == Reply(Answer.OK)

    assert not window.isMinimized()
    assert window.isVisible()
    assert window.model.rows == []


def test_a_launch_with_demo_starts_the_demo_servers(qtbot, window, launches):
    assert hand_over(qtbot, launches, Launch(demo=True)).answer is Answer.OK
    assert window.model.rows and all(row.demo for row in window.model.rows)
    assert window.demo.servers


def test_an_address_already_listed_is_started_again_not_added_twice(
    qtbot, window, launches, servers
):
    address = local(servers.poetry(b"Once more.\n")[0])
    window.add_servers([address])
    assert statuses(window) == ["Idle"]

    assert hand_over(qtbot, launches, Launch((address,))).answer is Answer.OK

    assert len(window.model.rows) == 1
    qtbot.waitUntil(lambda: statuses(window) == ["Done"], timeout=5000)


def test_a_closing_window_says_busy_and_takes_nothing(qtbot, window, launches):
    window.close()
    reply = hand_over(qtbot, launches, Launch((Address("127.0.0.1", 10001),)))
    assert reply.answer is Answer.BUSY
    assert window.model.rows == []


# Everything else on the socket


HOSTILE = {
    "not JSON": b"hello window\n",
    "binary": b"\x00\xff\xfe junk \x80\n",
    "a JSON list": b'["127.0.0.1:10001"]\n',
    "no version": b'{"addresses": ["127.0.0.1:10001"], "demo": false}\n',
    "wrong version": b'{"version": 2, "addresses": ["127.0.0.1:10001"], "demo": false}\n',
    "version as text": b'{"version": "1", "addresses": [], "demo": false}\n',
    "version true": b'{"version": true, "addresses": [], "demo": false}\n',
    "addresses as text": b'{"version": 1, "addresses": "127.0.0.1:10001", "demo": false}\n',
    "an address as a number": b'{"version": 1, "addresses": [10001], "demo": false}\n',
    "demo as text": b'{"version": 1, "addresses": [], "demo": "yes"}\n',
    "an unknown key": b'{"version": 1, "addresses": [], "demo": false, "run": "rm"}\n',
    "an invalid address among good ones": (
        b'{"version": 1, "addresses": ["127.0.0.1:10001", "localhost:99999", "10003"],'
        b' "demo": false}\n'
    ),
    "two addresses in one": b'{"version": 1, "addresses": ["10001 10002"], "demo": false}\n',
    "an empty address": b'{"version": 1, "addresses": ["10001", ""], "demo": false}\n',
    "an address twice": b'{"version": 1, "addresses": ["10001", "10001"], "demo": false}\n',
    "two messages": encode_launch(Launch((Address("127.0.0.1", 10001),))) * 2,
    "nested deeper than Python recurses": b"[" * 200_000 + b"\n",
    "10 MiB of junk": os.urandom(10 * 2**20).replace(b"\n", b"x"),
    "10 MiB with newlines": b"junk\n" * (2 * 2**20),
    "a message that never ends": b'{"version": 1, "addresses": ["10001"',
    "nothing at all": b"",
}


@pytest.mark.parametrize("payload", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_message_is_refused_logged_and_adds_nothing(
    qtbot, window, launches, servers, refusals, payload
):
    reply = answered(qtbot, send_raw(launches, payload))

    assert reply.answer is Answer.REFUSED, reply
    assert window.model.rows == []
    assert refusals == [reply.reason]
    still_works(qtbot, window, launches, servers)


def test_the_reasons_say_what_is_wrong(qtbot, window, launches):
    def reason(name: str) -> str:
        return answered(qtbot, send_raw(launches, HOSTILE[name])).reason

    assert reason("not JSON") == "not JSON"
    assert reason("wrong version") == "unknown version 2"
    assert reason("an address as a number") == "address 1 should be text, not a number"
    assert reason("an invalid address among good ones") == (
        "address 2: 'localhost:99999': port 99999 is outside 1-65535"
    )
    assert reason("10 MiB of junk") == f"larger than {MAX_MESSAGE_BYTES // 1024} KiB"
    assert reason("a message that never ends") == f"no whole message within {TIMEOUT:g} s"


def test_many_connections_at_once_are_refused_and_the_window_goes_on(
    qtbot, window, launches, servers, refusals
):
    count = 5 * MAX_CONNECTIONS
    silent = [send_raw(launches, b"") for _ in range(count)]

    replies = [answered(qtbot, sender) for sender in silent]

    busy = [reply for reply in replies if reply.answer is Answer.BUSY]
    timed_out = [reply for reply in replies if reply.answer is Answer.REFUSED]
    assert len(busy) + len(timed_out) == count
    assert len(timed_out) <= MAX_CONNECTIONS and busy
    assert all("at once" in reply.reason for reply in busy)
    assert len(refusals) == count
    assert window.model.rows == []
    still_works(qtbot, window, launches, servers)


def test_a_connection_from_another_user_is_refused(qtbot, window, listen):
    # The kernel's answer to "who is there" is real; what this server expects is not.
    path = listen("other.sock", window.take_launch, owner_uid=os.getuid() + 1)
    message = encode_launch(Launch((Address("127.0.0.1", 10001),)))
    reply = answered(qtbot, send_raw(path, message))
    assert reply.answer is Answer.REFUSED
    assert reply.reason == f"from another user (uid {os.getuid()})"
    assert window.model.rows == []


def test_a_bug_in_the_window_is_answered_and_logged_not_raised(qtbot, listen):
    def broken(launch: Launch) -> bool:
        raise RuntimeError("simulated bug")

    path = listen("broken.sock", broken)
    reply = hand_over(qtbot, path, Launch((Address("127.0.0.1", 10001),)))
    assert reply.answer is Answer.REFUSED
    assert "internal error" in reply.reason


def test_the_socket_is_for_its_owner_only_and_goes_when_it_stops(qtbot, window, socket_dir):
    path = os.path.join(socket_dir, "mode.sock")
    port = listen_for_launches(path, window.take_launch)
    assert os.stat(path).st_mode & 0o777 == 0o600
    stopped: list[object] = []
    port.stopListening().addBoth(stopped.append)
    qtbot.waitUntil(lambda: bool(stopped), timeout=2000)
    assert not os.path.exists(path)


def test_a_dead_windows_socket_is_replaced(qtbot, window, listen, socket_dir):
    import socket

    path = os.path.join(socket_dir, "stale.sock")
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(path)  # bound, never listening, then gone: what kill -9 leaves
    dead.close()

    listen("stale.sock", window.take_launch)

    assert hand_over(qtbot, path, Launch()) == Reply(Answer.OK)


# The reactor it is given


@implementer(IReactorCore, IReactorTime, IReactorUNIX)
class ReactorOnClock:
    """The real reactor's UNIX sockets, with time on a Clock the test turns.

    The shutdown triggers it is asked to add are kept, not added.
    """

    def __init__(self) -> None:
        self.clock = Clock()
        self.triggers: list[tuple[str, str, Callable[[], object]]] = []

    def listenUNIX(self, *args: Any, **kwargs: Any) -> IListeningPort:
        from twisted.internet import reactor

        return reactor.listenUNIX(*args, **kwargs)

    def callLater(self, *args: Any, **kwargs: Any) -> Any:
        return self.clock.callLater(*args, **kwargs)

    def addSystemEventTrigger(self, phase: str, event: str, call: Callable[[], object]) -> None:
        self.triggers.append((phase, event, call))


def test_a_message_s_deadline_is_kept_on_the_reactor_it_is_given(qtbot, listen):
    given = ReactorOnClock()
    path = listen("clock.sock", lambda launch: True, timeout=TIMEOUT, reactor=given)
    silent = send_raw(path, b"")
    qtbot.waitUntil(lambda: len(given.clock.getDelayedCalls()) == 1, timeout=3000)
    qtbot.wait(int(TIMEOUT * 2000))  # the real reactor's time runs out: nothing happens
    assert not silent.ended
    given.clock.advance(TIMEOUT)
    reply = answered(qtbot, silent)
    assert reply == Reply(Answer.REFUSED, f"no whole message within {TIMEOUT:g} s")


def test_a_window_listens_on_the_reactor_it_is_given_and_stops_with_it(qtbot, socket_dir):
    given = ReactorOnClock()
    instance = Instance(Path(socket_dir), os.path.join(socket_dir, "given.sock"), None)
    port = instance.serve(lambda launch: True, given)
    assert port is not None
    assert given.triggers == [("before", "shutdown", port.stopListening)]
    assert hand_over(qtbot, os.path.join(socket_dir, "given.sock"), Launch()).answer is Answer.OK
    stopped: list[object] = []
    port.stopListening().addBoth(stopped.append)
    qtbot.waitUntil(lambda: bool(stopped), timeout=2000)
