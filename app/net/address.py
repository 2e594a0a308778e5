"""Server addresses: the one parser shared by the command lines and the window.

Three spellings are accepted, as in the Twisted Introduction and on the web:

* ``PORT`` means ``127.0.0.1:PORT`` (the tutorial's clients take bare ports);
* ``HOST:PORT`` for a host name or an IPv4 address;
* ``[V6]:PORT`` for an IPv6 address, brackets required.

Every rejection is a ``ValueError`` whose message says what is wrong in plain
words, so callers can show it as it is.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import cached_property

from app.i18n import _

DEFAULT_HOST = "127.0.0.1"

# Letters, digits, hyphens, underscores and dots: host names as resolvers take
# them. Anything else (spaces, slashes, "@", ...) is a typo, not a host.
_HOST_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?")


@dataclass(frozen=True, order=True)
class Address:
    """A host and a TCP port; ``str()`` gives the spelling :func:`parse_address` reads back."""

    host: str
    port: int

    def __str__(self) -> str:
        return self.text

    @cached_property
    def text(self) -> str:
        """The spelling ``str()`` gives, worked out once: each download's log lines name it."""
        if ":" in self.host:
            return f"[{self.host}]:{self.port}"
        return f"{self.host}:{self.port}"


def parse_address(text: str) -> Address:
    """Read ``PORT``, ``HOST:PORT`` or ``[V6]:PORT``; raise ``ValueError`` saying why not."""
    if not isinstance(text, str):
        raise ValueError(_("an address must be text, not {kind}").format(kind=type(text).__name__))
    spelled = text.strip()
    if not spelled:
        raise ValueError(_("empty address: give PORT, HOST:PORT or [IPv6]:PORT"))
    if spelled.startswith("[") or "]" in spelled:
        host, port_text = _split_bracketed(spelled)
    elif spelled.count(":") > 1:
        raise ValueError(
            _("{address}: an IPv6 address needs brackets, as in [::1]:10000").format(
                address=repr(spelled)
            )
        )
    elif ":" in spelled:
        host, port_text = spelled.split(":")
        host = _check_host_name(host, spelled)
    elif _looks_like_port(spelled):
        host, port_text = DEFAULT_HOST, spelled
    else:
        _check_host_name(spelled, spelled)
        raise ValueError(
            _("{address}: missing port, as in {host}:10000").format(
                address=repr(spelled), host=spelled
            )
        )
    return Address(host, _parse_port(port_text, spelled))


def _split_bracketed(spelled: str) -> tuple[str, str]:
    if not spelled.startswith("[") or spelled.count("[") != 1 or spelled.count("]") != 1:
        raise ValueError(
            _("{address}: unbalanced brackets; write [IPv6]:PORT").format(address=repr(spelled))
        )
    inside, _bracket, rest = spelled[1:].partition("]")
    if not inside:
        raise ValueError(_("{address}: nothing between the brackets").format(address=repr(spelled)))
    try:
        host = str(ipaddress.IPv6Address(inside))
    except ValueError:
        raise ValueError(
            _("{address}: {host} is not an IPv6 address").format(
                address=repr(spelled), host=repr(inside)
            )
        ) from None
    if not rest.startswith(":") or rest == ":":
        raise ValueError(
            _("{address}: missing port after the brackets, as in [{host}]:10000").format(
                address=repr(spelled), host=inside
            )
        )
    return host, rest[1:]


def _check_host_name(host: str, spelled: str) -> str:
    if not host:
        raise ValueError(
            _("{address}: missing host before the colon").format(address=repr(spelled))
        )
    if any(ch.isspace() for ch in host):
        raise ValueError(
            _("{address}: a host name cannot contain spaces").format(address=repr(spelled))
        )
    if not _HOST_NAME.fullmatch(host):
        raise ValueError(
            _("{address}: {host} is not a valid host name").format(
                address=repr(spelled), host=repr(host)
            )
        )
    return host


def _looks_like_port(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _parse_port(port_text: str, spelled: str) -> int:
    if not port_text:
        raise ValueError(_("{address}: missing port after the colon").format(address=repr(spelled)))
    if not _looks_like_port(port_text):
        raise ValueError(
            _("{address}: port {port} is not a number").format(
                address=repr(spelled), port=repr(port_text)
            )
        )
    port = int(port_text)
    if not 1 <= port <= 65535:
        raise ValueError(
            _("{address}: port {port} is outside 1-65535").format(address=repr(spelled), port=port)
        )
    return port
