"""The one home of what several test modules share: fixtures and helpers, imported from here.

- real servers on 127.0.0.1 (``servers``, ``demo``) and the sockets and
  timers a test must not leave behind;
- waiting on a condition while the reactor runs (:func:`wait_until`), never
  for a fixed time;
- the window on a fresh config dir (``window``, ``config_dir``), ways to
  read its table as automation does (:func:`status`, :func:`cell`...) and
  its settings once saved (:func:`settings_on_disk`);
- for the start-up check: sockets where a display would listen
  (:func:`x_server_socket`, :func:`listening_unix_socket`), a display number
  with nothing there, and a real Qt plugin that needs a missing library
  (:func:`doctored_xcb_plugin`).

Test modules import the helpers with ``from tests.conftest import ...``; no
test module imports another. Nothing here imports ``twisted.internet.reactor``
at module level: this file is loaded before the root ``conftest.py`` creates
the ``QApplication`` and installs qt5reactor, and an early import would
install the default reactor instead. Importing :mod:`app.gui` that early is
safe: it makes no Qt object and does not touch the reactor.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import pytest_twisted
from PyQt5 import sip
from PyQt5.QtCore import QAbstractItemModel, Qt
from PyQt5.QtTest import QTest
from PyQt5.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from twisted.internet.defer import Deferred, DeferredList
from twisted.internet.error import ConnectionDone
from twisted.internet.interfaces import IListeningPort, IReadDescriptor, IWriteDescriptor
from twisted.internet.task import deferLater
from twisted.python.failure import Failure
from zope.interface import implementer

from app.downloads.demo import DemoServers
from app.gui import MainWindow
from app.net.address import Address
from app.net.poem import Poem
from app.net.server import PoetryServerFactory, listen_poetry
from app.settings.store import Settings, load_settings
from app.startup.display_check import PlatformPlugins
from tests import hostile, x_server

#: The window's size in the tests that read its words: wider than the offscreen screen.
ROOMY = (1280, 700)

# Servers


class Servers:
    """Starts servers on free ports of 127.0.0.1 and stops them all when the test ends."""

    def __init__(self) -> None:
        self.ports: list[IListeningPort] = []
        self.closers: list[Callable[[], None]] = []

    def poetry(
        self, poem: bytes, delay: float = 0.0, num_bytes: int = 10
    ) -> tuple[int, PoetryServerFactory]:
        """The project's own server; returns (port, factory)."""

        factory = PoetryServerFactory(poem, delay, num_bytes)
        port = listen_poetry(factory, 0, hostile.LOCALHOST)
        return self._keep(port), factory

    def hostile(self, behaviour: type, **options: object) -> int:
        return self._keep(hostile.serve(behaviour, **options))

    def bytes(self, payload: bytes, chunk: int | None = None, gap: float = 0.0) -> int:
        return self._keep(hostile.serve_bytes(payload, chunk, gap))

    def refused(self) -> int:
        """A port with nothing listening: connections to it are refused.

        The socket stays bound (not listening) until the test ends, so no
        server started later in the test can take the port.
        """
        holder = socket.socket()
        holder.bind((hostile.LOCALHOST, 0))
        self.closers.append(holder.close)
        return holder.getsockname()[1]

    def full_backlog(self) -> int:
        backlog = hostile.FullBacklog()
        self.closers.append(backlog.close)
        return backlog.port

    def _keep(self, port: IListeningPort) -> int:
        # Test servers are reachable from this machine only, never from the network.
        assert port.getHost().host == hostile.LOCALHOST, port.getHost()
        self.ports.append(port)
        return port.getHost().port

    def close(self) -> None:
        for close in self.closers:
            close()
        stopping = [port.stopListening() for port in self.ports]
        pytest_twisted.blockon(DeferredList([d for d in stopping if d is not None]))


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port of 127.0.0.1 that refuses connections, for the whole test.

    It is bound but never listens: a port that is merely free could be
    taken by another program (a benchmark's thousand servers) before the
    test connects to it.
    """
    with socket.socket() as s:
        s.bind((hostile.LOCALHOST, 0))
        yield s.getsockname()[1]


@pytest.fixture
def servers() -> Iterator[Servers]:
    s = Servers()
    yield s
    s.close()


@pytest.fixture
def demo() -> Iterator[DemoServers]:
    """The embedded demo servers, started (one per bundled poem) and stopped after the test."""
    servers = DemoServers()
    servers.start()
    yield servers
    pytest_twisted.blockon(servers.stop())


# A bare descriptor, for the reactor's own tests


@implementer(IReadDescriptor, IWriteDescriptor)
class SocketReader:
    """The smallest thing a reactor watches: one non-blocking socket, its bytes kept.

    ``doRead`` takes what has arrived (an orderly close ends it with
    ``ConnectionDone``) after calling ``on_read(self)``, if given; ``doWrite``
    only counts, and calls ``on_write(self)``. ``lost`` is the reason ``connectionLost`` was given.
    """

    def __init__(
        self,
        sock: socket.socket,
        on_read: Callable[[SocketReader], object] | None = None,
        on_write: Callable[[SocketReader], object] | None = None,
    ) -> None:
        sock.setblocking(False)
        self.socket = sock
        self.on_read = on_read
        self.on_write = on_write
        self.received = b""
        self.reads = self.writes = 0
        self.lost: Failure | None = None

    def fileno(self) -> int:
        return self.socket.fileno()

    def logPrefix(self) -> str:
        return "SocketReader"

    def doRead(self) -> BaseException | None:
        self.reads += 1
        if self.on_read is not None:
            self.on_read(self)
        try:
            data = self.socket.recv(65536)
        except BlockingIOError:
            return None
        if not data:
            return ConnectionDone()
        self.received += data
        return None

    def doWrite(self) -> None:
        self.writes += 1
        if self.on_write is not None:
            self.on_write(self)

    def connectionLost(self, reason: Failure) -> None:
        self.lost = reason


# What a test leaves behind, and waiting for what it needs


async def failure_of(d: Deferred[Poem]) -> Failure:
    """The Failure ``d`` fails with (the test fails if a poem comes instead)."""
    try:
        poem = await d
    except Exception:
        return Failure()
    raise AssertionError(f"expected a failure, got a poem of {poem.size} bytes")


def open_fds() -> int:
    """How many file descriptors this process has open now."""
    return len(os.listdir("/proc/self/fd"))


def reactor_turn() -> Deferred[None]:
    """Let the reactor run once, so sockets closed "at once" are really closed."""
    from twisted.internet import reactor

    return deferLater(reactor, 0.01, lambda: None)


def pending_calls() -> set[object]:
    """The reactor's timers that are still waiting to run."""
    from twisted.internet import reactor

    return {call for call in reactor.getDelayedCalls() if call.active()}


@pytest.fixture
def no_leftover_timers() -> Iterator[None]:
    """Fails the test if it leaves a timer of its own in the reactor."""
    before = pending_calls()
    yield
    left = pending_calls() - before
    assert not left, f"timers left behind: {left}"


async def wait_until(predicate: Callable[[], object], what: str, timeout: float = 5.0) -> None:
    """Run the reactor until ``predicate()`` holds; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await reactor_turn()


def listening_sockets(pid: int) -> dict[str, list[tuple[str, int]]]:
    """The TCP sockets process ``pid`` listens on, read from /proc: {"tcp": [(ip, port)], ...}."""
    inodes: set[str] = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found: dict[str, list[tuple[str, int]]] = {"tcp": [], "tcp6": []}
    for kind in found:
        with open(f"/proc/net/{kind}") as table:
            for line in table.readlines()[1:]:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == "0A" and inode in inodes:  # 0A: LISTEN
                    address, port = local.split(":")
                    ip = (
                        ".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0))
                        if kind == "tcp"
                        else address
                    )
                    found[kind].append((ip, int(port, 16)))
    return found


# The window: one on a fresh config dir, read as automation reads it.
#
# Servers come from the ``servers`` fixture, which closes them after the
# test; every window is closed here, which cancels its downloads.
# ``qtbot.waitUntil`` spins the Qt loop, and with it the qt5reactor, so the
# network runs while a test waits.


def local(port: int) -> Address:
    """The address of a test server (the ``servers`` fixture hands out ports)."""
    return Address(hostile.LOCALHOST, port)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "config"


@pytest.fixture
def window(qtbot: QtBot, config_dir: Path) -> Iterator[MainWindow]:
    """A shown window; afterwards closed, and the connections it closed given time to wind down."""
    timers_before = pending_calls()
    win = MainWindow(config_dir=config_dir)
    qtbot.addWidget(win)
    # A first start fits the offscreen screen (800 x 600); the tests' status-bar
    # words are read at the size they were written for, where they fit whole.
    win.resize(*ROOMY)
    win.show()
    # A simulated Ctrl+V leaves Qt believing Ctrl is still held (the release
    # carries the modifier); a bare release lets go, so that a click or
    # selectRow() here selects instead of toggling.
    QTest.keyRelease(win, Qt.Key_Control, Qt.NoModifier)
    yield win
    if not sip.isdeleted(win):
        win.close()
    # Aborted connections finish closing on the next reactor turns (both ends
    # of a demo server's connections live in this process).
    qtbot.waitUntil(lambda: not pending_calls() - timers_before, timeout=2000)


def open_window(qtbot: QtBot, config_dir: Path) -> MainWindow:
    """A second window on ``config_dir``, shown; the test closes it (qtbot deletes it)."""
    window = MainWindow(config_dir=config_dir)
    qtbot.addWidget(window)
    window.show()
    return window


def failure_dialog(window: MainWindow) -> QDialog:
    """The window's one failure dialog (shown or not)."""
    dialog = window.findChild(QDialog, "failureDialog")
    assert dialog is not None
    return dialog


def settings_on_disk(qtbot: QtBot, window: MainWindow, timeout: int = 5000) -> Settings:
    """The settings file, read once the window's saves (on a worker thread) are written."""
    qtbot.waitUntil(lambda: not window.saving_settings, timeout=timeout)
    saved, message = load_settings(window.config_dir)
    assert message is None, message
    return saved


def view_model(window: MainWindow) -> QAbstractItemModel:
    """The model as automation sees it: through the table view."""
    return window.findChild(type(window.table), "serverTable").model()


def cell(window: MainWindow, row: int, column: int, role: int = Qt.DisplayRole) -> object:
    model = view_model(window)
    return model.data(model.index(row, column), role)


def row_of(window: MainWindow, address: Address) -> int:
    model = view_model(window)
    for row in range(model.rowCount()):
        if cell(window, row, 0) == str(address):
            return row
    raise LookupError(f"{address} is not in the table")


def status(window: MainWindow, address: Address) -> str:
    return str(cell(window, row_of(window, address), 1))


def statuses(window: MainWindow) -> list[str]:
    return [str(cell(window, row, 1)) for row in range(view_model(window).rowCount())]


# Displays for the start-up check: real listening sockets where a display
# would be, and a real Qt plugin that cannot load.


def _x_socket_free(number: int) -> bool:
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(f"\0/tmp/.X11-unix/X{number}")
        except OSError:
            return not os.path.exists(f"/tmp/.X11-unix/X{number}")
    return False


@contextlib.contextmanager
def x_server_socket(how: str = x_server.WELCOME) -> Iterator[int]:
    """A listening socket where an X client looks for display ``:N``; yields N.

    It lives in Linux's abstract namespace (where libxcb looks first), so no
    file is left behind, and answers the X connection setup as ``how`` says
    (:mod:`tests.x_server`): the start-up check connects as Qt does.
    """
    for number in range(4200, 4400):
        if not _x_socket_free(number):
            continue
        server = socket.socket(socket.AF_UNIX)
        try:
            server.bind(f"\0/tmp/.X11-unix/X{number}")
        except OSError:
            server.close()
            continue
        server.listen(8)
        try:
            with x_server.answer_x_setup(server, how):
                yield number
        finally:
            server.close()
        return
    raise RuntimeError("no free X display number in 4200-4399")


def free_x_display_number() -> int:
    """A display number nothing answers on: no local socket, no TCP port."""
    for number in range(4400, 4600):
        if _x_socket_free(number):
            with socket.socket() as tcp:
                if tcp.connect_ex(("127.0.0.1", 6000 + number)) != 0:
                    return number
    raise RuntimeError("no free X display number in 4400-4599")


@contextlib.contextmanager
def listening_unix_socket(path: Path) -> Iterator[Path]:
    """A Unix socket listening at ``path`` (a Wayland display, say) while the block runs."""
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        server.listen(8)
        yield path


def doctored_xcb_plugin(directory: Path, old: bytes, new: bytes) -> Path:
    """A copy of PyQt5's X plugin in ``directory`` that needs library ``new`` instead of ``old``.

    The two names are the same length, so only the string in the plugin's
    dynamic string table changes. The copy is laid out as in PyQt5
    (``plugins/platforms`` beside ``lib``, a link to the real one) so its
    ``RUNPATH`` still finds Qt's own libraries; ``directory / "plugins" /
    "platforms"`` is then a ``QT_QPA_PLATFORM_PLUGIN_PATH`` Qt itself loads
    from.
    """
    plugin = PlatformPlugins({}).file("xcb")
    if plugin is None:
        pytest.skip("PyQt5 brings no Qt plugins here")
    assert len(old) == len(new)
    platforms = directory / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    (directory / "lib").symlink_to(plugin.parent.parent.parent / "lib")
    data = plugin.read_bytes()
    assert data.count(old + b"\0") == 1
    copy = platforms / plugin.name
    copy.write_bytes(data.replace(old + b"\0", new + b"\0"))
    return copy


@pytest.fixture
def collector_as_the_program_sets_it() -> Iterator[None]:
    """The garbage collector as ``app.__main__`` leaves it once the window is up
    (:func:`app.startup.collector.settle_after_start_up`), for a test that times
    the window's pauses: what a thousand earlier tests left is collected and
    frozen first, as start-up's objects are in the program, so a full collection
    walks what this test makes, not the whole session's. Put back after."""
    import gc

    from app.startup.collector import settle_after_start_up

    thresholds = gc.get_threshold()
    gc.collect()
    settle_after_start_up()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
