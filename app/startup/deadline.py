"""Blocking work with a deadline: a start that failed must still say so in time.

libxcb's ``xcb_connect`` and jeepney's blocking D-Bus calls take no timeout,
and a dead display or a bus that never answers would hold them for minutes.
The work runs on a daemon thread instead, and the caller waits for it no
longer than the deadline; a thread still stuck then dies with the process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def within(seconds: float, work: Callable[[], T], name: str) -> tuple[T] | None:
    """``(work(),)`` if it returned within ``seconds``, else ``None``; its exception is raised.

    ``name`` names the thread, for a debugger.
    """
    outcome: list[tuple[T] | BaseException] = []

    def run() -> None:
        try:
            outcome.append((work(),))
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=run, name=name, daemon=True)
    worker.start()
    worker.join(seconds)
    if not outcome:
        return None
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result
