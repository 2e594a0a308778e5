"""The path a row's Deferred takes, recorded as each callback or errback runs.

The tutorial's chapter on Deferreds is about that path: a result goes down
the callbacks, a Failure down the errbacks, and a handler that raises
sends what follows to the errbacks. :func:`recording` wraps a handler so
that, the moment the Deferred calls it, a :class:`~app.downloads.events.DeferredStep`
naming the chain, the handler and its result is published on the row's
event stream, then the handler runs. Nothing is reconstructed afterwards:
a step that is not recorded did not run.

It costs one event per step, two or three per download, and nothing per
chunk of bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from twisted.python.failure import Failure

from app.downloads.events import DeferredStep, EventStream, StepKind
from app.downloads.rows import ServerRow
from app.i18n.units import format_size
from app.net.poem import Poem

_Result = TypeVar("_Result")
_Returned = TypeVar("_Returned")


def recording(
    events: EventStream,
    kind: StepKind,
    handler: Callable[[_Result, ServerRow], _Returned],
) -> Callable[[_Result, ServerRow], _Returned]:
    """``handler``, publishing a ``DeferredStep`` each time it is called, before it runs."""
    name = getattr(handler, "__name__", type(handler).__name__)

    def step(result: _Result, row: ServerRow) -> _Returned:
        events.publish(DeferredStep(row, kind, name, describe_result(result)))
        return handler(result, row)

    step.__name__ = name
    return step


def describe_result(result: object) -> str:
    """A Deferred's result in a few words: "Poem, 612 bytes", "Failure ConnectionRefusedError"."""
    if isinstance(result, Poem):
        return f"Poem, {format_size(result.size)}"  # untranslated: Poem, the class's name
    if isinstance(result, Failure):
        return f"Failure {type(result.value).__name__}"  # untranslated: Twisted's class names
    return type(result).__name__
