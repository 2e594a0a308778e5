"""The private and undocumented parts of Twisted and qt5reactor that app/internals.py relies on.

One group of tests per part: it is still there, takes the arguments we pass,
and does what we use it for. When an upgrade changes one, the failure names
it and the function in :mod:`app.internals` to rewrite, instead of showing up
as slow downloads, a quit that hangs or sockets never read. Everything runs on
the program's own reactor, with real connections on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import ast
import gc
import inspect
import socket
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import pytest_twisted
from qt5reactor import QtReactor
from twisted.internet import error, protocol, tcp
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import TCP4ClientEndpoint, connectProtocol
from twisted.internet.interfaces import (
    IAddress,
    IHalfCloseableProtocol,
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from twisted.internet.posixbase import PosixReactorBase
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool
from zope.interface import implementer
from zope.interface.verify import verifyObject

import app
from app.gui.reactor.qt_reactor import PoetryQtReactor
from app.i18n.argparse_words import route_argparse_words
from app.internals import (
    NotifierPerDescriptor,
    disconnect_selectable,
    forget_ended_transport,
    read_size,
    remove_all_but_internal,
    set_read_size,
    threaded_name_resolver,
)
from app.net.client import PoetryClientFactory, get_poetry
from app.net.lookups import install_abandonable_resolver
from tests.conftest import Servers, SocketReader, reactor_turn, wait_until

REWRITE = "app/internals.py must be rewritten for the installed version"


def positional_parameters(function: Callable[..., object]) -> list[str]:
    return [
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


class Client(protocol.Protocol):
    """Keeps the ``reason`` the connection ended for; ``lost`` fires then."""

    def __init__(self) -> None:
        self.lost: Deferred[None] = Deferred()
        self.reason: Failure | None = None

    def connectionLost(self, reason: Failure = protocol.connectionDone) -> None:
        self.reason = reason
        self.lost.callback(None)


async def connect(port: int, client: Client) -> tcp.Client:
    from twisted.internet import reactor

    await connectProtocol(TCP4ClientEndpoint(reactor, "127.0.0.1", port), client)
    transport = client.transport
    assert isinstance(transport, tcp.Client), transport
    return transport


def quiet_server(servers: Servers) -> int:
    """A poetry server that keeps each connection open and silent for a minute."""
    port, _ = servers.poetry(b"x", delay=60.0, num_bytes=1)
    return port


# Twisted's tcp.Connection.bufferSize: read_size() and set_read_size()


def test_a_tcp_connection_has_an_int_buffer_size():
    size = getattr(tcp.Connection, "bufferSize", None)
    assert isinstance(size, int) and size > 0, (
        f"twisted.internet.tcp.Connection.bufferSize is {size!r}, not a read size: {REWRITE}"
        " (read_size, set_read_size)"
    )
    assert "self.bufferSize" in inspect.getsource(tcp.Connection.doRead), (
        f"tcp.Connection.doRead no longer reads bufferSize bytes: {REWRITE} (read_size)"
    )


class ReadSizes(Client):
    """Reads at ``small`` bytes a go, then at ``large`` once ``switch_at`` bytes are in;
    records the size of every read before and after."""

    def __init__(self, small: int, large: int, switch_at: int) -> None:
        super().__init__()
        self.small, self.large, self.switch_at = small, large, switch_at
        self.default: int | None = None
        self.before: list[int] = []
        self.after: list[int] = []
        self.received = 0

    def connectionMade(self) -> None:
        self.default = read_size(self.transport)
        set_read_size(self.transport, self.small)

    def dataReceived(self, data: bytes) -> None:
        from twisted.internet import reactor

        switched = self.received >= self.switch_at
        (self.after if switched else self.before).append(len(data))
        self.received += len(data)
        if not switched and self.received >= self.switch_at:
            set_read_size(self.transport, self.large)
            # A moment without reading, so more than `small` bytes wait in the socket.
            assert isinstance(self.transport, tcp.Client)
            self.transport.pauseProducing()
            reactor.callLater(0.05, self.transport.resumeProducing)


@pytest_twisted.ensureDeferred
async def test_a_larger_buffer_size_makes_a_real_connection_read_more(servers):
    poem = b"x" * 2**20
    port, _ = servers.poetry(poem, delay=0)
    client = ReadSizes(small=4096, large=2**20, switch_at=64 * 1024)

    await connect(port, client)
    await client.lost

    assert client.reason is not None and client.reason.check(error.ConnectionDone), client.reason
    assert client.received == len(poem)
    assert isinstance(client.default, int) and client.default > 0, (
        f"a TCP transport's bufferSize is {client.default!r}: {REWRITE} (read_size)"
    )
    assert max(client.before) == client.small, (
        f"reads of {sorted(set(client.before))} bytes with bufferSize {client.small}: "
        f"tcp.Connection no longer reads bufferSize bytes at a time; {REWRITE} (set_read_size)"
    )
    assert max(client.after) > client.small, (
        f"a larger bufferSize did not make reads larger ({sorted(set(client.after))}): {REWRITE}"
    )


def test_read_size_leaves_other_transports_alone():
    assert read_size(None) is None
    set_read_size(None, 2**20)  # nothing to set, and no error


# twisted.internet._resolver.GAIResolver: threaded_name_resolver()


def test_gai_resolver_takes_a_reactor_and_a_thread_pool_getter():
    try:
        from twisted.internet._resolver import GAIResolver
    except ImportError as e:
        raise AssertionError(
            f"twisted.internet._resolver.GAIResolver is gone ({e}): {REWRITE}"
            " (threaded_name_resolver)"
        ) from None
    assert positional_parameters(GAIResolver)[:2] == ["reactor", "getThreadPool"], (
        f"GAIResolver{inspect.signature(GAIResolver)} no longer takes (reactor, getThreadPool):"
        f" {REWRITE} (threaded_name_resolver)"
    )


@implementer(IResolutionReceiver)
class Receiver:
    def __init__(self) -> None:
        self.addresses: list[IAddress] = []
        self.done: Deferred[list[IAddress]] = Deferred()

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        pass

    def addressResolved(self, address: IAddress) -> None:
        self.addresses.append(address)

    def resolutionComplete(self) -> None:
        self.done.callback(self.addresses)


async def look_up(resolver: IHostnameResolver, host: str) -> Sequence[IAddress]:
    receiver = Receiver()
    resolver.resolveHostName(receiver, host, 10000)
    return await receiver.done


@pytest_twisted.ensureDeferred
async def test_gai_resolver_looks_up_on_the_thread_pool_it_is_given():
    from twisted.internet import reactor

    pool = ThreadPool(0, 1, "test lookups")
    pool.start()
    asked: list[ThreadPool] = []

    def thread_pool() -> ThreadPool:
        asked.append(pool)
        return pool

    try:
        resolver = threaded_name_resolver(reactor, thread_pool)
        assert verifyObject(IHostnameResolver, resolver)
        addresses = await look_up(resolver, "127.0.0.1")
    finally:
        pool.stop()

    assert IPv4Address("TCP", "127.0.0.1", 10000) in addresses
    assert asked and pool.threads, f"GAIResolver did not look up on the pool given: {REWRITE}"


@pytest_twisted.ensureDeferred
async def test_the_programs_lookups_run_on_daemon_threads():
    from twisted.internet import reactor

    previous = reactor.nameResolver
    pool = install_abandonable_resolver(reactor)
    try:
        addresses = await look_up(reactor.nameResolver, "127.0.0.1")
        threads = list(pool.threads)
    finally:
        reactor.installNameResolver(previous)
        pool.stop()

    assert IPv4Address("TCP", "127.0.0.1", 10000) in addresses
    assert threads and all(thread.daemon for thread in threads), threads


# qt5reactor's QtReactor._add and _remove: NotifierPerDescriptor


def test_qt5reactor_add_and_remove_take_what_we_rely_on():
    for name, parameters in (
        ("_add", ["self", "xer", "primary", "type"]),
        ("_remove", ["self", "xer", "primary"]),
    ):
        method = getattr(QtReactor, name, None)
        assert callable(method), (
            f"qt5reactor.QtReactor.{name} is gone: {REWRITE} (NotifierPerDescriptor)"
        )
        assert len(positional_parameters(method)) == len(parameters), (
            f"QtReactor.{name}{inspect.signature(method)} no longer takes {parameters[1:]}:"
            f" {REWRITE} (NotifierPerDescriptor)"
        )
    assert "shutdown()" in inspect.getsource(QtReactor._remove), (
        f"QtReactor._remove no longer shuts down what _add stored: {REWRITE}"
        " (NotifierPerDescriptor)"
    )


def test_the_programs_reactor_adds_descriptors_through_the_mixin():
    mro = PoetryQtReactor.__mro__
    assert mro.index(NotifierPerDescriptor) < mro.index(QtReactor)
    assert PoetryQtReactor._add is NotifierPerDescriptor._add


@pytest.fixture
def notifier_reactor() -> Iterator[PoetryQtReactor]:
    """A second, idle PoetryQtReactor without epoll: one notifier per descriptor, as
    where ``select.epoll`` is missing. Qt drives its notifiers while the tests' reactor runs."""
    spare = PoetryQtReactor(epoll=False)
    assert not spare.uses_epoll
    yield spare
    spare.removeReader(spare.waker)
    spare.waker.connectionLost(None)


@pytest_twisted.ensureDeferred
async def test_qt5reactor_watches_through_our_notifier_and_shuts_it_down(servers, notifier_reactor):
    client = Client()
    transport = await connect(quiet_server(servers), client)
    spare = notifier_reactor

    # addReader stored our notifier for reading in _reads...
    spare.addReader(transport)
    assert transport in spare.getReaders()
    reader = spare._reads.get(transport)
    assert reader is not None and reader.watcher is transport and reader.reading, (
        f"QtReactor.addReader did not store our notifier ({reader!r}): {REWRITE}"
    )
    # ...addWriter one for writing in _writes, and removeWriter shut it down.
    spare.addWriter(transport)
    writer = spare._writes.get(transport)
    assert writer is not None and writer.watcher is transport and not writer.reading, (
        f"QtReactor.addWriter did not store our notifier ({writer!r}): {REWRITE}"
    )
    spare.removeWriter(transport)
    assert transport not in spare._writes
    assert writer.watcher is None, f"QtReactor._remove did not call shutdown(): {REWRITE}"
    spare.removeReader(transport)
    assert transport not in spare.getReaders()
    assert reader.watcher is None, f"QtReactor._remove did not call shutdown(): {REWRITE}"

    transport.loseConnection()
    await client.lost


@pytest_twisted.ensureDeferred
async def test_without_epoll_a_notifier_reads_a_real_socket(notifier_reactor):
    ours, theirs = socket.socketpair()
    reader = SocketReader(ours)
    notifier_reactor.addReader(reader)
    try:
        theirs.send(b"verse")
        await wait_until(lambda: reader.received, "the notifier's read")
    finally:
        notifier_reactor.removeReader(reader)
        ours.close()
        theirs.close()
    assert reader.received == b"verse"


# Twisted's PosixReactorBase._removeAll: remove_all_but_internal()


def test_remove_all_takes_readers_and_writers():
    method = getattr(PosixReactorBase, "_removeAll", None)
    assert callable(method), (
        f"PosixReactorBase._removeAll is gone: {REWRITE} (remove_all_but_internal)"
    )
    assert positional_parameters(method) == ["self", "readers", "writers"], (
        f"PosixReactorBase._removeAll{inspect.signature(method)} changed:"
        f" {REWRITE} (remove_all_but_internal)"
    )


def test_remove_all_removes_everything_but_the_waker():
    spare = PoetryQtReactor()  # an idle one with epoll: removeAll on the tests' would end them
    ours, theirs = socket.socketpair()
    reader, writer = SocketReader(ours), SocketReader(theirs)
    try:
        spare.addReader(reader)
        spare.addWriter(writer)
        spare.addReader(writer)

        removed = remove_all_but_internal(spare, spare.getReaders(), spare.getWriters())

        assert sorted(map(id, removed)) == sorted(map(id, [reader, writer]))
        assert spare.getReaders() == [spare.waker], (
            f"_removeAll no longer keeps the reactor's own waker: {REWRITE}"
        )
        assert spare.getWriters() == []
    finally:
        spare.removeReader(spare.waker)
        spare.waker.connectionLost(None)
        ours.close()
        theirs.close()


# Twisted's PosixReactorBase._disconnectSelectable: disconnect_selectable()


def test_disconnect_selectable_takes_the_selectable_the_reason_and_the_side():
    method = getattr(PosixReactorBase, "_disconnectSelectable", None)
    assert callable(method), (
        f"PosixReactorBase._disconnectSelectable is gone: {REWRITE} (disconnect_selectable)"
    )
    assert positional_parameters(method)[:4] == ["self", "selectable", "why", "isRead"], (
        f"PosixReactorBase._disconnectSelectable{inspect.signature(method)} changed:"
        f" {REWRITE} (disconnect_selectable)"
    )


@pytest_twisted.ensureDeferred
async def test_disconnect_selectable_ends_a_real_connection(servers):
    from twisted.internet import reactor

    client = Client()
    transport = await connect(quiet_server(servers), client)

    disconnect_selectable(reactor, transport, error.ConnectionLost(), False)

    await client.lost
    assert client.reason is not None and client.reason.check(error.ConnectionLost), client.reason
    assert transport not in reactor.getReaders() and transport not in reactor.getWriters()


@implementer(IHalfCloseableProtocol)
class HalfCloseable(Client):
    def __init__(self) -> None:
        super().__init__()
        self.read_lost = False

    def readConnectionLost(self) -> None:
        self.read_lost = True

    def writeConnectionLost(self) -> None:
        pass


@pytest_twisted.ensureDeferred
async def test_disconnect_selectable_ends_only_the_reading_half_of_a_half_closeable_one(servers):
    from twisted.internet import reactor

    client = HalfCloseable()
    transport = await connect(quiet_server(servers), client)

    disconnect_selectable(reactor, transport, error.ConnectionDone(), True)

    assert client.read_lost, f"_disconnectSelectable no longer half-closes: {REWRITE}"
    assert not client.lost.called
    assert transport not in reactor.getReaders()
    transport.loseConnection()
    await client.lost
    await reactor_turn()


# argparse's module globals _ and ngettext: route_argparse_words()


def test_argparse_looks_its_words_up_through_its_module_globals():
    source = inspect.getsource(argparse)
    for name, call in (("_", "_('usage: ')"), ("ngettext", "ngettext(")):
        assert callable(getattr(argparse, name, None)), (
            f"argparse.{name} is gone: {REWRITE} (route_argparse_words)"
        )
        assert call in source, f"argparse no longer calls {call}...: {REWRITE}"


def test_routed_words_reach_a_parsers_help_and_its_errors(capsys):
    before = (argparse._, argparse.ngettext)

    def gettext(message: str) -> str:
        return f"<{message}>"

    def ngettext(singular: str, plural: str, n: int) -> str:
        return f"<{singular if n == 1 else plural}>"

    try:
        route_argparse_words(gettext, ngettext)
        parser = argparse.ArgumentParser(prog="demo")
        parser.add_argument("--pair", nargs=2)
        help_text = parser.format_help()
        with pytest.raises(SystemExit):
            parser.parse_args(["--pair", "one"])
    finally:
        argparse._, argparse.ngettext = before

    assert help_text.startswith("<usage: >demo"), help_text
    assert "<options>:" in help_text and "<show this help message and exit>" in help_text
    error = capsys.readouterr().err
    assert "<demo: error: <argument --pair: <expected 2 arguments>>" in error, error


# Twisted's BaseConnector.transport: forget_ended_transport()


@pytest_twisted.ensureDeferred
async def test_a_connector_and_its_ended_transport_keep_each_other_alive(servers):
    """What forget_ended_transport() is for: without it, only a full collection frees them."""
    from twisted.internet import reactor

    port, _ = servers.poetry(b"a short poem", delay=0.0, num_bytes=100)
    ended: Deferred[None] = Deferred()

    class Factory(protocol.ClientFactory):
        protocol = protocol.Protocol

        def clientConnectionLost(self, connector: object, reason: Failure) -> None:
            ended.callback(None)

    connector = reactor.connectTCP("127.0.0.1", port, Factory())
    await ended
    transport = getattr(connector, "transport", None)
    assert transport is not None and getattr(transport, "connector", None) is connector, (
        f"an ended Connector no longer keeps its transport: {REWRITE} (forget_ended_transport)"
    )
    forget_ended_transport(connector)
    assert connector.transport is None
    await reactor_turn()


@pytest_twisted.ensureDeferred
async def test_an_ended_download_is_freed_without_the_garbage_collector(servers):
    port, _ = servers.poetry(b"a short poem", delay=0.0, num_bytes=100)

    def downloads() -> list[object]:
        return [o for o in gc.get_objects() if isinstance(o, PoetryClientFactory | tcp.Client)]

    gc.collect()
    before = set(map(id, downloads()))  # other tests' that something still holds
    gc.disable()
    try:
        await get_poetry("127.0.0.1", port)
        await reactor_turn()
        left = [o for o in downloads() if id(o) not in before]
    finally:
        gc.enable()
    assert not left, f"an ended download waits for the garbage collector: {left}"


# Nothing else in app/ uses another package's private names.

FOREIGN_PRIVATE = {
    "_add",
    "_remove",
    "_reads",
    "_writes",
    "_disconnectSelectable",
    "_removeAll",
    "_internalReaders",
}
#: Documented public functions whose names start with an underscore all the same.
PUBLIC_DESPITE_THE_NAME = {("os", "_exit")}
#: The one private name used outside app/internals.py, and where: argparse's
#: words are routed beside the words, in a module that must import without
#: Twisted (the start-up check lists a bare system's packages with it).
ROUTED_ELSEWHERE = {("app/i18n/argparse_words.py", "argparse", "_")}


def test_only_app_internals_uses_private_names_of_other_packages():
    package = Path(app.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "internals.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(package.parent)}:{getattr(node, 'lineno', '?')}"
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and not node.module.startswith("app")
            ):
                if any(is_private(part) for part in node.module.split(".")):
                    found.append(f"{where}: from {node.module} import ...")
            elif isinstance(node, ast.Attribute) and node.attr == "bufferSize":
                found.append(f"{where}: .bufferSize")
            elif isinstance(node, ast.Attribute) and is_private(node.attr):
                owner = node.value.id if isinstance(node.value, ast.Name) else ""
                if (owner, node.attr) in PUBLIC_DESPITE_THE_NAME:
                    continue
                if (str(path.relative_to(package.parent)), owner, node.attr) in ROUTED_ELSEWHERE:
                    continue
                if node.attr in FOREIGN_PRIVATE or owner != "self":
                    found.append(f"{where}: .{node.attr}")
            elif isinstance(node, ast.FunctionDef) and node.name in FOREIGN_PRIVATE:
                found.append(f"{where}: def {node.name}")
    assert not found, (
        "another object's private name, outside app/internals.py: move it there if it is"
        " another package's, or make it public if it is ours:\n" + "\n".join(found)
    )


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")
