"""A later launch's end of the socket: send one message, wait for the one-line answer.

Plain blocking ``socket`` code with a timeout, no reactor and no Qt: it runs
before the program makes its ``QApplication``, so handing addresses to the
open window takes a fraction of a second and needs no display.

A busy window answers ``busy`` as soon as it accepts a connection, without
reading, and closes it. A launch that has not finished sending by then gets
"Broken pipe" or "Connection reset" from its own send: that is the same
"busy, try again" (and the window's answer may still be there to read), not
a window that cannot be reached.

Where the window listens on loopback TCP (:mod:`app.instance.loopback`), its
place is the port file: the launch reads the port and the token there,
connects to 127.0.0.1 and sends the token's line before the message.
"""

from __future__ import annotations

import socket

from app import platform
from app.i18n import _
from app.instance.loopback import LOOPBACK, is_port_file, read_port_file
from app.instance.message import MAX_REPLY_BYTES, Answer, Reply
from app.instance.socket_path import peer_uid, shown

#: How long a launch waits for the open window to answer one message. A
#: running window answers in milliseconds; one still starting, within a second
#: or two; a window that takes longer is stuck.
REPLY_TIMEOUT = 10.0


def send_message(path: str, message: bytes, timeout: float = REPLY_TIMEOUT) -> Reply:
    """Send ``message`` to the window listening at ``path``; return its answer.

    ``path`` is the window's UNIX socket, or its port file.
    Raises ``FileNotFoundError`` or ``ConnectionRefusedError`` when no window
    listens there (yet, or any more), ``TimeoutError`` when it does not answer
    within ``timeout`` seconds, and another ``OSError`` on any other fault.
    A window too busy to take the message is a ``busy`` answer, however it
    shows (its words, a closed connection, a full queue).
    """
    address: str | tuple[str, int]
    if is_port_file(path):
        port, token = read_port_file(path)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        address, message = (LOOPBACK, port), token + b"\n" + message
    else:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        address = path
    with sock:
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except BlockingIOError:
            # The window's queue of connections not yet accepted is full.
            return Reply(Answer.BUSY, _("the window has too many launches waiting"))
        uid = peer_uid(sock) if sock.family != socket.AF_INET else None
        me = platform.user_id()
        if uid is not None and me is not None and uid != me:
            # Our places are private, so this should never be; never talk to a stranger.
            stranger = _("{path} belongs to another user (uid {uid})").format(
                path=shown(path), uid=uid
            )
            return Reply(Answer.REFUSED, stranger)
        try:
            sock.sendall(message)
            sent = True
        except (BrokenPipeError, ConnectionResetError):
            sent = False  # answered and closed before reading: its answer may be waiting
        answer = _answer(sock)
    if not answer or not (sent or b"\n" in answer):
        # Closed without a whole answer: the window was quitting, or too busy to read.
        return Reply(Answer.BUSY, _("the window closed the connection"))
    return Reply.decode(answer.partition(b"\n")[0])


def _answer(sock: socket.socket) -> bytes:
    """The window's answer line as far as it came (``b""`` for none): a reset ends it."""
    answer = b""
    try:
        while b"\n" not in answer and len(answer) < MAX_REPLY_BYTES:
            chunk = sock.recv(MAX_REPLY_BYTES)
            if not chunk:
                break
            answer += chunk
    except ConnectionResetError:
        pass  # closed without reading what we sent: what came before the reset is its answer
    return answer
