"""Whether a display server answers, asked the way its client library asks, in under a second.

Qt's X platform connects through libxcb, and when nothing answers it
aborts the process. Connecting to the same socket first costs a fraction of
a millisecond and turns the abort into a sentence. The rules follow libxcb's
(for ``DISPLAY``) and libwayland-client's (for ``WAYLAND_DISPLAY``):

- ``:N``, ``unix:N`` and ``unix/:N`` are the local socket, tried in Linux's
  abstract namespace first, then as ``/tmp/.X11-unix/XN``, then (with no
  protocol named) TCP port 6000+N on localhost;
- ``HOST:N`` and ``tcp/HOST:N`` are TCP port 6000+N on HOST (``[::1]:N`` for
  an IPv6 address), as ``ssh -X`` sets ``localhost:10.0``;
- a screen number (``:0.1``) changes nothing here;
- a Wayland display is ``$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY`` (``wayland-0``
  if unset), or ``WAYLAND_DISPLAY`` itself when it is an absolute path.

Each probe only connects and hangs up: a display that accepts is taken to
answer. Host-name lookups get the same deadline as the connection, so a dead
DNS server cannot hold up the start.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Mapping
from typing import NamedTuple

from app.i18n import _

X_TCP_PORT = 6000
X_SOCKET_DIR = "/tmp/.X11-unix"
#: How long a display may take to accept a connection (and a host name to resolve).
TIMEOUT = 0.8

_TCP_PROTOCOLS = ("tcp", "inet", "inet6")


# NamedTuples, not dataclasses, here: this module is imported on every start,
# and a frozen dataclass costs a couple of milliseconds to define.


class XDisplay(NamedTuple):
    """Where an X display name points: a local socket, or TCP to a host."""

    name: str
    number: int
    host: str = ""  # "" for this machine's local socket
    socket_path: str = ""  # a full socket path given as the name, if any
    tcp_only: bool = False  # a protocol that rules out the local socket

    @property
    def port(self) -> int:
        return X_TCP_PORT + self.number

    @property
    def local_socket(self) -> str:
        return self.socket_path or f"{X_SOCKET_DIR}/X{self.number}"


def parse_x_display(name: str) -> XDisplay:
    """The X display ``name`` (as in ``DISPLAY``) stands for.

    Raises ``ValueError`` saying what is wrong, worded to follow the name
    ("is not an X display name...").
    """
    text = name.strip()
    if text.startswith("/"):  # a full socket path, optionally with :N[.S] after it
        path, _colon, rest = text.rpartition(":")
        number = _display_number(rest) if path else None
        if number is None:
            return XDisplay(name, 0, socket_path=text)
        return XDisplay(name, number, socket_path=path)
    head, colon, rest = text.rpartition(":")
    number = _display_number(rest)
    if not colon or number is None:
        raise ValueError(_("is not an X display name (like :0 or host:0.0)"))
    protocol, slash, host = head.rpartition("/")
    if not slash:
        protocol, host = "", head
    protocol = protocol.lower()
    if protocol not in ("", "unix", "local", *_TCP_PROTOCOLS):
        raise ValueError(_("names an unknown protocol {protocol}").format(protocol=repr(protocol)))
    if host.endswith(":"):
        raise ValueError(_("is a DECnet display name, which X clients no longer speak"))
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if protocol in ("unix", "local") or host == "unix":
        return XDisplay(name, number)
    if protocol in _TCP_PROTOCOLS:
        return XDisplay(name, number, host=host or "localhost", tcp_only=True)
    return XDisplay(name, number, host=host)


def _display_number(text: str) -> int | None:
    """N from ``N`` or ``N.S`` (a display and screen number), or ``None``."""
    number, dot, screen = text.partition(".")
    if not (number.isascii() and number.isdigit()):
        return None
    if dot and not (screen.isascii() and screen.isdigit()):
        return None
    return int(number)


def x_display_silence(display: XDisplay) -> str | None:
    """Why nothing answers at ``display``, in a few words; ``None`` if it accepts a connection."""
    if display.host or display.tcp_only:
        return _tcp_silence(display.host or "localhost", display.port)
    path = display.local_socket
    if (
        not display.socket_path
        and sys.platform.startswith("linux")
        and _unix_silence("\0" + path) is None  # Linux's abstract namespace
    ):
        return None
    silence = _unix_silence(path)
    if silence is None:
        return None
    if not display.socket_path and _tcp_silence("localhost", display.port) is None:
        return None  # libxcb's last resort for :N
    return silence


class WaylandSocket(NamedTuple):
    """The Wayland display a client would connect to, or why it cannot know."""

    name: str
    path: str | None  # None: not findable, see ``problem``
    problem: str | None = None


def wayland_socket(environ: Mapping[str, str]) -> WaylandSocket:
    """Where libwayland-client would look for the compositor, given ``environ``."""
    name = environ.get("WAYLAND_DISPLAY") or "wayland-0"
    if os.path.isabs(name):
        return WaylandSocket(name, name)
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    if not os.path.isabs(runtime):
        return WaylandSocket(name, None, _("XDG_RUNTIME_DIR is not set, so it cannot be found"))
    return WaylandSocket(name, os.path.join(runtime, name))


def wayland_silence(environ: Mapping[str, str]) -> str | None:
    """Why the Wayland display in ``environ`` does not answer; ``None`` if it accepts a connection.

    ``WAYLAND_SOCKET`` (a connection handed down by the compositor) is taken
    to answer: probing it would use it up.
    """
    if environ.get("WAYLAND_SOCKET"):
        return None
    where = wayland_socket(environ)
    if where.path is None:
        return where.problem
    return _unix_silence(where.path)


def _unix_silence(path: str) -> str | None:
    shown = path.replace("\0", "@")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(TIMEOUT)
        try:
            s.connect(path)
        except FileNotFoundError:
            return _("there is no socket {path}").format(path=shown)
        except ConnectionRefusedError:
            return _("nothing listens on {path}").format(path=shown)
        except TimeoutError:
            return _("{path} did not accept a connection in {seconds} s").format(
                path=shown, seconds=TIMEOUT
            )
        except OSError as e:
            return _("{path}: {reason}").format(path=shown, reason=e.strerror or e)
    return None


def _tcp_silence(host: str, port: int) -> str | None:
    # The lookup and the connection run on a daemon thread with a deadline:
    # getaddrinfo has no timeout of its own, and a dead DNS server would
    # otherwise hold up the start for as long as the resolver likes.
    answer: list[str | None] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=TIMEOUT):
                answer.append(None)
        except socket.gaierror as e:
            answer.append(
                _("the host name {host} is unknown ({reason})").format(
                    host=host, reason=e.strerror or e
                )
            )
        except ConnectionRefusedError:
            answer.append(_("nothing listens on {host} port {port}").format(host=host, port=port))
        except TimeoutError:
            answer.append(_silent_port(host, port))
        except OSError as e:
            answer.append(
                _("{host} port {port}: {reason}").format(
                    host=host, port=port, reason=e.strerror or e
                )
            )

    worker = threading.Thread(
        target=probe,
        name="display probe",  # untranslated: a thread's name, for debuggers
        daemon=True,
    )
    worker.start()
    worker.join(TIMEOUT + 0.1)
    if not answer:
        return _silent_port(host, port)
    return answer[0]


def _silent_port(host: str, port: int) -> str:
    return _("{host} port {port} did not answer in {seconds} s").format(
        host=host, port=port, seconds=TIMEOUT
    )
