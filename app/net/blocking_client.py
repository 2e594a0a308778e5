"""The tutorial's blocking client, done right: plain socket calls, one poem at a time, no reactor.

Part 2 of the Twisted Introduction starts from a client that connects,
reads until the server hangs up and only then turns to the next server, so
three slow poems take the sum of their times. ``poetry-get --blocking``
runs this client to show that sum beside the reactor's maximum; it keeps
every promise :func:`app.net.client.get_poetry` keeps, and fails in the
same ways (the same exception types, hence the same words from
:func:`app.net.failures.describe_failure`): refused, timed out, host not
found, connection lost after N bytes, no data for N s, larger than N,
empty poem, gave up after N s.

What the reactor does with timers, this client does with socket timeouts:
each ``recv`` waits at most the idle timeout, or what is left of the
deadline if that comes first. Only the host name lookup cannot be bounded:
``gethostbyname`` takes no timeout, and a blocking client has no other
thread to wait on.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable

from twisted.internet import error
from twisted.python.failure import Failure

from app.net.address import Address
from app.net.client import DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, FIRST_READ_SIZE
from app.net.failures import (
    ConnectionLostError,
    DeadlineError,
    EmptyPoemError,
    IdleTimeoutError,
    PoemTooLargeError,
)
from app.net.poem import DEFAULT_ENCODING, Poem, check_encoding


class _Clock:
    """The download's start and its deadline: how long the next blocking call may wait."""

    def __init__(self, max_time: float | None) -> None:
        self.started = time.monotonic()
        self.max_time = max_time

    def wait(self, limit: float, received: int) -> tuple[float, bool]:
        """At most ``limit`` seconds, or what is left before the deadline, whichever is sooner.

        The flag says the deadline is what bounds it: a timeout then means
        the deadline passed. Raises :class:`DeadlineError` if it already has.
        """
        if self.max_time is None:
            return limit, False
        left = self.started + self.max_time - time.monotonic()
        if left <= 0:
            raise self.gave_up(received)
        return (left, True) if left < limit else (limit, False)

    def gave_up(self, received: int) -> DeadlineError:
        assert self.max_time is not None  # only a deadline bounds a wait with it
        return DeadlineError(self.max_time, received)

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def fetch_poem(
    address: Address,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    encoding: str = DEFAULT_ENCODING,
    max_time: float | None = None,
    progress: Callable[[int], object] | None = None,
) -> Poem:
    """Download one poem from ``address``, blocking until it is whole or has failed.

    The limits mean what they mean to :func:`~app.net.client.get_poetry`.
    Raises Twisted's ``ConnectError`` family for a connection that was not
    made, and a :class:`~app.net.failures.PoetryError` for one that did not
    end in a poem; ``KeyboardInterrupt`` passes through, the socket closed.
    """
    encoding = check_encoding(encoding)
    clock = _Clock(max_time)
    with _connect(address, timeout, clock) as sock:
        chunks: list[bytes] = []
        received = 0
        while True:
            wait, deadline_bounds = clock.wait(idle_timeout, received)
            sock.settimeout(wait)
            try:
                chunk = sock.recv(FIRST_READ_SIZE)
            except TimeoutError:
                if deadline_bounds:
                    raise clock.gave_up(received) from None
                raise IdleTimeoutError(idle_timeout, received) from None
            except OSError as e:
                raise ConnectionLostError(received, Failure(e)) from None
            if not chunk:
                break
            chunks.append(chunk)
            received += len(chunk)
            if received > max_bytes:
                raise PoemTooLargeError(max_bytes)
            if progress is not None:
                progress(received)
    if received == 0:
        raise EmptyPoemError()
    return Poem(chunks, clock.elapsed(), encoding)


def _connect(address: Address, timeout: float, clock: _Clock) -> socket.socket:
    """A connected socket, or the ``ConnectError`` the reactor would have failed with."""
    host = _resolve(address.host)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        wait, deadline_bounds = clock.wait(timeout, 0)
        sock.settimeout(wait)
        sock.connect((host, address.port))
    except TimeoutError:
        sock.close()
        if deadline_bounds:
            raise clock.gave_up(0) from None
        raise error.TimeoutError() from None  # type: ignore[no-untyped-call]
    except OSError as e:
        sock.close()
        raise error.getConnectError(e) from None  # type: ignore[no-untyped-call]
    except BaseException:
        sock.close()
        raise
    return sock


def _resolve(host: str) -> str:
    """An IP address as it is; a host name looked up, IPv4 only, as Twisted's reactor does."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        return socket.gethostbyname(host)
    except (OSError, UnicodeError):
        raise error.DNSLookupError(host) from None
