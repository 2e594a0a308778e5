"""A later launch's end of the socket: send one message, wait for the one-line answer.

Plain blocking ``socket`` code with a timeout, no reactor and no Qt: it runs
before the program makes its ``QApplication``, so handing addresses to the
open window takes a fraction of a second and needs no display.
"""

from __future__ import annotations

import os
import socket

from app.i18n import _
from app.instance.message import MAX_REPLY_BYTES, Answer, Reply
from app.instance.socket_path import peer_uid

#: How long a launch waits for the open window to answer one message. A
#: running window answers in milliseconds; one still starting, within a second
#: or two; a window that takes longer is stuck.
REPLY_TIMEOUT = 10.0


def send_message(path: str, message: bytes, timeout: float = REPLY_TIMEOUT) -> Reply:
    """Send ``message`` to the window listening at ``path``; return its answer.

    Raises ``FileNotFoundError`` or ``ConnectionRefusedError`` when no window
    listens there (yet, or any more), ``TimeoutError`` when it does not answer
    within ``timeout`` seconds, and another ``OSError`` on any other fault.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(path)
        uid = peer_uid(sock)
        if uid is not None and uid != os.getuid():
            # Our places are private, so this should never be; never talk to a stranger.
            stranger = _("{path} belongs to another user (uid {uid})").format(path=path, uid=uid)
            return Reply(Answer.REFUSED, stranger)
        sock.sendall(message)
        answer = b""
        while b"\n" not in answer and len(answer) < MAX_REPLY_BYTES:
            chunk = sock.recv(MAX_REPLY_BYTES)
            if not chunk:
                break
            answer += chunk
    if not answer:
        # The window closed the connection without a word: it was quitting.
        return Reply(Answer.BUSY, _("the window closed the connection"))
    return Reply.decode(answer.partition(b"\n")[0])
