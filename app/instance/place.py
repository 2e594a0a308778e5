"""Where later launches reach a settings directory's window: its UNIX socket, or its port file.

Linux: a UNIX socket in a private place, whose peers the kernel names
(:mod:`app.instance.socket_path`). Elsewhere, and wherever :mod:`app.platform`
says a UNIX socket cannot be asked who is at its other end: loopback TCP,
with the port and a secret token in a port file (:mod:`app.instance.loopback`).
Both ends of a launch make the same choice, so they always meet; the rest
of :mod:`app.instance` handles the place's path and does not mind which it is.
"""

from __future__ import annotations

from pathlib import Path

from app import platform
from app.instance.in_the_way import InTheWay, clear_for_socket, in_the_way
from app.instance.loopback import clear_port_file, is_port_file, port_file
from app.instance.socket_path import socket_path


def launch_place(config_dir: Path) -> str | None:
    """The window's socket or port file for ``config_dir``; ``None`` if no place will do."""
    if platform.unix_socket_peer_check():
        return socket_path(config_dir)
    return port_file(config_dir)


def obstacle(place: str) -> InTheWay | None:
    """What of this user's stands at a socket's place instead of a socket (never at a port file)."""
    return None if is_port_file(place) else in_the_way(place)


def clear_place(place: str) -> InTheWay | None:
    """Free ``place`` for this window; call only while holding the settings directory's lock.

    Returns what was removed that was not a dead window's socket or port
    file. Raises :class:`app.instance.in_the_way.PlaceTaken` when what is at a
    socket's place must stay.
    """
    if is_port_file(place):
        clear_port_file(place)
        return None
    return clear_for_socket(place)
