"""``poetry-get``: download poems from many servers at once and print them in the order given.

Every download starts at once on Twisted's default reactor; a poem is
printed as soon as it and the ones before it are complete, so a slow server
holds up only the poems after it. Download failures are one plain line each
on stderr (a traceback only with ``--traceback``) and exit status 1; usage
mistakes exit with status 2 and one line saying what is wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TextIO, cast

from twisted.internet.defer import Deferred, DeferredList
from twisted.internet.interfaces import IReactorTCP
from twisted.python.failure import Failure

from app import i18n
from app.cli.arguments import (
    add_version,
    address_argument,
    encoding_argument,
    positive_float,
    positive_int,
)
from app.i18n import _, ngettext
from app.i18n.argparse_words import speak_ours
from app.i18n.units import format_size
from app.net.address import Address
from app.net.client import DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, get_poetry
from app.net.failures import describe_failure
from app.net.poem import Poem
from app.startup.file_limit import raise_open_file_limit
from app.views.failure_report import traceback_text

#: The command's name, as the first word of each line it writes to stderr.
PROG = "poetry-get"


def _parser() -> argparse.ArgumentParser:
    """The parser, built after :func:`main` installed the language, so its help is in it."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=_("Download poems from poetry servers, all at once."),
        epilog=_("ADDR is PORT (on 127.0.0.1), HOST:PORT or [IPv6]:PORT."),
    )
    parser.add_argument("addresses", metavar="ADDR", nargs="+", type=address_argument)
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=_("seconds allowed to look up and connect (default %(default)g)"),
    )
    parser.add_argument(
        "--idle-timeout",
        type=positive_float,
        default=DEFAULT_IDLE_TIMEOUT,
        metavar="S",
        help=_("give up after S seconds without a byte (default %(default)g)"),
    )
    parser.add_argument(
        "--max-bytes",
        type=positive_int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=_("give up on poems larger than N bytes (default 16 MiB)"),
    )
    parser.add_argument(
        "--encoding",
        type=encoding_argument,
        default="utf-8",
        metavar="E",
        help=_("text encoding of the poems (default utf-8)"),
    )
    parser.add_argument(
        "--traceback", action="store_true", help=_("print the full traceback of each failure")
    )
    add_version(parser)
    return parser


class _Batch:
    """Downloads every address at once and prints the poems in the order given.

    A poem is printed as soon as it and every poem before it are finished,
    so the first poem appears without waiting for the slowest server.
    Every download runs on ``reactor``.
    """

    def __init__(
        self, options: argparse.Namespace, out: TextIO, err: TextIO, reactor: IReactorTCP
    ) -> None:
        self.addresses: list[Address] = options.addresses
        self.reactor = reactor
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

    def start(self) -> Deferred[list[tuple[bool, Poem]]]:
        for index, address in enumerate(self.addresses):
            d = get_poetry(
                address.host,
                address.port,
                timeout=self.options.timeout,
                idle_timeout=self.options.idle_timeout,
                max_bytes=self.options.max_bytes,
                encoding=self.options.encoding,
                progress=self._progress_for(index),
                reactor=self.reactor,
            )
            self.deferreds.append(d)
            d.addBoth(self._finished, index)
        return DeferredList(self.deferreds)

    def cancel(self) -> None:
        for d in self.deferreds:
            d.cancel()

    def _progress_for(self, index: int) -> Callable[[int], None]:
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
                self.err.write(traceback_text(result))
            reason = describe_failure(result)
            self._say(_("{address}: {reason}").format(address=address, reason=reason))
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
            # Bytes the encoding cannot read never fail a download, here as in
            # the window, but the reader should know the text is not exactly
            # what the server meant.
            self._say(
                ngettext(
                    "{address}: {n} invalid {encoding} byte shown as U+FFFD",
                    "{address}: {n} invalid {encoding} bytes shown as U+FFFD",
                    result.replaced,
                ).format(address=address, n=result.replaced, encoding=result.encoding)
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

    def _say(self, line: str) -> None:
        self.err.write(f"{PROG}: {line}\n")

    def show_progress(self) -> None:
        done = sum(result is not None for result in self.results)
        line = _("{done} of {total} done, {size} received").format(
            done=done, total=len(self.addresses), size=format_size(sum(self.received))
        )
        self.err.write(f"\r{line}\x1b[K")
        self.err.flush()
        self._progress_shown = True

    def clear_progress(self) -> None:
        if self._progress_shown:
            self.err.write("\r\x1b[K")
            self._progress_shown = False


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``poetry-get``; exits 0 if every poem arrived, 1 if not, 2 on bad usage."""
    i18n.install()
    speak_ours()
    options = _parser().parse_args(argv)
    # A socket per address, all open at once (app/startup/file_limit.py).
    raise_open_file_limit()
    from twisted.internet import reactor as default_reactor
    from twisted.internet.posixbase import PosixReactorBase
    from twisted.internet.task import LoopingCall

    # Twisted's default reactor here (epoll on Linux): one with signal handling
    # to switch off and a thread-safe call for the signal handler below.
    reactor = cast(PosixReactorBase, default_reactor)

    # Poems are UTF-8 text on stdout whatever the locale says; a terminal
    # that cannot show a character gets a replacement, not a crash.
    out = _text_stream(sys.stdout, "utf-8")
    err = _text_stream(sys.stderr, sys.stderr.encoding or "utf-8")
    batch = _Batch(options, out, err, reactor)
    ticker = LoopingCall(batch.show_progress)
    interrupted = []

    def interrupt(signum: int, frame: object) -> None:
        interrupted.append(signum)
        reactor.callFromThread(batch.cancel)

    def finish(_result: object) -> None:
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
        err.write(f"{PROG}: {_('interrupted')}\n")
    err.flush()
    if not batch.stdout_closed:
        out.flush()
    sys.exit(1 if batch.failed or interrupted or batch.stdout_closed else 0)


def _text_stream(stream: TextIO, encoding: str) -> TextIO:
    with contextlib.suppress(AttributeError, ValueError):
        stream.reconfigure(encoding=encoding, errors="replace")  # type: ignore[attr-defined]
    return stream


def _is_terminal(stream: TextIO) -> bool:
    try:
        return os.isatty(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False
