"""``poetry-get``: download poems from many servers at once and print them in the order given.

Every download starts at once on Twisted's default reactor; a poem is
printed as soon as it and the ones before it are complete, so a slow server
holds up only the poems after it. With ``--blocking`` the tutorial's
blocking client (:mod:`app.net.blocking_client`) downloads them instead, one
after another, with the same output: time both to see what the reactor buys.
Download failures are one plain line each on stderr (a traceback only with
``--traceback``) and exit status 1; usage mistakes exit with status 2 and
one line saying what is wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
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
from app.i18n.argparse_words import HelpFormatter, speak_ours
from app.i18n.units import format_size
from app.net.address import Address
from app.net.blocking_client import fetch_poem
from app.net.client import DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, get_poetry
from app.net.failures import DeadlineError, describe_failure
from app.net.poem import Poem
from app.startup.file_limit import raise_open_file_limit
from app.views.failure_report import traceback_text

#: The command's name, as the first word of each line it writes to stderr.
PROG = "poetry-get"
#: Seconds between redraws of the progress line (on a terminal only).
PROGRESS_INTERVAL = 0.1


def _parser() -> argparse.ArgumentParser:
    """The parser, built after :func:`main` installed the language, so its help is in it."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        formatter_class=HelpFormatter,
        description=_("Download poems from poetry servers, all at once."),
        epilog=_("ADDR is PORT (on 127.0.0.1), HOST:PORT or [IPv6]:PORT."),
    )
    parser.add_argument(
        "addresses",
        metavar="ADDR",
        nargs="+",
        type=address_argument,
        help=_("a poetry server to download from; several are printed in the order given"),
    )
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
        "--max-time",
        type=positive_float,
        default=None,
        metavar="S",
        help=_("give up on a download not complete after S seconds (default: no limit)"),
    )
    parser.add_argument(
        "--blocking",
        action="store_true",
        help=_("download one poem after another with a blocking client, as in the tutorial"),
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
    Every download runs on ``reactor`` (the global one if ``None``), unless
    :meth:`download_one_by_one` runs them without it.
    """

    def __init__(
        self,
        options: argparse.Namespace,
        out: TextIO,
        err: TextIO,
        reactor: IReactorTCP | None = None,
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
                max_time=self.options.max_time,
            )
            self.deferreds.append(d)
            d.addBoth(self.finished, index)
        return DeferredList(self.deferreds)

    def download_one_by_one(self, show_progress: bool) -> None:
        """The tutorial's blocking client: each download waits for the one before it to end.

        The same results reach the same printing as the reactor's, so the
        output is the same, only later. ``KeyboardInterrupt`` stops it.
        """
        for index, address in enumerate(self.addresses):
            if self.stdout_closed:
                return
            progress = self._progress_for(index, self.show_progress if show_progress else None)
            result: Poem | Failure
            try:
                result = fetch_poem(
                    address,
                    timeout=self.options.timeout,
                    idle_timeout=self.options.idle_timeout,
                    max_bytes=self.options.max_bytes,
                    encoding=self.options.encoding,
                    max_time=self.options.max_time,
                    progress=progress,
                )
            except Exception:
                # As a Deferred would: whatever the download raised is its failure.
                result = Failure()
            self.finished(result, index)

    def cancel(self) -> None:
        for d in self.deferreds:
            d.cancel()

    def _progress_for(
        self, index: int, show: Callable[[], None] | None = None
    ) -> Callable[[int], None]:
        """Counts the download's bytes; with ``show``, also redraws the progress line.

        The blocking client has no ticker to redraw it: it redraws from
        here, at most ten times a second.
        """
        shown = [0.0]

        def progress(total: int) -> None:
            self.received[index] = total
            if show is not None and time.monotonic() - shown[0] >= PROGRESS_INTERVAL:
                shown[0] = time.monotonic()
                show()

        return progress

    def finished(self, result: Poem | Failure, index: int) -> None:
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
            if result.check(DeadlineError):
                reason = _("{reason} (--max-time)").format(reason=reason)
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
    # Poems are UTF-8 text on stdout whatever the locale says; a terminal
    # that cannot show a character gets a replacement, not a crash.
    out = _text_stream(sys.stdout, "utf-8")
    err = _text_stream(sys.stderr, sys.stderr.encoding or "utf-8")
    batch = _Batch(options, out, err)
    run = _run_blocking if options.blocking else _run_on_the_reactor
    interrupted = run(batch)
    if interrupted:
        line = _("interrupted")
        err.write(f"{PROG}: {line}\n")
    err.flush()
    if not batch.stdout_closed:
        out.flush()
    sys.exit(1 if batch.failed or interrupted or batch.stdout_closed else 0)


def _run_on_the_reactor(batch: _Batch) -> bool:
    """Every download at once on the default reactor; True if a signal interrupted them."""
    # A socket per address, all open at once (app/startup/file_limit.py).
    raise_open_file_limit()
    from twisted.internet import reactor as default_reactor
    from twisted.internet.posixbase import PosixReactorBase
    from twisted.internet.task import LoopingCall

    # Twisted's default reactor here (epoll on Linux): one with signal handling
    # to switch off and a thread-safe call for the signal handler below.
    reactor = cast(PosixReactorBase, default_reactor)
    batch.reactor = reactor
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
        if _is_terminal(batch.err) and batch.printed < len(batch.addresses):
            ticker.start(PROGRESS_INTERVAL, now=False)

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    reactor.callWhenRunning(begin)
    reactor.run(installSignalHandlers=False)
    return bool(interrupted)


def _run_blocking(batch: _Batch) -> bool:
    """One download after another, no reactor; True if a signal interrupted them."""
    # SIGTERM stops it as Ctrl-C does: the socket in use is closed on the way out.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        batch.download_one_by_one(show_progress=_is_terminal(batch.err))
    except KeyboardInterrupt:
        return True
    finally:
        batch.clear_progress()
    return False


def _text_stream(stream: TextIO, encoding: str) -> TextIO:
    with contextlib.suppress(AttributeError, ValueError):
        stream.reconfigure(encoding=encoding, errors="replace")  # type: ignore[attr-defined]
    return stream


def _is_terminal(stream: TextIO) -> bool:
    try:
        return os.isatty(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False
