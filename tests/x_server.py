"""Just enough of an X server for libxcb to connect: the connection setup, answered.

The start-up check connects as Qt will, with ``xcb_connect``, which sends
the X connection setup and waits for the server's answer. :func:`answer_x_setup`
gives one on a real listening socket: a server with one screen that lets
everyone in (:data:`WELCOME`), one that turns everyone away (:data:`REFUSE`)
as a server without this user's ``XAUTHORITY`` cookie does, or none at all
(:data:`SILENT`: connections are taken, and nothing is said). Nothing
after the setup is spoken: the check never asks more.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator

WELCOME = "welcome"
REFUSE = "refuse"
SILENT = "silent"
#: What a refusing server says (libxcb writes it on stderr).
REFUSAL = b"No protocol specified"


def _setup_reply(order: str, how: str) -> bytes:
    """The server's answer to a connection setup in byte ``order`` ("<" or ">")."""
    if how == REFUSE:
        reason = REFUSAL + b"\0" * (-len(REFUSAL) % 4)
        return struct.pack(order + "BBHHH", 0, len(REFUSAL), 11, 0, len(reason) // 4) + reason
    vendor = b"test"
    # release, resource id base and mask, motion buffer size, vendor length,
    # largest request, screens, pixmap formats, image byte order, bitmap bit
    # order, scanline unit and pad, keycodes, 4 unused bytes.
    fixed = struct.pack(
        order + "IIIIHHBBBBBBBB4x",
        1,
        0x200000,
        0x1FFFFF,
        256,
        len(vendor),
        0xFFFF,
        1,
        0,
        0,
        0,
        32,
        32,
        8,
        255,
    )
    # One screen: root, colormap, white and black pixels, input masks, size in
    # pixels and millimetres, installed maps, root visual, backing stores,
    # save-unders, root depth, and no list of depths.
    screen = struct.pack(
        order + "IIIIIHHHHHHIBBBB",
        0x100,
        0x20,
        0xFFFFFF,
        0,
        0,
        640,
        480,
        169,
        127,
        1,
        1,
        0x21,
        0,
        0,
        24,
        0,
    )
    body = fixed + vendor + screen
    return struct.pack(order + "BxHHH", 1, 11, 0, len(body) // 4) + body


def _serve_client(client: socket.socket, how: str) -> None:
    with client:
        client.settimeout(5)
        with contextlib.suppress(OSError):
            head = _read(client, 12)
            order = "<" if head[:1] == b"l" else ">"
            name_length, data_length = struct.unpack_from(order + "HH", head, 6)
            _read(client, name_length + -name_length % 4 + data_length + -data_length % 4)
            client.sendall(_setup_reply(order, how))
            while client.recv(4096):  # until the client hangs up
                pass


def _read(client: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = client.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the client hung up in its setup")
        data += chunk
    return data


@contextlib.contextmanager
def answer_x_setup(server: socket.socket, how: str = WELCOME) -> Iterator[None]:
    """Answer each connection to the listening ``server`` as an X server would, in the block."""
    if how == SILENT:  # the kernel takes the connections; no one reads them
        yield
        return
    stop = threading.Event()
    server.settimeout(0.05)

    def accept() -> None:
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_serve_client, args=(client, how), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)
