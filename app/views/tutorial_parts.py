"""Parts 2–7 of the Twisted Introduction, each with what it teaches and where this program shows it.

The program's users learned Twisted from Dave Peticolas' tutorial; the
Tutorial menu's "Where to See It" lists its parts with the view of this
window that shows the same idea at work. The words are ours, marked with
``N_`` and worded when shown; :class:`Where` names the view, which the
window knows how to open.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.i18n import N_, _

#: The tutorial's public pages: the English original and a Chinese translation.
ENGLISH_URL = "http://krondo.com/?page_id=1327"
CHINESE_URL = "https://github.com/luocheng/twisted-intro-cn"
#: The only addresses the program ever opens in a browser.
TUTORIAL_PAGES = frozenset({ENGLISH_URL, CHINESE_URL})


class Where(enum.Enum):
    """A view of the window that shows one of the tutorial's ideas."""

    TIMELINE = "timeline"
    REACTOR = "reactor"
    STORY = "story"
    FAILURES = "failures"
    EXPERIMENTS = "experiments"


@dataclass(frozen=True)
class TutorialPart:
    number: int
    teaches: str  # marked with N_, worded when shown
    shown_by: str  # marked with N_
    where: Where

    def line(self) -> str:
        """One line: the part, what it teaches, and where to see it, in the current language."""
        return _("Part {number}: {teaches} {shown_by}").format(
            number=self.number, teaches=_(self.teaches), shown_by=_(self.shown_by)
        )


PARTS = (
    TutorialPart(
        2,
        N_("A blocking client reads one poem after another; an asynchronous one waits on all."),
        N_("Start All in each mode of the Servers menu, and compare the lanes of the timeline."),
        Where.TIMELINE,
    ),
    TutorialPart(
        3,
        N_("The reactor is one loop that waits for any ready socket and calls its handler."),
        N_("The reactor dock lists each turn of the loop and what ran in it."),
        Where.REACTOR,
    ),
    TutorialPart(
        4,
        N_("A Protocol turns one connection's bytes into events; a Factory makes Protocols."),
        N_("The Story tab follows the selected download's connection from start to end."),
        Where.STORY,
    ),
    TutorialPart(
        5,
        N_("A failed connection is reported to the factory, which must pass it on."),
        N_("The Download Failures window shows each failure with its traceback."),
        Where.FAILURES,
    ),
    TutorialPart(
        6,
        N_("A result goes to a callback on success and to an errback on failure."),
        N_("The Story tab shows which callback or errback each download's result reached."),
        Where.STORY,
    ),
    TutorialPart(
        7,
        N_("A Deferred holds the callback chain, and fires it once."),
        N_("The experiments of the Tutorial menu try it: raise, fire twice, cancel, forget."),
        Where.EXPERIMENTS,
    ),
)
