"""``poetry-server``: serve each poem file on its own port, slowly, until interrupted.

A thin command line over :mod:`app.net.server`; it runs on Twisted's default
reactor with its signal handlers, so SIGINT and SIGTERM stop it cleanly
(exit 0). A file it cannot serve is bad usage (exit 2), found before
anything is served: one that cannot be read, one that is not a regular
file (a pipe would hang the read, ``/dev/zero`` never ends), and one
larger than ``--max-bytes`` (the most a client takes by default), the last
two seen by ``stat`` before a byte is read. A port that cannot be listened
on exits 1.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from twisted.internet.address import IPv4Address, IPv6Address

from app import i18n
from app.cli.arguments import (
    add_version,
    interface_argument,
    non_negative_float,
    port_number,
    positive_int,
)
from app.i18n import _
from app.i18n.argparse_words import HelpFormatter, speak_ours
from app.i18n.units import format_size
from app.net.address import Address
from app.net.client import DEFAULT_MAX_BYTES
from app.net.server import DEFAULT_DELAY, DEFAULT_NUM_BYTES, PoetryServerFactory, listen_poetry

#: The command's name, as the first word of each line it writes to stderr.
PROG = "poetry-server"


def _parser() -> argparse.ArgumentParser:
    """The parser, built after :func:`main` installed the language, so its help is in it."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        formatter_class=HelpFormatter,
        description=_(
            "Serve poems slowly, to any number of clients at once. Each FILE gets its own port."
        ),
    )
    parser.add_argument(
        "files", metavar="FILE", nargs="+", type=Path, help=_("a poem to serve, as a text file")
    )
    parser.add_argument(
        "--iface",
        type=interface_argument,
        default="127.0.0.1",
        help=_("interface to listen on (default %(default)s)"),
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=None,
        metavar="N",
        help=_("first port; the next files get N+1, N+2... (default: free ports)"),
    )
    parser.add_argument(
        "--delay",
        type=non_negative_float,
        default=DEFAULT_DELAY,
        metavar="S",
        help=_("seconds between writes (default %(default)g; 0 sends at full speed)"),
    )
    parser.add_argument(
        "--num-bytes",
        type=positive_int,
        default=DEFAULT_NUM_BYTES,
        metavar="N",
        help=_("bytes per write (default %(default)s)"),
    )
    parser.add_argument(
        "--max-bytes",
        type=positive_int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=_("refuse files larger than N bytes (default 16 MiB)"),
    )
    add_version(parser)
    return parser


class NotServable(Exception):
    """A file that is there, but not a poem this server can serve; the message says why."""


def read_poem_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of the poem at ``path``, read only once they are known to be few enough.

    Raises :class:`NotServable` for anything but a regular file and for a
    file larger than ``max_bytes``, both seen before a byte is read: the
    kind from ``stat`` before the file is opened (a device is never
    opened), the size once it is. Raises ``OSError`` when it cannot be read.
    """
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise NotServable(_("not a regular file"))
    # Non-blocking: a pipe put in the file's place since the look cannot hang the open.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    with open(os.open(path, flags), "rb") as file:
        opened = os.fstat(file.fileno())
        if not stat.S_ISREG(opened.st_mode):
            raise NotServable(_("not a regular file"))
        size = opened.st_size
        if size <= max_bytes:
            poem = file.read(max_bytes + 1)
            if len(poem) <= max_bytes:
                return poem
            size = os.fstat(file.fileno()).st_size  # it grew while being read
    raise NotServable(
        _("{size}, larger than --max-bytes ({limit})").format(
            size=format_size(size), limit=format_size(max_bytes)
        )
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``poetry-server``: serve until interrupted, then exit 0."""
    i18n.install()
    speak_ours()
    parser = _parser()
    options = parser.parse_args(argv)
    poems: list[bytes] = []
    for path in options.files:
        try:
            poems.append(read_poem_file(path, options.max_bytes))
        except OSError as e:
            parser.error(
                _("cannot read {file}: {reason}").format(
                    file=repr(str(path)), reason=e.strerror or e
                )
            )
        except NotServable as e:
            parser.error(_("cannot serve {file}: {reason}").format(file=repr(str(path)), reason=e))
    # Imported only now: importing the reactor installs Twisted's default one.
    from twisted.internet import error, reactor

    for index, (path, poem) in enumerate(zip(options.files, poems, strict=True)):
        factory = PoetryServerFactory(poem, options.delay, options.num_bytes)
        port = 0 if options.port is None else options.port + index
        if port > 65535:
            parser.error(
                _("no port left for {file}: {port} + {index} > 65535").format(
                    file=repr(str(path)), port=options.port, index=index
                )
            )
        try:
            listening = listen_poetry(factory, port, options.iface)
        except error.CannotListenError as e:
            reason = getattr(e.socketError, "strerror", None) or e.socketError
            line = _("cannot listen on {address}: {reason}").format(
                address=f"{options.iface}:{port}", reason=reason
            )
            sys.stderr.write(f"{PROG}: {line}\n")
            sys.exit(1)
        host = listening.getHost()
        assert isinstance(host, IPv4Address | IPv6Address)  # a TCP port's address
        served = Address(host.host, host.port)
        # TRANSLATORS: {address} stays the last word: scripts read it from there.
        print(_("Serving {file} on {address}").format(file=path, address=served), flush=True)
    reactor.run()
    sys.exit(0)
