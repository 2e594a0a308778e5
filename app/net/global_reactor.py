"""The reactor a caller did not name: Twisted's global one, looked up only then.

The program's APIs take the reactor (or a clock) as Twisted's own do
(``HostnameEndpoint(reactor, …)``, ``LoopingCall.clock``), so a test can pass
``task.Clock`` and turn time by hand; ``None`` means the global reactor. It is
imported when asked for, never when a module is imported: importing
``twisted.internet.reactor`` installs Twisted's default reactor, and the
window must install its own first.
"""

from __future__ import annotations

from typing import TypeVar, cast

R = TypeVar("R")


def or_global(reactor: R | None) -> R:
    """``reactor`` itself, or Twisted's global reactor when it is ``None``."""
    if reactor is not None:
        return reactor
    from twisted.internet import reactor as global_reactor

    return cast(R, global_reactor)
