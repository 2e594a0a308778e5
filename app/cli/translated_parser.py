"""An ``argparse`` parser whose own words (usage, the section titles, ``--help``) are translated.

``argparse`` says "usage:", "positional arguments", "options" and "show
this help message and exit" through the standard library's gettext domain,
for which no catalogue is installed, so a Chinese ``--help`` would still
frame its Chinese lines in English. :class:`TranslatedParser` says them
through :mod:`app.i18n` instead, in the language installed when it is
built; build the parser after installing the language.

What argparse says about a mistake inside the error line ("invalid
choice", "the following arguments are required") stays its own; the line
around it ("prog: error: ...") and the usage above it are translated.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import Any, NoReturn

from app.i18n import _


class TranslatedHelpFormatter(argparse.HelpFormatter):
    """Help whose "usage:" is in the current language."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


class TranslatedParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` speaking the current language in its own words too."""

    def __init__(
        self,
        prog: str | None = None,
        *,
        add_help: bool = True,
        formatter_class: type[argparse.HelpFormatter] = TranslatedHelpFormatter,
        **kwargs: Any,
    ) -> None:
        super().__init__(prog, formatter_class=formatter_class, add_help=False, **kwargs)
        # argparse names its two default groups in English, with no way to pass other titles.
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", help=_("show this help message and exit")
            )

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        line = _("{program}: error: {message}").format(program=self.prog, message=message)
        self.exit(2, line + "\n")
