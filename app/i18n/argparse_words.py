"""The words argparse itself says (usage, headings, its errors), so the catalogue translates them.

argparse asks gettext for these through its own module-level ``_`` and
``ngettext``; :func:`route_argparse_words` points those at :mod:`app.i18n`,
so they come from this program's catalogue in the language installed. It
is the program's one use of an undocumented part of the standard library
(:mod:`app.internals` holds those of Twisted and qt5reactor), and it is
here because this module imports nothing but the standard library and
:mod:`app.i18n`: ``python3 -m app.startup.display_check --packages debian`` lists a
bare system's packages before anything is installed. The words are listed
exactly as ``argparse.py`` spells them, for extraction: ``make catalogue``
finds them here. Messages argparse raises only for a programmer's mistake
(a clash of option names, a bad ``nargs``) or for features no command here
uses (deprecated options, defaults added to every help line) are left out:
no user reads them.

The program runs on Python 3.10 to 3.13, whose argparse differ in two
places where a user reads them. 3.10 spells ``argument --timeout: ...``
without gettext: :func:`route_argparse_words` gives it 3.11's way. Up to
3.12 a section's heading takes a bare ASCII colon, 3.13 asks gettext for
``%(heading)s:``: :class:`HelpFormatter` gives every version the
translated one (``位置参数：``, with the full-width colon).

When a new Python changes one of these, the new spelling goes here too.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable

from app.i18n import N_, _, ngettext

#: The words of ``--help`` and of the usage line.
HELP = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    # A section's heading and its colon (Python 3.13 asks; HelpFormatter does on the others).
    N_("%(heading)s:"),
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


class HelpFormatter(argparse.HelpFormatter):
    """argparse's own help layout, with each section's heading in the language's form.

    Every parser of the program is built with it (``formatter_class=``).
    Python 3.13 already asks gettext for ``%(heading)s:``; the earlier ones
    write the heading and a bare ``:``, which this replaces with the
    translated form once the help is laid out.
    """

    def __init__(self, prog: str, *args: object, **kwargs: object) -> None:
        super().__init__(prog, *args, **kwargs)  # type: ignore[arg-type]
        self._headings: list[str] = []

    def start_section(self, heading: str | None) -> None:
        if heading:
            self._headings.append(heading)
        super().start_section(heading)

    def format_help(self) -> str:
        text = super().format_help()
        if sys.version_info >= (3, 13):
            return text
        for heading in self._headings:
            spelled = _("%(heading)s:") % {"heading": heading}
            replacement = r"\g<1>" + spelled.replace("\\", "\\\\")
            text = re.sub(rf"^( *){re.escape(heading)}:$", replacement, text, flags=re.MULTILINE)
        return text


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
    if sys.version_info < (3, 11):
        argparse.ArgumentError.__str__ = _argument_error_text  # type: ignore[method-assign, assignment]


def _argument_error_text(error: argparse.ArgumentError) -> str:
    """What Python 3.11's ``ArgumentError.__str__`` says, through gettext as it does there.

    3.10's spells ``argument %(argument_name)s: %(message)s`` as a plain
    string, so ``argument --timeout:`` stayed English in every language.
    """
    if error.argument_name is None:
        return error.message
    words: Callable[[str], str] = argparse._  # type: ignore[attr-defined]
    return words("argument %(argument_name)s: %(message)s") % {  # untranslated: in ERRORS
        "argument_name": error.argument_name,
        "message": error.message,
    }
