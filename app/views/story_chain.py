"""A row's Deferred drawn as the tutorial draws one: callbacks left, errbacks right, a level a line.

::

                  callbacks                     errbacks
    fired         ● callback(Poem, 612 bytes)   ○ errback
    addCallbacks  ● _succeeded → poem pane      ○ _failed
    addErrback    ● passthru                    ○ _internal_error

The first line is the factory firing the Deferred; each line below is one
level the controller added (:attr:`app.views.story.RowStory.chain`, as the
controller published it), so a level nobody reached is drawn too. ``●``
marks what ran, ``○`` what did not (the Story tab greys it); where a
handler's result went ("poem pane", "failure window", "raised") follows it.

Which side ran at each level is walked from the firing, as the Deferred
walks it: the recorded steps (:attr:`~app.views.story.RowStory.steps`)
say what each named handler did, a handler that raised sends what follows
down the errbacks, and Twisted's ``passthru`` hands its result on as it
came. A named handler with no step has not run (yet): the walk stops
there. Cells are separated by :data:`COLUMN`; the widget sets the tab
stops, so the columns line up whatever the font and the language.
"""

from __future__ import annotations

from app.downloads.events import StepKind
from app.i18n import pgettext
from app.views.story import RAISED, RowStory, Step

#: Between the cells of a line: a tab, which the Story tab lines up by its tab stops.
COLUMN = "\t"
#: Marks a cell whose handler ran, and one whose handler did not (greyed on screen).
RAN, NOT_RUN = "\u25cf", "\u25cb"
#: Twisted's name for the side of a level that hands its result on unchanged.
PASSTHRU = "passthru"


def chain_lines(story: RowStory) -> list[str]:
    """The drawing, header first; ``[]`` when the story was not told its Deferred's levels."""
    if not story.chain:
        return []
    steps = story.steps
    fired: StepKind | None = steps[0].kind if steps else None
    first = steps[0].result if steps else ""
    lines = [
        _line("", pgettext("chain", "callbacks"), pgettext("chain", "errbacks")),
        _line(
            pgettext("chain", "fired"),
            _cell(fired == "callback", f"callback({first})" if fired == "callback" else "callback"),
            _cell(fired == "errback", f"errback({first})" if fired == "errback" else "errback"),
        ),
    ]
    side = fired
    pending = list(steps)
    for level in story.chain:
        names = {"callback": level.callback, "errback": level.errback}
        texts = {kind: name or PASSTHRU for kind, name in names.items()}
        ran = side
        if side is not None and (name := names[side]) is not None:
            step = pending.pop(0) if pending and _is(pending[0], side, name) else None
            if step is None:
                ran = side = None  # not run yet, or not as told: nothing below ran either
            else:
                if step.outcome:
                    texts[side] = f"{name} \u2192 {step.outcome_words}"
                # A handler that returns (they return None) hands the next level a
                # result, even an errback; one that raised hands it a Failure.
                side = "errback" if step.outcome == RAISED else "callback"
        left = _cell(ran == "callback", texts["callback"])
        right = _cell(ran == "errback", texts["errback"])
        lines.append(_line(level.added_by, left, right))
    return lines


def _is(step: Step, kind: StepKind, handler: str) -> bool:
    return step.kind == kind and step.handler == handler


def _cell(ran: bool, text: str) -> str:
    return f"{RAN if ran else NOT_RUN} {text}"


def _line(label: str, left: str, right: str) -> str:
    return f"  {label}{COLUMN}{left}{COLUMN}{right}"
