"""A desktop notification for a start that failed where no terminal shows it.

Started from the application menu the program has no terminal, so when it
cannot even open its window a notification is how a person learns why. The
desktop's notification server listens on the session bus as
``org.freedesktop.Notifications``; this module speaks just enough of the
D-Bus wire protocol (authenticate, ``Hello``, ``Notify``) with the standard
library alone, because Qt may be the very thing that cannot load, and
because starting ``notify-send`` would make the program one that starts
other programs. Everything has a deadline and every failure is swallowed:
a missing notification never costs more than a moment, nor hides the
message on stderr and in the log.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from collections.abc import Mapping
from urllib.parse import unquote

#: The longest the whole exchange may take.
TIMEOUT = 0.5

_METHOD_CALL, _METHOD_RETURN = 1, 2
# Header field codes (the D-Bus specification, "Message Format").
_PATH, _INTERFACE, _MEMBER, _REPLY_SERIAL, _DESTINATION, _SIGNATURE = 1, 2, 3, 5, 6, 8
_NOTIFY_SIGNATURE = "susssasa{sv}i"


def notify(
    summary: str,
    body: str,
    *,
    app_name: str,
    icon: str = "",
    environ: Mapping[str, str] | None = None,
) -> bool:
    """Show a notification; ``True`` if the notification server took it. Never raises."""
    try:
        address = session_bus_address(os.environ if environ is None else environ)
        if address is None:
            return False
        return _call_notify(address, app_name, icon, summary, body)
    except (OSError, ValueError, struct.error):
        return False


def session_bus_address(environ: Mapping[str, str]) -> str | None:
    """The session bus's socket (``"\\0name"`` for Linux's abstract namespace), or ``None``.

    From ``DBUS_SESSION_BUS_ADDRESS`` (its first ``unix:`` address), else
    ``$XDG_RUNTIME_DIR/bus`` if it exists, as libdbus and sd-bus do. The
    ``autolaunch:`` fallback is never used: it would start a bus.
    """
    address = environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if not address:
        runtime = environ.get("XDG_RUNTIME_DIR", "")
        bus = os.path.join(runtime, "bus")
        return bus if os.path.isabs(runtime) and os.path.exists(bus) else None
    for entry in address.split(";"):
        transport, _, options = entry.partition(":")
        if transport != "unix":
            continue
        values = dict(option.partition("=")[::2] for option in options.split(","))
        if values.get("path"):
            return unquote(values["path"])
        if values.get("abstract"):
            return "\0" + unquote(values["abstract"])
    return None


def _call_notify(address: str, app_name: str, icon: str, summary: str, body: str) -> bool:
    deadline = time.monotonic() + TIMEOUT
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as bus:
        bus.settimeout(TIMEOUT)
        bus.connect(address)
        # SASL EXTERNAL: the bus checks our uid on the socket itself.
        bus.sendall(b"\0AUTH EXTERNAL " + str(os.getuid()).encode().hex().encode() + b"\r\n")
        if not _read_line(bus, deadline).startswith(b"OK "):
            return False
        bus.sendall(b"BEGIN\r\n")
        hello = _method_call(
            1,
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "Hello",  # untranslated: a D-Bus method
            "org.freedesktop.DBus",
        )
        arguments = _Writer()
        arguments.string(app_name)
        arguments.uint32(0)  # replaces no earlier notification
        arguments.string(icon)
        arguments.string(summary)
        arguments.string(body)
        arguments.uint32(0)  # no actions (an empty array of strings)
        arguments.uint32(0)  # no hints (an empty dict, padded to 8 all the same)
        arguments.align(8)
        arguments.int32(-1)  # the server's own display time
        call = _method_call(
            2,
            "/org/freedesktop/Notifications",
            "org.freedesktop.Notifications",
            "Notify",  # untranslated: a D-Bus method
            "org.freedesktop.Notifications",
            _NOTIFY_SIGNATURE,
            bytes(arguments.data),
        )
        bus.sendall(hello + call)
        return _reply_type(bus, 2, deadline) == _METHOD_RETURN


class _Writer:
    """D-Bus marshalling, little-endian, of the few types needed here."""

    def __init__(self) -> None:
        self.data = bytearray()

    def align(self, boundary: int) -> None:
        self.data += b"\0" * (-len(self.data) % boundary)

    def byte(self, value: int) -> None:
        self.data.append(value)

    def uint32(self, value: int) -> None:
        self.align(4)
        self.data += struct.pack("<I", value)

    def int32(self, value: int) -> None:
        self.align(4)
        self.data += struct.pack("<i", value)

    def string(self, value: str) -> None:
        encoded = value.encode("utf-8", "replace").replace(b"\0", b"")
        self.uint32(len(encoded))
        self.data += encoded + b"\0"

    def signature(self, value: str) -> None:
        self.byte(len(value))
        self.data += value.encode("ascii") + b"\0"


def _method_call(
    serial: int,
    path: str,
    interface: str,
    member: str,
    destination: str,
    signature: str = "",
    body: bytes = b"",
) -> bytes:
    fields: list[tuple[int, str, str]] = [
        (_PATH, "o", path),
        (_INTERFACE, "s", interface),
        (_MEMBER, "s", member),
        (_DESTINATION, "s", destination),
    ]
    if signature:
        fields.append((_SIGNATURE, "g", signature))
    header = _Writer()
    header.data += b"l" + bytes([_METHOD_CALL, 0, 1])  # little-endian, flags, version 1
    header.uint32(len(body))
    header.uint32(serial)
    header.uint32(0)  # the fields' length, written below
    start = len(header.data)
    for code, kind, value in fields:
        header.align(8)
        header.byte(code)
        header.signature(kind)
        if kind == "g":
            header.signature(value)
        else:
            header.string(value)
    header.data[12:16] = struct.pack("<I", len(header.data) - start)
    header.align(8)
    return bytes(header.data) + body


def _read_line(bus: socket.socket, deadline: float) -> bytes:
    line = b""
    while not line.endswith(b"\r\n"):
        bus.settimeout(max(deadline - time.monotonic(), 0.001))
        chunk = bus.recv(1)
        if not chunk:
            break
        line += chunk
    return line


def _reply_type(bus: socket.socket, serial: int, deadline: float) -> int | None:
    """The type of the message answering ``serial`` (a return or an error), skipping others."""
    received = b""
    while True:
        while len(received) >= 16:
            order = "<" if received[:1] == b"l" else ">"
            body_length, fields_length = struct.unpack_from(order + "I4xI", received, 4)
            header_end = 16 + fields_length + (-(16 + fields_length) % 8)
            if len(received) < header_end + body_length:
                break
            if _reply_serial(received[:header_end], order) == serial:
                return received[1]
            received = received[header_end + body_length :]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        bus.settimeout(remaining)
        chunk = bus.recv(4096)
        if not chunk:
            return None
        received += chunk


def _reply_serial(header: bytes, order: str) -> int | None:
    """The REPLY_SERIAL header field of a message header, if it has one."""
    place, end = 16, len(header)
    while place < end:
        place += -place % 8
        if place >= end:
            break
        code, size = header[place], header[place + 1]
        kind = header[place + 2 : place + 2 + size].decode("ascii")
        place += 3 + size
        if kind in ("s", "o"):
            place += -place % 4
            (length,) = struct.unpack_from(order + "I", header, place)
            place += 4 + length + 1
        elif kind == "g":
            place += 1 + header[place] + 1
        elif kind == "u":
            place += -place % 4
            (value,) = struct.unpack_from(order + "I", header, place)
            if code == _REPLY_SERIAL:
                return int(value)
            place += 4
        else:
            return None
    return None
