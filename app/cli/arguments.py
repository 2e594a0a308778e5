"""Command-line words turned into values, for ``poetry-get``, ``poetry-server`` and the window.

Each function is an argparse ``type``: a word that does not fit raises
``argparse.ArgumentTypeError`` with a message a person can act on, and
argparse turns it into one usage line and exit status 2. Nothing here
imports the reactor, so the window can use :func:`address_argument` before
it installs its own. :func:`add_version` gives both programs the same
``--version``.
"""

from __future__ import annotations

import argparse

from app import __version__
from app.i18n import _
from app.net.address import Address, parse_address
from app.net.poem import check_encoding


def _seconds(text: str, *, zero_allowed: bool = False) -> float:
    """A finite number of seconds: positive, or also 0 where ``zero_allowed``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text} is not a number of seconds").format(text=repr(text))
        ) from None
    in_range = value >= 0 if zero_allowed else value > 0
    if not in_range or value == float("inf"):
        wanted = (
            _("{text} must be 0 or more seconds")
            if zero_allowed
            else _("{text} must be a positive number of seconds")
        )
        raise argparse.ArgumentTypeError(wanted.format(text=repr(text)))
    return value


def positive_float(text: str) -> float:
    return _seconds(text)


def non_negative_float(text: str) -> float:
    return _seconds(text, zero_allowed=True)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text} is not a whole number").format(text=repr(text))
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("{text} must be at least 1").format(text=repr(text)))
    return value


def port_number(text: str) -> int:
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(_("{text} is outside 1-65535").format(text=repr(text)))
    return value


def interface_argument(text: str) -> str:
    """An argparse ``type`` for ``--iface``: an empty one is refused.

    Twisted reads an empty interface as "every interface", which is never
    what a person who left the value out meant; 0.0.0.0 says so on purpose.
    """
    if not text.strip():
        raise argparse.ArgumentTypeError(
            _(
                "empty: give the address to listen on, such as 127.0.0.1 "
                "(0.0.0.0 listens on every interface)"
            )
        )
    return text


def address_argument(text: str) -> Address:
    """An argparse ``type`` for ``ADDR``: the parser's message becomes the usage error."""
    try:
        return parse_address(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def encoding_argument(text: str) -> str:
    """An argparse ``type`` for ``--encoding``: a text encoding, refused before connecting."""
    try:
        return check_encoding(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def add_version(parser: argparse.ArgumentParser) -> None:
    """``--version``, with its help in the installed language.

    The ``version`` action of Python 3.11's argparse does not pass its help
    through gettext, so it is given here, in the same words.
    """
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help=_("show program's version number and exit"),
    )
