"""The poetry client: connect, read until the server hangs up, decode, hand back a Poem.

The protocol is the Twisted Introduction's: the server sends a poem and
closes the connection. Only a *clean* close ends a poem; every other ending
is a failure, so a half-received poem is never mistaken for a whole one.

Failures arrive as a ``Failure`` wrapping either one of Twisted's connection
errors (refused, host not found, connect timeout) or one of the
:class:`PoetryError` subclasses defined here. :func:`describe_failure` turns
any of them into the few plain words the command line and the window show.

It is one chapter on purpose: the protocol, its factory, ``get_poetry``,
the ``Poem`` it delivers and the ways it fails are read together, as the
tutorial reads them.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from twisted.internet import error, protocol
from twisted.internet.defer import CancelledError, Deferred
from twisted.internet.interfaces import IAddress, IConnector, IDelayedCall, ITCPTransport
from twisted.python.failure import Failure

from app.i18n import N_, _, ngettext, source_language
from app.i18n.units import format_size, seconds_text
from app.internals import forget_ended_transport, read_size, set_read_size

DEFAULT_TIMEOUT = 30.0
DEFAULT_IDLE_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 16 * 2**20
DEFAULT_ENCODING = "utf-8"
#: What a single read takes from the socket at first (Twisted's own 64 KiB)...
FIRST_READ_SIZE = 2**16
#: ...and the most it grows to, for a poem that comes faster than it is read.
MAX_READ_SIZE = 2**20

ProgressCallback = Callable[[int], object]


class Poem:
    """A complete poem: the server closed the connection cleanly after sending it.

    ``size`` (bytes received), ``elapsed`` (seconds from the call to
    :func:`get_poetry` to the clean close) and ``encoding`` are known at
    once. ``text`` and ``replaced`` (invalid bytes shown as U+FFFD) are
    decoded from the received bytes on first use, once: the Deferred fires
    the moment the poem is whole, and a poem nobody reads (a window row not
    selected, a benchmark) never pays for turning 64 MiB into a ``str``.
    After decoding, the bytes are let go; only the text stays.
    """

    __slots__ = ("_chunks", "_decoded", "elapsed", "encoding", "size")

    def __init__(
        self,
        data: bytes | bytearray | list[bytes],
        elapsed: float = 0.0,
        encoding: str = DEFAULT_ENCODING,
    ) -> None:
        chunks = data if isinstance(data, list) else [bytes(data)]
        self._chunks: list[bytes] | None = chunks
        self._decoded: tuple[str, int] | None = None
        self.size = sum(map(len, chunks))
        self.elapsed = elapsed
        self.encoding = encoding

    @property
    def text(self) -> str:
        return self._decode()[0]

    @property
    def replaced(self) -> int:
        return self._decode()[1]

    def first_line(self, max_bytes: int = 4096) -> str:
        """The first line with more than white space in it, stripped; "" if there is none.

        Only the first ``max_bytes`` are decoded (unless the whole text already
        is): a poem's title is wanted the moment it arrives, on the reactor's
        thread, and a 10 MB poem must not be turned into text for one line. A
        multi-byte character cut at the end of that prefix is left out, not
        garbled; invalid bytes read as U+FFFD, as in :attr:`text`.
        """
        if self._decoded is not None:
            return _first_line(self._decoded[0][:max_bytes], whole=True) or ""
        assert self._chunks is not None
        max_bytes = max(max_bytes, 0)
        if max_bytes > FIRST_LOOK:
            # A first line is mostly short: the first bytes are decoded alone,
            # and the rest only if no whole line with words is in them.
            head = _decode_prefix(self._chunks, FIRST_LOOK, self.size, self.encoding)
            line = _first_line(head, whole=self.size <= FIRST_LOOK)
            if line is not None:
                return line
        head = _decode_prefix(self._chunks, max_bytes, self.size, self.encoding)
        return _first_line(head, whole=True) or ""

    def _decode(self) -> tuple[str, int]:
        if self._decoded is None:
            assert self._chunks is not None
            # Join, let the chunks go, then decode: at most the bytes and the text
            # are alive at once, never the chunks too.
            data, self._chunks = b"".join(self._chunks), None
            self._decoded = decode_poem(data, self.encoding)
        return self._decoded

    def __repr__(self) -> str:
        return (
            f"<Poem {self.size} bytes, {self.encoding}, {self.elapsed:.3f} s>"  # untranslated: repr
        )


class PoetryError(Exception):
    """Base of the ways a download fails after the connection was made.

    ``str()`` of one is English, as a traceback and the log read it;
    :meth:`words` says the same in the language being spoken.
    """

    def words(self) -> str:
        """What went wrong, in a few plain words of the current language."""
        return str(self)

    def _english(self) -> str:
        with source_language():
            return self.words()


class ConnectionLostError(PoetryError):
    """The connection ended some other way than a clean close: the poem is incomplete."""

    def __init__(self, received: int, cause: Failure | None = None) -> None:
        self.received = received
        self.cause = cause
        super().__init__(self._english())

    def words(self) -> str:
        return ngettext(
            "connection lost after {n} byte", "connection lost after {n} bytes", self.received
        ).format(n=self.received)


class IdleTimeoutError(PoetryError):
    """No byte arrived for ``idle_timeout`` seconds."""

    def __init__(self, seconds: float, received: int) -> None:
        self.seconds = seconds
        self.received = received
        super().__init__(self._english())

    def words(self) -> str:
        return _("no data for {seconds}").format(seconds=seconds_text(f"{self.seconds:g}"))


class PoemTooLargeError(PoetryError):
    """The server sent more than ``max_bytes``; the connection was aborted at once."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        super().__init__(self._english())

    def words(self) -> str:
        return _("larger than {size}").format(size=format_size(self.max_bytes))


class EmptyPoemError(PoetryError):
    """The server closed the connection cleanly without sending a byte."""

    def __init__(self) -> None:
        super().__init__(self._english())

    def words(self) -> str:
        return _("empty poem")


#: Codecs Python calls text encodings that are no way to read a poem: domain-name
#: codecs, which refuse most text, and Python-literal escapes, which would turn a
#: server's backslashes into other characters.
_NOT_FOR_POEMS = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape"})


def check_encoding(name: str) -> str:
    """Return the codec's canonical name, or raise ``ValueError`` saying why it cannot be used."""
    try:
        codec = codecs.lookup(name)
    except (LookupError, TypeError, ValueError):
        raise ValueError(_("unknown encoding {name}").format(name=repr(name))) from None
    # base64, rot13 and friends are codecs but not text encodings.
    if not getattr(codec, "_is_text_encoding", True) or codec.name in _NOT_FOR_POEMS:
        raise ValueError(_("{name} is not a text encoding for poems").format(name=repr(name)))
    return codec.name


# Undecodable bytes come out of the "surrogateescape" handler as U+DC80..U+DCFF,
# one per byte, which lets us both count them and swap in U+FFFD in one pass.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def decode_poem(data: bytes | bytearray, encoding: str) -> tuple[str, int]:
    """Decode, never failing: return the text and how many invalid bytes became U+FFFD."""
    try:
        return data.decode(encoding), 0
    except UnicodeError:
        pass
    try:
        escaped = data.decode(encoding, "surrogateescape")
    except UnicodeError:
        # Errors surrogateescape cannot stand for (UTF-16 or UTF-32 cut in the
        # middle of a unit): plain replacement, counted by its characters.
        text = data.decode(encoding, "replace")
        return text, text.count("\ufffd")
    return _ESCAPED_BYTE.subn("\ufffd", escaped)


#: The bytes :meth:`Poem.first_line` looks at first (it decodes more only if it must).
FIRST_LOOK = 256


def _first_line(head: str, *, whole: bool) -> str | None:
    """The first line of ``head`` with more than white space in it, stripped.

    ``None`` if ``head`` may have been cut inside that line, or before it:
    unless ``head`` is ``whole``, a line counts only when a line break ends
    it. "" if ``head`` is whole and only white space.
    """
    for line in head.splitlines(keepends=True):
        if stripped := line.strip():
            if whole or len(line.splitlines()[0]) < len(line):
                return stripped
            return None
    return "" if whole else None


#: Codecs whose plain decode of a cut prefix reads what an incremental decoder
#: holds back (UTF-7's unfinished base64): their prefixes are always decoded
#: incrementally.
_READS_AHEAD = frozenset({"utf-7"})


def _decode_prefix(chunks: list[bytes], max_bytes: int, size: int, encoding: str) -> str:
    """The text of the first ``max_bytes`` of ``chunks`` (``size`` bytes in all), never failing.

    An incremental decoder keeps back the bytes of a character the cut
    split, unless the prefix is the whole poem: then they are invalid, and
    read as U+FFFD like any other. Where even "replace" gives up (UTF-16
    without a byte-order mark, cut in a unit), :func:`decode_poem` decides.
    """
    prefix = bytearray()
    for chunk in chunks:
        if len(prefix) >= max_bytes:
            break
        prefix += chunk[: max_bytes - len(prefix)]
    if codecs.lookup(encoding).name not in _READS_AHEAD:
        try:
            # Mostly the cut split no character and every byte is valid: one
            # plain decode, a third of the incremental decoder's 1.5 µs.
            return prefix.decode(encoding)
        except UnicodeError:
            pass
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    try:
        return str(decoder.decode(bytes(prefix), final=len(prefix) >= size))
    except UnicodeError:
        return decode_poem(prefix, encoding)[0]


class PoetryProtocol(protocol.Protocol):
    """Collects every byte of one poem until the connection ends.

    Bytes are kept as the list of chunks received: O(total) with no copy
    (unlike the tutorial's ``bytes +=``), and they are joined only when the
    poem's text is first needed.
    When this side decides to end the download (idle timeout, size limit,
    cancel) it records why in ``verdict`` and aborts the connection; the
    factory reads the verdict when the connection is gone.

    A chunk only notes the time it came (moving a timer on every chunk, as
    Twisted's ``TimeoutMixin`` does, cost a method call and a reactor clock
    read per chunk, thousands of times a second with thousands of
    downloads). The idle timeout is a timer that, when due, looks at that
    time and, if bytes came meanwhile, waits again for what is left of
    ``idle_timeout`` since the last of them. A connection gets that timer
    only once its deadline is near (:class:`_IdleWatch`).
    """

    factory: PoetryClientFactory
    transport: ITCPTransport | None

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.received = 0
        self.verdict: BaseException | None = None
        #: ``time.monotonic()`` when the last byte (or the connection) came.
        self.last_byte = 0.0
        self._idle_check: IDelayedCall | None = None
        # The factory's, copied here when it builds the protocol: every chunk
        # reads them, and the hop to the factory was 0.1 µs a chunk.
        self.max_bytes = DEFAULT_MAX_BYTES
        self.progress: ProgressCallback | None = None
        self.idle_timeout = DEFAULT_IDLE_TIMEOUT

    def connectionMade(self) -> None:
        self.last_byte = time.monotonic()
        if not _IDLE_WATCH.watch(self):
            self._check_idle_in(self.idle_timeout)
        self.factory.connection_made()

    def dataReceived(self, data: bytes) -> None:
        if self.verdict is not None:
            return
        self.last_byte = time.monotonic()
        self.chunks.append(data)
        self.received += len(data)
        # A read that filled the transport's buffer means the poem comes faster
        # than we take it: read bigger pieces (64 KiB up to 1 MiB), so a fast
        # download costs fewer reads and loop passes. A slow one never grows,
        # and never asks: its reads are smaller than the first read size.
        if len(data) >= FIRST_READ_SIZE:
            size = read_size(self.transport)
            if size is not None and len(data) == size < MAX_READ_SIZE:
                set_read_size(self.transport, min(size * 4, MAX_READ_SIZE))
        if self.received > self.max_bytes:
            self.give_up(PoemTooLargeError(self.max_bytes))
        elif (progress := self.progress) is not None:
            progress(self.received)

    def _check_idle_in(self, seconds: float) -> None:
        from twisted.internet import reactor

        self._idle_check = reactor.callLater(seconds, self._idle_check_due)

    def near_idle_deadline(self, now: float, horizon: float) -> None:
        """The idle watch's sweep: if the deadline comes before ``horizon``, set the timer."""
        deadline = self.last_byte + self.idle_timeout
        if deadline <= horizon and self._idle_check is None:
            self._check_idle_in(max(deadline - now, 0.0))

    def _idle_check_due(self) -> None:
        self._idle_check = None
        idle = self.idle_timeout
        left = idle - (time.monotonic() - self.last_byte)
        if left > 0:
            self._check_idle_in(left)
        else:
            self.give_up(IdleTimeoutError(idle, self.received))

    def _stop_idle_check(self) -> None:
        _IDLE_WATCH.forget(self)
        check, self._idle_check = self._idle_check, None
        if check is not None and check.active():
            check.cancel()

    def give_up(self, verdict: BaseException) -> None:
        """Abort the connection now, dropping anything buffered, and remember why."""
        if self.verdict is None:
            self.verdict = verdict
        self._stop_idle_check()
        assert self.transport is not None  # every caller runs on a made connection
        self.transport.abortConnection()

    def connectionLost(self, reason: Failure = protocol.connectionDone) -> None:
        self._stop_idle_check()
        self.factory.poem_ended(self, reason)


#: How often :class:`_IdleWatch` looks for connections near their idle deadline.
IDLE_SWEEP_SECONDS = 1.0


class _IdleWatch:
    """Every open connection's idle timeout, with one timer for them all until one is near.

    A timer of its own for each connection (Twisted's ``DelayedCall``, its
    place in the reactor's heap, the objects the garbage collector walks,
    a cancel when the poem ends) cost about 5 µs a download, and almost none
    of them fired: a poem mostly ends long before its idle timeout. So the
    connections are kept in a set, and every :data:`IDLE_SWEEP_SECONDS` one
    sweep gives its own timer to each whose deadline (its last byte plus
    its idle timeout) comes before the next sweep. That timer is the exact
    one :class:`PoetryProtocol` always had: a timeout fires when it did. A
    connection whose idle timeout is no longer than a sweep gets its timer
    at once. With nothing to watch, the sweep stops.
    """

    def __init__(self) -> None:
        self._watched: set[PoetryProtocol] = set()
        self._sweep: IDelayedCall | None = None

    def watch(self, proto: PoetryProtocol) -> bool:
        """Watch ``proto``; ``False`` if its timeout is too short, and it must set its timer."""
        if proto.idle_timeout <= IDLE_SWEEP_SECONDS:
            return False
        self._watched.add(proto)
        if self._sweep is None:
            from twisted.internet import reactor

            self._sweep = reactor.callLater(IDLE_SWEEP_SECONDS, self._sweep_now)
        return True

    def forget(self, proto: PoetryProtocol) -> None:
        watched = self._watched
        watched.discard(proto)
        if not watched and (sweep := self._sweep) is not None:
            self._sweep = None
            if sweep.active():
                sweep.cancel()

    def _sweep_now(self) -> None:
        from twisted.internet import reactor

        self._sweep = None
        now = time.monotonic()
        horizon = now + IDLE_SWEEP_SECONDS
        for proto in self._watched:
            proto.near_idle_deadline(now, horizon)
        if self._watched:
            self._sweep = reactor.callLater(IDLE_SWEEP_SECONDS, self._sweep_now)


_IDLE_WATCH = _IdleWatch()


if TYPE_CHECKING:
    _ClientFactory = protocol.ClientFactory[PoetryProtocol]
else:
    # Twisted's factories take the protocol type as a parameter from 26.4 on;
    # the older ones this program also runs on cannot be subscripted.
    _ClientFactory = protocol.ClientFactory


class PoetryClientFactory(_ClientFactory):
    """One download: builds the protocol and fires ``deferred`` exactly once.

    The Deferred is taken off the factory before it fires, so a late event
    (a connection failure after a cancel, say) cannot fire it twice.
    Cancelling it stops the connection attempt or aborts the connection.
    """

    # One factory per download: Twisted's "Starting factory" lines would drown the log.
    noisy = False

    protocol = PoetryProtocol

    def __init__(
        self,
        *,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        encoding: str = DEFAULT_ENCODING,
        progress: ProgressCallback | None = None,
        connected: Callable[[], object] | None = None,
    ) -> None:
        self.idle_timeout = idle_timeout
        self.max_bytes = max_bytes
        self.encoding = encoding
        #: Called with the running byte total after each chunk (``None`` once it ended).
        self.progress = progress
        self._connected = connected
        self.started = time.monotonic()
        self.connector: IConnector | None = None
        self.poem_protocol: PoetryProtocol | None = None
        self.deferred: Deferred[Poem] | None = Deferred(self._cancel)

    def buildProtocol(self, addr: IAddress | None) -> PoetryProtocol | None:
        proto = self.poem_protocol = super().buildProtocol(addr)
        if proto is not None:
            proto.max_bytes = self.max_bytes
            proto.progress = self.progress
            proto.idle_timeout = self.idle_timeout
        return proto

    def connection_made(self) -> None:
        if self._connected is not None:
            self._connected()

    def poem_ended(self, proto: PoetryProtocol, reason: Failure) -> None:
        """The connection is closed: decide between a poem and a failure."""
        size = proto.received
        if proto.verdict is not None:
            self._fire(Failure(proto.verdict))
        elif not reason.check(error.ConnectionDone):
            self._fire(Failure(ConnectionLostError(size, reason)))
        elif size == 0:
            self._fire(Failure(EmptyPoemError()))
        else:
            # The chunks themselves go to the poem: no copy of a big poem is made.
            chunks, proto.chunks = proto.chunks, []
            self._fire(Poem(chunks, time.monotonic() - self.started, self.encoding))

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        self._fire(reason)

    def clientConnectionLost(self, connector: IConnector, reason: Failure) -> None:
        # The download has ended (poem_ended came first): let its objects go
        # by reference counting, not wait for a full garbage collection.
        forget_ended_transport(connector)

    def _fire(self, result: Poem | Failure) -> None:
        d, self.deferred = self.deferred, None
        self._stop_progress()
        # Each pointed back at this factory: two reference cycles per download.
        self.poem_protocol = self.connector = None
        if d is None:
            return
        if isinstance(result, Poem):
            d.callback(result)
        else:
            d.errback(result)

    def _stop_progress(self) -> None:
        """The download ended or was cancelled: nothing more is reported."""
        self.progress = self._connected = None
        if self.poem_protocol is not None:
            self.poem_protocol.progress = None

    def _cancel(self, d: Deferred[Poem]) -> None:
        # Deferred.cancel() errbacks with CancelledError once we return; we
        # only make sure nothing of the download is left running.
        self.deferred = None
        self._stop_progress()
        proto = self.poem_protocol
        if proto is not None and proto.transport is not None:
            proto.give_up(CancelledError())
        elif self.connector is not None:
            self.connector.stopConnecting()


def get_poetry(
    host: str,
    port: int,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    encoding: str = DEFAULT_ENCODING,
    progress: ProgressCallback | None = None,
    connected: Callable[[], object] | None = None,
) -> Deferred[Poem]:
    """Download one poem from ``host:port``; the Deferred fires once with a :class:`Poem`.

    ``timeout`` bounds name lookup plus connecting; ``idle_timeout`` bounds
    the silence between bytes; ``max_bytes`` bounds the poem. ``progress``
    gets the running byte total as bytes arrive; ``connected`` is called once
    the TCP connection is up. Bad arguments (an unknown encoding, a port out
    of range) raise ``ValueError`` before anything connects.
    """
    from twisted.internet import reactor

    encoding = check_encoding(encoding)
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(_("port {port} is outside 1-65535").format(port=repr(port)))
    for name, value in (("timeout", timeout), ("idle_timeout", idle_timeout)):
        if not value > 0:
            raise ValueError(
                _("{name} must be a positive number of seconds, not {value}").format(
                    name=name, value=repr(value)
                )
            )
    if not max_bytes > 0:
        raise ValueError(
            _("{name} must be positive, not {value}").format(
                name="max_bytes", value=repr(max_bytes)
            )
        )
    factory = PoetryClientFactory(
        idle_timeout=idle_timeout,
        max_bytes=max_bytes,
        encoding=encoding,
        progress=progress,
        connected=connected,
    )
    deferred = factory.deferred
    assert deferred is not None
    factory.connector = reactor.connectTCP(host, port, factory, timeout=timeout)
    return deferred


def describe_failure(failure: Failure) -> str:
    """The reason a download failed, in the few plain words a person reads.

    In the language being spoken when it is called: the window and
    ``poetry-get`` call it when they show the reason. The log wants English,
    and calls it inside :func:`app.i18n.source_language`.
    """
    value = failure.value
    if isinstance(value, PoetryError):
        return value.words()
    if isinstance(value, CancelledError):
        return _("cancelled")
    if isinstance(value, error.ConnectionRefusedError):
        return _("connection refused")
    if isinstance(value, error.TimeoutError | error.TCPTimedOutError):
        return _("timed out")
    if isinstance(value, error.DNSLookupError | error.UnknownHostError):
        return _("host not found")
    if isinstance(value, error.NoRouteError):
        return _("no route to host")
    if isinstance(value, error.ConnectError):
        why = connect_error_words(value) or type(value).__name__
        return _("could not connect ({why})").format(why=why)
    return _("unexpected error: {kind}: {message}").format(kind=type(value).__name__, message=value)


#: The OS's words for the errors a connection meets, for a language other than
#: English; in English the OS's own words are used, as the OS spells them.
_OS_ERROR_WORDS = {
    errno.ECONNRESET: N_("connection reset by peer"),
    errno.ECONNREFUSED: N_("connection refused"),
    errno.ECONNABORTED: N_("software caused connection abort"),
    errno.ETIMEDOUT: N_("connection timed out"),
    errno.EHOSTUNREACH: N_("no route to host"),
    errno.ENETUNREACH: N_("network is unreachable"),
    errno.ENETDOWN: N_("network is down"),
    errno.EHOSTDOWN: N_("host is down"),
    errno.EADDRNOTAVAIL: N_("cannot assign requested address"),
    errno.EADDRINUSE: N_("address already in use"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"),
    errno.EMFILE: N_("too many open files"),
    errno.EPIPE: N_("broken pipe"),
}


def connect_error_words(value: error.ConnectError) -> str:
    """ "connection reset by peer" rather than Twisted's "104: Connection reset by peer.".

    The OS's words for its error number, else what Twisted said without the
    number; "" when there is neither, so each caller says that its own way.
    The common errors are said in the current language (the OS speaks English).
    """
    number: int | None = None
    if isinstance(value.osError, int):
        number = value.osError
        words = os.strerror(value.osError)
    elif value.args and isinstance(value.args[0], str):
        words = value.args[0].strip().rstrip(".")
        # getConnectError's "104: Connection reset by peer": the number says nothing more.
        code, _sep, rest = words.partition(": ")
        if code.isdigit() and rest:
            number, words = int(code), rest
    else:
        return ""
    known = _OS_ERROR_WORDS.get(number) if number is not None else None
    if known is not None and _(known) != known:
        return _(known)
    return words[:1].lower() + words[1:]
