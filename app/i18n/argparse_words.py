"""The words argparse itself says (usage, headings, its errors), so the catalogue translates them.

argparse asks gettext for these through its own module-level ``_`` and
``ngettext``; :func:`route_argparse_words` points those at :mod:`app.i18n`,
so they come from this program's catalogue in the language installed. It
is the program's one use of an undocumented part of the standard library
(:mod:`app.internals` holds those of Twisted and qt5reactor), and it is
here because this module imports nothing but the standard library and
:mod:`app.i18n`: ``python3 -m app.startup.display_check --packages debian`` lists a
bare system's packages before anything is installed. The words are listed
exactly as Python 3.11's ``argparse.py`` spells them, for extraction:
``make catalogue`` finds them here. Messages argparse raises only for a
programmer's mistake (a clash of option names, a bad ``nargs``) are left
out: no user reads them.

When a new Python changes one of these, the new spelling goes here too.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from app.i18n import N_, _, ngettext

#: The words of ``--help`` and of the usage line.
HELP = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
)

#: What argparse says about a command line it cannot take, after ``usage:``.
ERRORS = (
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("can't open '%(filename)s': %(error)s"),
)


def expected_arguments(count: int) -> str:
    """argparse's one counted sentence (``nargs=2`` given one value), in the installed language."""
    return ngettext("expected %s argument", "expected %s arguments", count) % count


def speak_ours() -> None:
    """Make argparse say its words in the language :func:`app.i18n.install` installs.

    Every command line calls this before it builds its parser. The words are
    looked up as they are said, so a language installed later is heard too;
    calling it again changes nothing.
    """
    route_argparse_words(_, ngettext)


def route_argparse_words(
    gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str]
) -> None:
    """Make argparse look its own words up with ``gettext`` and ``ngettext`` from now on.

    argparse does ``from gettext import gettext as _, ngettext`` and calls
    those module globals when it builds a parser and when it formats help and
    errors, so they read gettext's global domain (``messages``), never this
    program's catalogue. Replacing the two globals is the only way to
    translate them in every parser, including ones built elsewhere
    (``app.__main__``); the alternative, ``gettext.textdomain``, would take
    the language from the environment rather than from ``--language``.
    Relies on the names ``argparse._`` and ``argparse.ngettext``, neither
    documented.
    """
    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
