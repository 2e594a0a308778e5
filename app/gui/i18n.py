"""The window's language: our catalogue (``app.i18n``) plus Qt's own words.

Qt translates the words it draws itself (OK and Cancel in a dialog's
buttons, the file dialog, a text box's context menu) from its own
``qtbase_<language>.qm``, which PyQt5 ships; :func:`install_language`
installs that beside our gettext catalogue.

The locale's language is the POSIX variables' (``LANG``...) where any is
set; a program started from macOS's Finder or Windows' Explorer gets none,
and there the system's own UI languages decide, as Qt reads them
(:func:`system_languages`, :func:`window_language`).

It runs after the ``QApplication`` exists and before ``MainWindow`` is
built. Installing a language sends a ``LanguageChange`` event to every
window, so one that is already open re-reads its words
(``MainWindow.retranslate``).
"""

from __future__ import annotations

import os

from PyQt5.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator
from PyQt5.QtGui import QFontDatabase

from app import i18n

_qt_translators: list[QTranslator] = []

#: The writing system a language needs a font for, beyond the Latin every system has.
_WRITING_SYSTEMS = {"zh_CN": QFontDatabase.SimplifiedChinese}

#: Where each writing system's fonts come from, for a person to install.
_FONT_PACKAGES = {  # untranslated: package names
    "zh_CN": "fonts-noto-cjk (Debian, Ubuntu), google-noto-sans-cjk-fonts (Fedora)",
}


def can_draw(language: str) -> bool:
    """Whether an installed font can draw ``language`` (needs the ``QApplication``).

    Without one, every Chinese word in the window would be an empty box.
    """
    system = _WRITING_SYSTEMS.get(language)
    return system is None or bool(QFontDatabase().families(system))


def no_font_message(language: str) -> str:
    """Why the window speaks English instead of ``language``: in English, as nothing else shows."""
    name = i18n.LANGUAGE_NAMES.get(language, language)
    packages = _FONT_PACKAGES.get(language, "a font for it")  # untranslated: see below
    return (  # untranslated: the language asked for cannot be drawn, so this one must be English
        f"No font can draw {name} ({language}), so the window speaks English; "
        f"install one, such as {packages}, and start again"
    )


def system_languages() -> list[str]:
    """The user's UI languages in order of preference, as the system tells Qt (``zh-Hans-CN``)."""
    return list(QLocale.system().uiLanguages())


def window_language(explicit: str | None, saved: str | None) -> str:
    """The window's language: ``--language``, Preferences, the locale variables, the system's."""
    return i18n.choose(explicit, saved, os.environ, system_languages())


def install_language(language: str | None = None) -> str:
    """Speak ``language`` (``"zh_CN"``, ``"en"``; None: the locale's); returns the one installed.

    A language whose compiled catalogue is missing falls back to English
    (:func:`app.i18n.install`).
    """
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_language needs the QApplication first")  # untranslated: a bug
    chosen = i18n.install(language or window_language(None, None))
    changed = bool(_qt_translators)
    for translator in _qt_translators:
        QCoreApplication.removeTranslator(translator)
    _qt_translators.clear()
    if chosen != i18n.SOURCE_LANGUAGE:
        folder = QLibraryInfo.location(QLibraryInfo.TranslationsPath)
        for name in ("qtbase", "qt"):
            translator = QTranslator(app)
            if translator.load(f"{name}_{chosen}", folder):
                QCoreApplication.installTranslator(translator)
                _qt_translators.append(translator)
                changed = True
                break
    QLocale.setDefault(QLocale(chosen))
    if not changed:
        # Qt announces a language change only when a translator comes or goes;
        # without Qt's own catalogue the window must still hear of ours.
        QCoreApplication.sendEvent(app, QEvent(QEvent.LanguageChange))
    return chosen
