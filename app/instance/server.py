"""The open window's end of the socket: later launches' messages in, one answer each.

A Twisted UNIX server on the program's reactor, or where a UNIX socket cannot
tell who connects, a TCP one on 127.0.0.1 whose connections must begin with
a secret token (:mod:`app.instance.loopback`). Each connection carries one
message (:mod:`app.instance.message`) and gets one answer, then is closed.
Anything can connect, so each connection is bounded: it must come from this
user (checked with the kernel, or by the token), finish its message within
:data:`MESSAGE_TIMEOUT` seconds and :data:`~app.instance.message.MAX_MESSAGE_BYTES`,
and at most :data:`MAX_CONNECTIONS` are open at once. Whatever is refused is
logged (namespace ``poetry.instance``) and adds nothing; only a whole, valid
message reaches the window, through the one callback it gives. The window
may answer later, with a Deferred: ``ok`` then goes only once the addresses
are saved (or the window has told its user they are not), so a launch told
"taken" never loses them to a crash a moment later.
"""

from __future__ import annotations

import hmac
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import (
    IDelayedCall,
    IListeningPort,
    IReactorTCP,
    IReactorTime,
    IReactorUNIX,
    ISystemHandle,
    ITransport,
)
from twisted.internet.protocol import Factory, Protocol, connectionDone
from twisted.logger import Logger
from twisted.python.failure import Failure

from app import platform
from app.i18n import _
from app.instance.loopback import is_port_file, listen_on_loopback, new_token
from app.instance.message import (
    MAX_MESSAGE_BYTES,
    Answer,
    Launch,
    MessageRefused,
    Reply,
    decode_launch,
)
from app.instance.socket_path import peer_uid, remove_stale_socket
from app.net.global_reactor import or_global

log = Logger(namespace="poetry.instance")

#: Seconds a connection has to send its whole message. A launch sends it at
#: once; a connection still silent or unfinished by then is refused.
MESSAGE_TIMEOUT = 3.0
#: Connections served at once; more are told the window is busy.
MAX_CONNECTIONS = 8
#: The longest first line a loopback connection may send before its token is refused.
MAX_TOKEN_LINE = 256

#: The window's callback: take a launch, and say whether it was taken (False
#: once the window is closing; the launch then tries again, and finds the
#: settings free once this process has gone), at once or through a Deferred.
Deliver = Callable[[Launch], bool | Deferred[bool]]


class LaunchProtocol(Protocol):
    """One connection: one message in, one answer out, then closed."""

    factory: LaunchFactory
    # Set before connectionMade, and everything here runs after it.
    transport: ITransport

    def __init__(self) -> None:
        self._received = bytearray()
        #: A whole message came: nothing more is read.
        self._heard = False
        self._answered = False
        #: Whether the connection said the token, or needs none.
        self._admitted = False
        self._deadline: IDelayedCall | None = None

    def connectionMade(self) -> None:
        self.factory.open_connections += 1
        if self.factory.open_connections > MAX_CONNECTIONS:
            crowded = _("more than {n} launches at once").format(n=MAX_CONNECTIONS)
            self._answer(Reply(Answer.BUSY, crowded))
            return
        self._admitted = self.factory.token is None
        handle = ISystemHandle(self.transport).getHandle()
        uid = None
        if isinstance(handle, socket.socket) and handle.family == getattr(socket, "AF_UNIX", None):
            uid = peer_uid(handle)  # a loopback connection is asked for the token instead
        owner = self.factory.owner_uid
        if uid is not None and owner is not None and uid != owner:
            self._answer(Reply(Answer.REFUSED, _("from another user (uid {uid})").format(uid=uid)))
            return
        self._deadline = self.factory.clock.callLater(self.factory.timeout, self._timed_out)

    def dataReceived(self, data: bytes) -> None:
        if self._answered or self._heard:
            return
        searched = len(self._received)
        self._received += data
        if not self._admitted:
            if not self._token_said(searched):
                return
            searched = 0
        end = self._received.find(b"\n", searched)
        if end < 0:
            if len(self._received) >= MAX_MESSAGE_BYTES:
                self._refuse(_("larger than {size} KiB").format(size=MAX_MESSAGE_BYTES // 1024))
            return
        if end + 1 < len(self._received):
            self._refuse(_("more than one line"))
            return
        try:
            launch = decode_launch(bytes(self._received[:end]))
        except MessageRefused as e:
            self._refuse(str(e))
            return
        self._deliver(launch)

    def _token_said(self, searched: int) -> bool:
        """Whether the first line, now received, was the token; it is taken off what came.

        A wrong token (or none) is refused as soon as its line ends, or is too
        long to be one; nothing the connection sent is read as a message.
        """
        token = self.factory.token
        assert token is not None
        end = self._received.find(b"\n", searched)
        if end < 0:
            if len(self._received) > MAX_TOKEN_LINE:
                self._refuse(_("it did not begin with the window's token"))
            return False
        if not hmac.compare_digest(bytes(self._received[:end]), token):
            self._refuse(_("it did not begin with the window's token"))
            return False
        self._admitted = True
        del self._received[: end + 1]
        return True

    def _deliver(self, launch: Launch) -> None:
        self._heard = True
        self._received = bytearray()
        self._cancel_deadline()  # the message came; the window's answer may take a moment
        try:
            taken = self.factory.deliver(launch)
        except Exception:
            self._not_taken(Failure())
            return
        if isinstance(taken, Deferred):
            taken.addCallbacks(self._taken, self._not_taken, callbackArgs=(launch,))
        else:
            self._taken(taken, launch)

    def _not_taken(self, failure: Failure) -> None:
        text = "The window failed to take a later launch's addresses"  # untranslated: log
        log.failure(text, failure)
        self._answer(Reply(Answer.REFUSED, _("internal error in the window; see its log")))

    def _taken(self, taken: bool, launch: Launch) -> None:
        if not taken:
            self._answer(Reply(Answer.BUSY, _("the window is closing")))
            return
        log.info(
            "A later launch handed over {count} address(es){demo}",
            count=len(launch.addresses),
            demo=" and the demo" if launch.demo else "",
        )
        self._answer(Reply(Answer.OK))

    def _timed_out(self) -> None:
        self._deadline = None
        self._refuse(
            _("no whole message within {seconds} s").format(seconds=f"{self.factory.timeout:g}")
        )

    def _refuse(self, reason: str) -> None:
        self._answer(Reply(Answer.REFUSED, reason))

    def _answer(self, reply: Reply) -> None:
        self._answered = True
        self._received = bytearray()
        if reply.answer is not Answer.OK:
            log.warn("Refused a message on the launch socket: {reason}", reason=reply.reason)
        self._cancel_deadline()
        self.transport.write(reply.encode())
        self.transport.loseConnection()

    def _cancel_deadline(self) -> None:
        if self._deadline is not None and self._deadline.active():
            self._deadline.cancel()
        self._deadline = None

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._cancel_deadline()
        self.factory.open_connections -= 1


if TYPE_CHECKING:
    _Factory = Factory[LaunchProtocol]
else:
    # Twisted's factories take the protocol type as a parameter from 26.4 on;
    # the older ones this program also runs on cannot be subscripted.
    _Factory = Factory


class LaunchFactory(_Factory):
    """Makes a :class:`LaunchProtocol` per connection and counts those open.

    ``clock`` is the reactor the connections' deadlines are kept on;
    ``owner_uid`` whom UNIX connections must come from (``None``: not asked);
    ``token`` what each connection must send first (``None``: nothing).
    """

    protocol = LaunchProtocol
    noisy = False  # no "starting factory" lines in the user's log

    def __init__(
        self,
        deliver: Deliver,
        timeout: float,
        owner_uid: int | None,
        clock: IReactorTime,
        token: bytes | None = None,
    ) -> None:
        self.deliver = deliver
        self.timeout = timeout
        self.owner_uid = owner_uid
        self.clock = clock
        self.token = token
        self.open_connections = 0


def listen_for_launches(
    path: str,
    deliver: Deliver,
    *,
    timeout: float = MESSAGE_TIMEOUT,
    owner_uid: int | None = None,
    reactor: object | None = None,
) -> IListeningPort:
    """Listen at ``path`` (mode 0600) on ``reactor`` and hand each valid launch to ``deliver``.

    ``path`` is a UNIX socket's, or a port file's (:mod:`app.instance.loopback`:
    then the window listens on TCP, and the file says where and the token).
    What is already at ``path`` is removed first: call this only while holding
    the settings directory's lock (:mod:`app.instance.claim`), which makes any
    such socket or port file a dead window's. Raises
    ``twisted.internet.error.CannotListenError``, or ``OSError`` when a port
    file cannot be written. ``owner_uid`` (this user by default) is whom UNIX
    connections must come from; ``reactor`` is the global one unless given,
    as in Twisted's own APIs.
    """
    reactor = or_global(reactor)
    uid = platform.user_id() if owner_uid is None else owner_uid
    clock = IReactorTime(reactor)
    if is_port_file(path):
        token = new_token()
        factory = LaunchFactory(deliver, timeout, None, clock, token)
        return listen_on_loopback(path, factory, token, IReactorTCP(reactor))
    remove_stale_socket(path)
    factory = LaunchFactory(deliver, timeout, uid, clock)
    # listenUNIX's annotation takes only Factory's default protocol type (as
    # listenTCP's does, see app.net.server): a LaunchFactory is the Factory it wants.
    return IReactorUNIX(reactor).listenUNIX(path, factory, mode=0o600)  # type: ignore[arg-type]
