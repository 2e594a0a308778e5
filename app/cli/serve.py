"""``poetry-server``: serve each poem file on its own port, slowly, until interrupted.

A thin command line over :mod:`app.server`; it runs on Twisted's default
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

from app import __version__
from app.address import Address
from app.cli.arguments import non_negative_float, port_number, positive_int
from app.server import DEFAULT_DELAY, DEFAULT_NUM_BYTES, PoetryServerFactory, listen_poetry


def _parser() -> argparse.ArgumentParser:
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
        type=port_number,
        default=None,
        metavar="N",
        help="first port; the next files get N+1, N+2... (default: free ports)",
    )
    parser.add_argument(
        "--delay",
        type=non_negative_float,
        default=DEFAULT_DELAY,
        metavar="S",
        help="seconds between writes (default %(default)g; 0 sends at full speed)",
    )
    parser.add_argument(
        "--num-bytes",
        type=positive_int,
        default=DEFAULT_NUM_BYTES,
        metavar="N",
        help="bytes per write (default %(default)s)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``poetry-server``: serve until interrupted, then exit 0."""
    parser = _parser()
    options = parser.parse_args(argv)
    poems: list[bytes] = []
    for path in options.files:
        try:
            poems.append(path.read_bytes())
        except OSError as e:
            parser.error(f"cannot read {str(path)!r}: {e.strerror or e}")
    # Imported only now: importing the reactor installs Twisted's default one.
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
        assert isinstance(host, IPv4Address | IPv6Address)  # a TCP port's address
        served = Address(host.host, host.port)
        print(f"Serving {path} on {served}", flush=True)
    reactor.run()
    sys.exit(0)
