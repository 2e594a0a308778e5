"""The portable way a later launch reaches the open window: loopback TCP and a secret token.

On Linux the window listens on a UNIX socket, in a place only this user can
write, and the kernel names each peer (``SO_PEERCRED``): only this user's
processes get in (:mod:`app.instance.socket_path`). Windows has no such
socket in Python's hands, and macOS and the BSDs cannot name a UNIX
socket's peer that way; there the window listens on TCP instead, on
127.0.0.1 only, on a port the system picks. Any local process can connect
to that, so a connection must first send a secret: 32 random bytes, new at
every start, written with the port in the *port file*,
``instance-<hash>.port`` in the state directory (a directory of this user's:
mode 0600 in a 0700 directory on macOS, the user's profile on Windows). A
connection whose first line is not the token is refused before its message
is read (:mod:`app.instance.server`; the two are compared in constant time).

The port file is this transport's socket: the holder of the settings
directory's lock removes a dead window's port file as soon as it holds the
lock, writes its own once it listens, and removes it when it stops. So a
port file that a launch reads while the lock is held is the live window's,
and a launch never sends to a port a dead window left for another program.

The file is one line, ``PORT TOKEN`` (the token in hex) and a newline.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IAddress, IListeningPort, IReactorTCP
from twisted.internet.protocol import Factory
from zope.interface import implementer

from app import places
from app.atomic_file import write_atomically
from app.instance.socket_path import directory_key

#: The only address the window listens on, and the launch connects to.
LOOPBACK = "127.0.0.1"
#: How a port file's name ends; a launch's place with this ending is reached by TCP.
PORT_FILE_SUFFIX = ".port"
#: Random bytes in a token.
TOKEN_BYTES = 32


def port_file(config_dir: Path) -> str:
    """The port file of the window on ``config_dir``, in the state directory."""
    return os.path.join(
        places.state_dir(), f"instance-{directory_key(config_dir)}{PORT_FILE_SUFFIX}"
    )


def is_port_file(place: str) -> bool:
    """Whether a window's place is a port file (reached by TCP), not a UNIX socket."""
    return place.endswith(PORT_FILE_SUFFIX)


def read_port_file(path: str) -> tuple[int, bytes]:
    """The port and token a window wrote in ``path``.

    Raises ``FileNotFoundError`` when there is none (no window listens yet,
    or any more), and ``ConnectionRefusedError`` for a file that is not a
    port file: a window's is written whole, so nothing listens behind it.
    """
    with open(path, "rb") as file:
        line = file.read(200)
    try:
        port_text, token = line.split()
        port = int(port_text)
    except ValueError:
        raise ConnectionRefusedError(
            f"{path} holds no port and token"
        ) from None  # untranslated: log
    if not 0 < port < 65536 or len(token) != 2 * TOKEN_BYTES:
        raise ConnectionRefusedError(f"{path} holds no port and token")  # untranslated: log
    return port, token


def clear_port_file(path: str) -> None:
    """Remove a dead window's port file; call only while holding the settings directory's lock."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def new_token() -> bytes:
    """A new secret for a window's connections to begin with (hex, ASCII)."""
    return secrets.token_hex(TOKEN_BYTES).encode("ascii")


def listen_on_loopback(
    path: str, factory: Factory[Any], token: bytes, reactor: IReactorTCP
) -> IListeningPort:
    """Listen on a free port of 127.0.0.1, and write it and ``token`` in the port file ``path``.

    ``factory``'s connections must check that they begin with ``token``.
    Raises ``twisted.internet.error.CannotListenError``, or ``OSError`` when
    the port file cannot be written (then nothing listens).
    """
    # listenTCP's annotation takes only ServerFactory's default protocol type
    # (as in app.net.server): any Factory is what it wants.
    port = reactor.listenTCP(0, factory, interface=LOOPBACK)  # type: ignore[arg-type]
    number = port.getHost().port  # type: ignore[attr-defined]
    try:
        write_atomically(Path(path), b"%d %s\n" % (number, token), mode=0o600)
    except OSError:
        port.stopListening()
        raise
    return PortWithItsFile(port, path)


@implementer(IListeningPort)
class PortWithItsFile:
    """A listening TCP port that removes its port file when it stops, as a UNIX port its socket."""

    def __init__(self, port: IListeningPort, path: str) -> None:
        self._port = port
        self.path = path

    def startListening(self) -> None:
        self._port.startListening()

    def stopListening(self) -> Deferred[None] | None:
        clear_port_file(self.path)
        return self._port.stopListening()

    def getHost(self) -> IAddress:
        return self._port.getHost()
