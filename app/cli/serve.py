"""``poetry-server``: serve each poem file on its own port, slowly, until interrupted.

A thin command line over :mod:`app.net.server`; it runs on Twisted's default
reactor with its signal handlers, so SIGINT and SIGTERM stop it cleanly
(exit 0). An unreadable file is bad usage (exit 2), found before anything
is served; a port that cannot be listened on exits 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from twisted.internet.address import IPv4Address, IPv6Address

from app import i18n
from app.cli.arguments import add_version, non_negative_float, port_number, positive_int
from app.i18n import _
from app.i18n.argparse_words import speak_ours
from app.net.address import Address
from app.net.server import DEFAULT_DELAY, DEFAULT_NUM_BYTES, PoetryServerFactory, listen_poetry

#: The command's name, as the first word of each line it writes to stderr.
PROG = "poetry-server"


def _parser() -> argparse.ArgumentParser:
    """The parser, built after :func:`main` installed the language, so its help is in it."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=_(
            "Serve poems slowly, to any number of clients at once. Each FILE gets its own port."
        ),
    )
    parser.add_argument("files", metavar="FILE", nargs="+", type=Path)
    parser.add_argument(
        "--iface", default="127.0.0.1", help=_("interface to listen on (default %(default)s)")
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
    add_version(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``poetry-server``: serve until interrupted, then exit 0."""
    i18n.install()
    speak_ours()
    parser = _parser()
    options = parser.parse_args(argv)
    poems: list[bytes] = []
    for path in options.files:
        try:
            poems.append(path.read_bytes())
        except OSError as e:
            parser.error(
                _("cannot read {file}: {reason}").format(
                    file=repr(str(path)), reason=e.strerror or e
                )
            )
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
