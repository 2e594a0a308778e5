"""Whether a display server lets this program in, asked the way Qt will ask, within a second.

Qt's X platform connects through libxcb, and when that fails it aborts the
process. Asking libxcb the same question first (``xcb_connect``, which reads
``DISPLAY`` by libxcb's own rules and does the X authentication Qt will do)
turns the abort into a sentence. libxcb answers with an error code only, so
when it says no, a plain socket connection to where it looked says why:

- ``:N`` (also ``unix:N``, ``unix/:N``) is the local socket, in Linux's
  abstract namespace or as ``/tmp/.X11-unix/XN``, then TCP port 6000+N on
  localhost; ``HOST:N`` is TCP port 6000+N on HOST;
- where something there takes the connection, it is the X server that
  refused this program (most often a missing ``XAUTHORITY`` cookie).

A Wayland display is ``$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY`` (``wayland-0``
if unset), or ``WAYLAND_DISPLAY`` itself when it is an absolute path, as
libwayland-client finds it; it is taken to answer when it accepts a
connection.

Everything has a deadline. ``xcb_connect`` has none of its own (a TCP
display behind a firewall that drops packets holds it for minutes), so it
runs on a short-lived thread the caller waits for no longer than
:data:`TIMEOUT`; a thread still stuck then hangs up whenever libxcb lets it.
"""

from __future__ import annotations

import ctypes
import functools
import os
import socket
import sys
import time
from collections.abc import Mapping
from typing import NamedTuple

from app.i18n import _
from app.startup.deadline import within

#: The library Qt's X plugin connects through, by its soname.
XCB_LIBRARY = "libxcb.so.1"
X_TCP_PORT = 6000
X_SOCKET_DIR = "/tmp/.X11-unix"
#: How long a display may take to let this program in (and a host name to resolve).
TIMEOUT = 0.8

_TCP_PROTOCOLS = ("tcp", "inet", "inet6")
#: ``xcb_connection_has_error``'s word for a name it could not read (xcb.h).
_XCB_CONN_CLOSED_PARSE_ERR = 5


class XDisplayRefused(Exception):
    """Something at the X display took the connection, and its X server refused this program."""


@functools.cache
def _xcb() -> ctypes.CDLL:
    """libxcb with the few functions used here declared; raises ``OSError`` if it cannot load."""
    xcb = ctypes.CDLL(XCB_LIBRARY)
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = (ctypes.c_char_p, ctypes.c_void_p)
    xcb.xcb_connection_has_error.restype = ctypes.c_int
    xcb.xcb_connection_has_error.argtypes = (ctypes.c_void_p,)
    xcb.xcb_disconnect.restype = None
    xcb.xcb_disconnect.argtypes = (ctypes.c_void_p,)
    xcb.xcb_parse_display.restype = ctypes.c_int
    xcb.xcb_parse_display.argtypes = (
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.POINTER(ctypes.c_int),
        ctypes.POINTER(ctypes.c_int),
    )
    return xcb


def x_display_silence(name: str) -> str | None:
    """Why no X server at the display ``name`` answers, in a few words; ``None`` if one lets us in.

    Raises ``ValueError`` saying what is wrong when ``name`` is no X display
    name (worded to follow the name: "is not an X display name..."),
    :class:`XDisplayRefused` when an X server there refuses this program, and
    ``OSError`` when libxcb itself cannot be loaded.
    """
    xcb = _xcb()
    deadline = time.monotonic() + TIMEOUT
    error = _connect(xcb, os.fsencode(name))
    if error == 0:
        return None
    if error == _XCB_CONN_CLOSED_PARSE_ERR:
        raise ValueError(_("is not an X display name (like :0 or host:0.0)"))
    protocol, host, number = _parse(xcb, name)
    remaining = max(deadline - time.monotonic(), 0.1)
    if host.startswith("/"):  # a full socket path, in the libxcb versions that take one
        silence = _unix_silence(host)
    elif protocol == "unix" or host in ("", "unix"):
        local_only = protocol != "" or host != ""
        silence = _local_silence(number, tcp_too=not local_only, timeout=remaining)
    elif error is None:  # libxcb still waiting on a TCP connection
        return _silent_port(host, X_TCP_PORT + number)
    else:
        silence = _tcp_silence(host, X_TCP_PORT + number, remaining)
    if silence is not None:
        return silence
    if error is None:  # taken, and then not a word from an X server
        return _(
            "something accepted the connection, but no X server answered within {seconds} s"
        ).format(seconds=TIMEOUT)
    raise XDisplayRefused(name)


def _connect(xcb: ctypes.CDLL, name: bytes) -> int | None:
    """``xcb_connect(name)``'s error code: 0 if it got in, ``None`` if not done in time."""

    def connect() -> int:
        connection = xcb.xcb_connect(name, None)
        error = int(xcb.xcb_connection_has_error(connection))
        xcb.xcb_disconnect(connection)
        return error

    answer = within(TIMEOUT, connect, "display probe")  # untranslated: a thread's name
    return None if answer is None else answer[0]


def _parse(xcb: ctypes.CDLL, name: str) -> tuple[str, str, int]:
    """The protocol, host (``""`` for this machine) and display number libxcb reads in ``name``.

    libxcb's own reading (``xcb_parse_display``), but for the protocol
    (``tcp/`` in ``tcp/host:0``), which it keeps to itself. Raises
    ``ValueError`` for names libxcb reads but can never connect to: a
    protocol it does not know, or a DECnet display (``host::0``).
    """
    found = ctypes.c_void_p()
    number, screen = ctypes.c_int(), ctypes.c_int()
    if not xcb.xcb_parse_display(os.fsencode(name), found, number, screen):
        raise ValueError(_("is not an X display name (like :0 or host:0.0)"))
    try:
        host = os.fsdecode(ctypes.string_at(found.value)) if found.value else ""
    finally:
        _free(found.value)
    if host.startswith("/"):
        return "unix", host, number.value
    protocol = name.rpartition("/")[0]
    if protocol not in ("", "unix", *_TCP_PROTOCOLS):
        raise ValueError(_("names an unknown protocol {protocol}").format(protocol=repr(protocol)))
    if host.endswith(":"):
        raise ValueError(_("is a DECnet display name, which X clients no longer speak"))
    return protocol, host, number.value


def _free(pointer: int | None) -> None:
    # xcb_parse_display's host is the C library's malloc, to be given back to it.
    if pointer:
        libc = ctypes.CDLL(None)
        libc.free.argtypes = (ctypes.c_void_p,)
        libc.free(pointer)


def _local_silence(number: int, *, tcp_too: bool, timeout: float) -> str | None:
    """Why nothing takes a connection at ``:number``'s local socket (and its TCP port, if asked)."""
    path = f"{X_SOCKET_DIR}/X{number}"
    if sys.platform.startswith("linux") and _unix_silence("\0" + path) is None:
        return None  # Linux's abstract namespace, where libxcb looks first
    silence = _unix_silence(path)
    if silence is None:
        return None
    if tcp_too and _tcp_silence("localhost", X_TCP_PORT + number, timeout) is None:
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


def _tcp_silence(host: str, port: int, timeout: float = TIMEOUT) -> str | None:
    # The lookup and the connection run on a daemon thread with a deadline:
    # getaddrinfo has no timeout of its own, and a dead DNS server would
    # otherwise hold up the start for as long as the resolver likes.

    def probe() -> str | None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return None
        except socket.gaierror as e:
            return _("the host name {host} is unknown ({reason})").format(
                host=host, reason=e.strerror or e
            )
        except ConnectionRefusedError:
            return _("nothing listens on {host} port {port}").format(host=host, port=port)
        except TimeoutError:
            return _silent_port(host, port)
        except OSError as e:
            return _("{host} port {port}: {reason}").format(
                host=host, port=port, reason=e.strerror or e
            )

    answer = within(timeout + 0.1, probe, "display probe")  # untranslated: a thread's name
    return _silent_port(host, port) if answer is None else answer[0]


def _silent_port(host: str, port: int) -> str:
    return _("{host} port {port} did not answer in {seconds} s").format(
        host=host, port=port, seconds=TIMEOUT
    )
