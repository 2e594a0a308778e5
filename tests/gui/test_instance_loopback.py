"""Where a UNIX socket cannot name its peer (Windows, macOS), later launches come by loopback TCP.

Taken on Linux by telling the program it runs on Windows (app.platform): the
window listens on 127.0.0.1, writes its port and a new token in its port
file, and a connection that does not begin with the token is refused before
its message is read. Real sockets and the real reactor, as in
``tests/gui/test_instance.py``: valid launches through the launch's own
blocking client (in a thread), hostile ones through small Twisted clients.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_twisted
from twisted.internet.endpoints import TCP4ClientEndpoint, connectProtocol
from twisted.internet.interfaces import IListeningPort

from app.instance.claim import Instance, claim
from app.instance.loopback import LOOPBACK, port_file, read_port_file
from app.instance.message import Answer, Launch, Reply, encode_launch
from app.instance.place import launch_place
from app.platform import FORCE_VARIABLE
from tests.conftest import local, statuses
from tests.gui import test_instance
from tests.gui.test_instance import Sender, answered, hand_over

#: The warnings logged in the ``poetry.instance`` namespace, as there.
refusals = test_instance.refusals

NOT_THE_TOKEN = "it did not begin with the window's token"


@pytest.fixture(params=["windows", "macos"])
def elsewhere(request, monkeypatch, tmp_path) -> str:
    """The program told it runs on Windows or macOS, with its own state directory."""
    monkeypatch.setenv(FORCE_VARIABLE, request.param)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    return str(request.param)


@pytest.fixture
def serving(window, elsewhere, config_dir) -> Iterator[tuple[str, IListeningPort]]:
    """The window holding its settings and listening as ``poetry-downloader`` does there."""
    held = claim(config_dir, Launch())
    assert isinstance(held, Instance) and held.lock_fd is not None
    port = held.serve(window.take_launch)
    assert port is not None and held.socket_path is not None
    yield held.socket_path, port
    stopped = port.stopListening()
    if stopped is not None:
        pytest_twisted.blockon(stopped)
    os.close(held.lock_fd)


def send_tcp(place: str, payload: bytes) -> Sender:
    """Connect to the window the port file names and send ``payload`` as it is."""
    from twisted.internet import reactor

    port, _token = read_port_file(place)
    sender = Sender(payload)
    connectProtocol(TCP4ClientEndpoint(reactor, LOOPBACK, port), sender)
    return sender


def test_the_place_is_a_port_file_in_the_state_directory(elsewhere, tmp_path, config_dir):
    config_dir.mkdir()
    assert launch_place(config_dir) == port_file(config_dir)
    assert os.path.dirname(port_file(config_dir)) == str(tmp_path / "state" / "poetry-downloader")


def test_a_launch_by_loopback_adds_its_addresses_and_starts_them(qtbot, window, serving, servers):
    place, port = serving
    addresses = tuple(local(servers.poetry(b"By the loopback road.\n")[0]) for _ in range(2))

    reply = hand_over(qtbot, place, Launch(addresses))

    assert reply == Reply(Answer.OK)
    assert [row.address for row in window.model.rows] == list(addresses)
    qtbot.waitUntil(lambda: statuses(window) == ["Done", "Done"], timeout=10_000)
    assert port.getHost().host == LOOPBACK
    assert stat.S_IMODE(os.stat(place).st_mode) == 0o600
    number, token = read_port_file(place)
    assert number == port.getHost().port and len(token) == 64


@pytest.mark.parametrize(
    "first_line",
    [b"0" * 64, b"", b"not a token at all"],
    ids=["a wrong token", "an empty line", "words"],
)
def test_a_connection_without_the_token_is_refused_and_adds_nothing(
    qtbot,
    window,
    serving,
    servers,
    refusals,
    first_line,
):
    place, _port = serving
    message = encode_launch(Launch((local(servers.poetry(b"Not for you.\n")[0]),)))

    reply = answered(qtbot, send_tcp(place, first_line + b"\n" + message))

    assert reply == Reply(Answer.REFUSED, NOT_THE_TOKEN)
    assert refusals == [NOT_THE_TOKEN]
    assert window.model.rows == []
    # The window goes on, and the launch that knows the token is heard.
    assert hand_over(qtbot, place, Launch()).answer is Answer.OK


def test_a_message_sent_without_any_token_is_refused(qtbot, window, serving, refusals):
    place, _port = serving
    reply = answered(qtbot, send_tcp(place, encode_launch(Launch())))
    assert reply == Reply(Answer.REFUSED, NOT_THE_TOKEN)
    assert window.model.rows == []


def test_a_first_line_longer_than_a_token_is_refused_before_it_ends(qtbot, window, serving):
    place, _port = serving
    reply = answered(qtbot, send_tcp(place, b"x" * 100_000))
    assert reply == Reply(Answer.REFUSED, NOT_THE_TOKEN)


def test_the_right_token_and_a_message_in_one_write_are_heard(qtbot, window, serving):
    place, _port = serving
    _number, token = read_port_file(place)
    reply = answered(qtbot, send_tcp(place, token + b"\n" + encode_launch(Launch())))
    assert reply == Reply(Answer.OK)


def test_the_port_file_goes_when_the_window_stops_listening(qtbot, window, elsewhere, config_dir):
    held = claim(config_dir, Launch())
    assert isinstance(held, Instance) and held.lock_fd is not None
    port = held.serve(window.take_launch)
    assert port is not None and held.socket_path is not None
    assert os.path.exists(held.socket_path)
    stopped: list[object] = []
    listening = port.stopListening()
    assert listening is not None
    listening.addBoth(stopped.append)
    qtbot.waitUntil(lambda: bool(stopped), timeout=2000)
    assert not os.path.exists(held.socket_path)
    os.close(held.lock_fd)


def test_a_dead_window_s_port_file_is_cleared_by_the_next_holder(elsewhere, config_dir):
    config_dir.mkdir()
    place = Path(port_file(config_dir))
    place.parent.mkdir(parents=True, exist_ok=True)
    place.write_text("9 " + "a" * 64 + "\n")  # what a killed window leaves

    held = claim(config_dir, Launch())

    assert isinstance(held, Instance) and held.lock_fd is not None
    assert held.socket_path == str(place) and held.problem is None
    assert not place.exists()
    os.close(held.lock_fd)
