"""The words a person reads, in their language: gettext, with English as the source.

Every sentence the window, ``poetry-get`` or ``poetry-server`` shows goes
through :func:`_` (or :func:`ngettext` when it counts something, or
:func:`pgettext` when a short word needs its context). The catalogue is
``app/i18n/locale/<language>/LC_MESSAGES/poetry-downloader.po``; ``make`` (and
the package build, ``setup.py``) compiles it to the ``.mo`` that gettext
reads, so a compiled catalogue is never edited by hand. The glossary that
keeps later translations consistent is ``app/i18n/locale/GLOSSARY.md``.

This module is part of the Qt-free core, so the command lines use it as the
window does; ``app.gui.i18n.install_language`` adds Qt's own translations
(OK, Cancel, the file dialog) on top.

Why gettext and not Qt Linguist: ``poetry-get`` and the core never import
Qt (``tests/test_layers.py``), and gettext is in the standard library.

Sentences are whole templates with named placeholders,
``_("connection lost after {size}").format(size=...)``, never English
fragments glued together, so a translation can put the words in its own
order. A string that must exist before a language is chosen (a table of
words at module level) is marked with :func:`N_` and translated where it
is shown.

The log file stays in English (``app.downloads.download_log``, ``app.log``): a log is
searched and pasted into bug reports, where one language serves everyone.
"""

from __future__ import annotations

import gettext
import locale
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from app import APP_NAME

#: The gettext domain: the catalogue files are named after the program.
DOMAIN = APP_NAME

#: The source language, and the one used when nothing else fits.
SOURCE_LANGUAGE = "en"

#: Every language the program speaks, in the order Preferences lists them.
LANGUAGES = ("en", "zh_CN")

#: Each language's name, written in that language (how a chooser shows it).
LANGUAGE_NAMES = {"en": "English", "zh_CN": "简体中文"}  # untranslated: each in its own language

#: Where the catalogues live: inside the package, installed with it.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

#: The environment variables that choose a language, in the order gettext reads them.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = SOURCE_LANGUAGE


def normalise(name: str | None) -> str | None:
    """The language of ``name`` we speak (``zh_CN.UTF-8`` → ``zh_CN``), or None.

    Any Chinese locale gets the simplified Chinese catalogue, the only
    Chinese one there is; ``C`` and ``POSIX`` are English. A system's UI
    language (``zh-Hans-CN``) reads as a locale does, and so do the names
    Windows gives ``locale.getlocale()`` (``Chinese (Simplified)_China``).
    """
    if not name:
        return None
    base = name.strip().split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    if not base:
        return None
    if base in ("C", "POSIX"):
        return SOURCE_LANGUAGE
    lang = base.split("_", 1)[0].lower()
    if lang == "zh" or lang.startswith("chinese"):
        return "zh_CN"
    if lang == "en" or lang.startswith("english"):
        return "en"
    return None


def language_from_environment(
    environ: Mapping[str, str] | None = None, system: Sequence[str] | None = None
) -> str:
    """The language the locale variables ask for, as gettext reads them.

    ``LANGUAGE`` is a colon-separated list of preferences and is read only
    when the locale is not ``C``, as gettext does; the first of the others
    that is set decides. A locale we do not speak gives English.

    When none of them is set (a program started from macOS's Finder or
    Windows' Explorer, which set none) the system's own languages decide:
    ``system``, the user's UI languages in order of preference (the window
    asks Qt for them, :mod:`app.gui.i18n`), the first we speak; or, if not
    given, this process's locale as ``locale.getlocale()`` reads it, asked
    only about this process's own environment.
    """
    env = os.environ if environ is None else environ
    if not any(env.get(variable) for variable in LOCALE_VARIABLES):
        if system is None:
            own = environ is None or environ is os.environ
            system = [locale.getlocale()[0] or ""] if own else []
        return next((found for found in map(normalise, system) if found), SOURCE_LANGUAGE)
    chosen = next((env[v] for v in LOCALE_VARIABLES[1:] if env.get(v)), "")
    if chosen.split(".", 1)[0] not in ("C", "POSIX"):
        for choice in env.get("LANGUAGE", "").split(":"):
            found = normalise(choice)
            if found:
                return found
    return normalise(chosen) or SOURCE_LANGUAGE


def choose(
    explicit: str | None = None,
    saved: str | None = None,
    environ: Mapping[str, str] | None = None,
    system: Sequence[str] | None = None,
) -> str:
    """The language to speak: ``--language``, then Preferences, then the locale.

    ``system`` is the system's UI languages, for when no locale variable is
    set (:func:`language_from_environment`).
    """
    for wish in (explicit, saved):
        found = normalise(wish)
        if found:
            return found
    return language_from_environment(environ, system)


def install(language: str | None = None) -> str:
    """Speak ``language`` (a name :func:`normalise` knows; None: the locale's) from now on.

    Returns the language installed: English when the language's compiled
    catalogue is missing (a checkout that ``make`` never built). Text
    already on screen is not changed by this; whoever shows it asks again
    (``app.gui.i18n``). argparse's own words follow too in a parser that
    :func:`app.i18n.argparse_words.speak_ours` was called for.
    """
    global _translation, _language
    chosen = normalise(language) if language else language_from_environment()
    chosen = chosen or SOURCE_LANGUAGE
    _translation = gettext.NullTranslations()
    if chosen != SOURCE_LANGUAGE:
        try:
            _translation = gettext.translation(
                DOMAIN, localedir=str(LOCALE_DIR), languages=[chosen]
            )
        except FileNotFoundError:
            # A source checkout never built (no .mo): English, not half a language.
            chosen = SOURCE_LANGUAGE
    _language = chosen
    return chosen


def current() -> str:
    """The language being spoken now."""
    return _language


@contextmanager
def source_language() -> Iterator[None]:
    """Speak English inside the block, whatever language is installed, then as before.

    For words that go to the log (and an exception's own message, read in
    tracebacks), which stay English (see the module doc), when they are made
    by the same functions that word them for the window.
    """
    global _translation
    spoken, _translation = _translation, gettext.NullTranslations()
    try:
        yield
    finally:
        _translation = spoken


def _(message: str) -> str:
    """``message`` in the current language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a counted sentence that fits ``n``, in the current language."""
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, where ``context`` tells apart two uses."""
    return _translation.pgettext(context, message)


def display_name() -> str:
    """The program's name as a person reads it, in the current language."""
    return _("Poetry Downloader")


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue without translating it yet (see the module doc)."""
    return message
