"""The command lines: ``poetry-get`` downloads, ``poetry-server`` serves.

Both run on Twisted's default reactor. Usage mistakes exit with status 2 and
one line saying what is wrong; download failures are one plain line each on
stderr (a traceback only with ``--traceback``) and exit status 1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from twisted.internet.defer import Deferred, DeferredList
from twisted.python.failure import Failure

from app import __version__
from app.address import Address, parse_address
from app.client import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    Poem,
    check_encoding,
    describe_failure,
    failure_details,
    get_poetry,
)
from app.server import DEFAULT_DELAY, DEFAULT_NUM_BYTES, PoetryServerFactory, listen_poetry
from app.units import format_size


def _seconds(text: str, *, zero_allowed: bool = False) -> float:
    """A finite number of seconds: positive, or also 0 where ``zero_allowed``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    in_range = value >= 0 if zero_allowed else value > 0
    if not in_range or value == float("inf"):
        wanted = "0 or more seconds" if zero_allowed else "a positive number of seconds"
        raise argparse.ArgumentTypeError(f"{text!r} must be {wanted}")
    return value


def _positive_float(text: str) -> float:
    return _seconds(text)


def _non_negative_float(text: str) -> float:
    return _seconds(text, zero_allowed=True)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _port_number(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is outside 1-65535")
    return value


def address_argument(text: str) -> Address:
    """An argparse ``type`` for ``ADDR``: the parser's message becomes the usage error."""
    try:
        return parse_address(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _encoding(text: str) -> str:
    try:
        return check_encoding(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


# poetry-get


def _get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="poetry-get",
        description="Download poems from poetry servers, all at once.",
        epilog="ADDR is PORT (on 127.0.0.1), HOST:PORT or [IPv6]:PORT.",
    )
    parser.add_argument("addresses", metavar="ADDR", nargs="+", type=address_argument)
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help="seconds allowed to look up and connect (default %(default)g)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=_positive_float,
        default=DEFAULT_IDLE_TIMEOUT,
        metavar="S",
        help="give up after S seconds without a byte (default %(default)g)",
    )
    parser.add_argument(
        "--max-bytes",
        type=_positive_int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help="give up on poems larger than N bytes (default 16 MiB)",
    )
    parser.add_argument(
        "--encoding",
        type=_encoding,
        default="utf-8",
        metavar="E",
        help="text encoding of the poems (default utf-8)",
    )
    parser.add_argument(
        "--traceback", action="store_true", help="print the full traceback of each failure"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


class _Batch:
    """Downloads every address at once and prints the poems in the order given.

    A poem is printed as soon as it and every poem before it are finished,
    so the first poem appears without waiting for the slowest server.
    """

    def __init__(self, options: argparse.Namespace, out: TextIO, err: TextIO) -> None:
        self.addresses: list[Address] = options.addresses
        self.options = options
        self.out = out
        self.err = err
        self.results: list[Poem | Failure | None] = [None] * len(self.addresses)
        self.printed = 0
        self.failed = 0
        self.received = [0] * len(self.addresses)
        self.deferreds: list[Deferred[Poem]] = []
        self._progress_shown = False
        self._poems_written = 0
        self.stdout_closed = False

    def start(self) -> DeferredList:
        for index, address in enumerate(self.addresses):
            d = get_poetry(
                address.host,
                address.port,
                timeout=self.options.timeout,
                idle_timeout=self.options.idle_timeout,
                max_bytes=self.options.max_bytes,
                encoding=self.options.encoding,
                progress=self._progress_for(index),
            )
            self.deferreds.append(d)
            d.addBoth(self._finished, index)
        return DeferredList(self.deferreds)

    def cancel(self) -> None:
        for d in self.deferreds:
            d.cancel()

    def _progress_for(self, index: int):
        def progress(total: int) -> None:
            self.received[index] = total

        return progress

    def _finished(self, result: Poem | Failure, index: int) -> None:
        self.results[index] = result
        if isinstance(result, Failure):
            self.failed += 1
        while self.printed < len(self.results) and self.results[self.printed] is not None:
            self._print(self.printed)
            self.printed += 1

    def _print(self, index: int) -> None:
        if self.stdout_closed:
            return
        self.clear_progress()
        result = self.results[index]
        address = self.addresses[index]
        if isinstance(result, Failure):
            if self.options.traceback:
                self.err.write(failure_details(result))
            self.err.write(f"poetry-get: {address}: {describe_failure(result)}\n")
            self.err.flush()
            return
        assert isinstance(result, Poem)
        text = result.text
        if len(self.addresses) > 1:
            separator = "\n" if self._poems_written else ""
            text = f"{separator}==> {address} <==\n{text}"
            if not text.endswith("\n"):
                text += "\n"
        if result.replaced:
            # Not a failure (DESIGN §1), but the reader should know the text
            # is not exactly what the server meant.
            self.err.write(
                f"poetry-get: {address}: {result.replaced} invalid "
                f"{result.encoding} bytes shown as U+FFFD\n"
            )
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:
            # The reader went away (`poetry-get ... | head`): nobody is left
            # to read the other poems, so stop downloading them.
            self.stdout_closed = True
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.out.fileno())
            self.cancel()
        self._poems_written += 1

    def show_progress(self) -> None:
        done = sum(result is not None for result in self.results)
        line = f"{done} of {len(self.addresses)} done, {format_size(sum(self.received))} received"
        self.err.write(f"\r{line}\x1b[K")
        self.err.flush()
        self._progress_shown = True

    def clear_progress(self) -> None:
        if self._progress_shown:
            self.err.write("\r\x1b[K")
            self._progress_shown = False


def get_main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``poetry-get``; exits 0 if every poem arrived, 1 if not, 2 on bad usage."""
    options = _get_parser().parse_args(argv)
    from twisted.internet import reactor
    from twisted.internet.task import LoopingCall

    # Poems are UTF-8 text on stdout whatever the locale says; a terminal
    # that cannot show a character gets a replacement, not a crash.
    out = _text_stream(sys.stdout, "utf-8")
    err = _text_stream(sys.stderr, sys.stderr.encoding or "utf-8")
    batch = _Batch(options, out, err)
    ticker = LoopingCall(batch.show_progress)
    interrupted = []

    def interrupt(signum: int, frame: object) -> None:
        interrupted.append(signum)
        reactor.callFromThread(batch.cancel)

    def finish(_: object) -> None:
        if ticker.running:
            ticker.stop()
        batch.clear_progress()
        reactor.stop()

    def begin() -> None:
        batch.start().addBoth(finish)
        if _is_terminal(err) and batch.printed < len(batch.addresses):
            ticker.start(0.1, now=False)

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    reactor.callWhenRunning(begin)
    reactor.run(installSignalHandlers=False)
    if interrupted:
        err.write("poetry-get: interrupted\n")
    err.flush()
    if not batch.stdout_closed:
        out.flush()
    sys.exit(1 if batch.failed or interrupted or batch.stdout_closed else 0)


# poetry-server


def _server_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="poetry-server",
        description="Serve poems slowly, to any number of clients at once. "
        "Each FILE gets its own port.",
    )
    parser.add_argument("files", metavar="FILE", nargs="+", type=Path)
    parser.add_argument(
        "--iface", default="127.0.0.1", help="interface to listen on (default %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=_port_number,
        default=None,
        metavar="N",
        help="first port; the next files get N+1, N+2... (default: free ports)",
    )
    parser.add_argument(
        "--delay",
        type=_non_negative_float,
        default=DEFAULT_DELAY,
        metavar="S",
        help="seconds between writes (default %(default)g; 0 sends at full speed)",
    )
    parser.add_argument(
        "--num-bytes",
        type=_positive_int,
        default=DEFAULT_NUM_BYTES,
        metavar="N",
        help="bytes per write (default %(default)s)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def server_main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``poetry-server``: serve until interrupted, then exit 0."""
    parser = _server_parser()
    options = parser.parse_args(argv)
    poems = []
    for path in options.files:
        try:
            poems.append(path.read_bytes())
        except OSError as e:
            parser.error(f"cannot read {str(path)!r}: {e.strerror or e}")
    from twisted.internet import error, reactor

    for index, (path, poem) in enumerate(zip(options.files, poems, strict=True)):
        factory = PoetryServerFactory(poem, options.delay, options.num_bytes)
        port = 0 if options.port is None else options.port + index
        if port > 65535:
            parser.error(f"no port left for {str(path)!r}: {options.port} + {index} > 65535")
        try:
            listening = listen_poetry(factory, port, options.iface)
        except error.CannotListenError as e:
            reason = getattr(e.socketError, "strerror", None) or e.socketError
            sys.stderr.write(f"poetry-server: cannot listen on {options.iface}:{port}: {reason}\n")
            sys.exit(1)
        host = listening.getHost()
        served = Address(host.host, host.port)
        print(f"Serving {path} on {served}", flush=True)
    reactor.run()
    sys.exit(0)


def _text_stream(stream: TextIO, encoding: str) -> TextIO:
    with contextlib.suppress(AttributeError, ValueError):
        stream.reconfigure(encoding=encoding, errors="replace")  # type: ignore[attr-defined]
    return stream


def _is_terminal(stream: TextIO) -> bool:
    try:
        return os.isatty(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False
