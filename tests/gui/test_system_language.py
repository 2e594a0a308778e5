"""Started from macOS's Finder or Windows' Explorer, no locale variable is set: the system decides.

The system's answer is forced: ``QLocale.system()`` is made to return a
Chinese locale, as Qt's own does on a Chinese macOS or Windows (Qt asks
those systems for the user's languages, not the environment). The window
then speaks Chinese, as a person sees it: its menus and Preferences.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PyQt5.QtCore import QLocale
from PyQt5.QtWidgets import QAction, QComboBox, QDialogButtonBox

from app import i18n
from app.gui.i18n import install_language, system_languages, window_language
from tests.conftest import open_window
from tests.gui.test_language import open_dialog, press

CHINESE_PREFERENCES = "首选项(&P)…"


@pytest.fixture
def chinese_system(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No locale variable, and a system whose UI language is simplified Chinese."""
    for variable in i18n.LOCALE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale("zh_CN")))
    yield
    monkeypatch.undo()
    install_language("en")


def preferences_entry(window) -> str:
    """The Preferences menu entry as the window shows it."""
    return str(window.findChild(QAction, "actionPreferences").text())


def test_qt_is_asked_for_the_system_s_languages(chinese_system):
    assert "zh-CN" in system_languages()
    assert window_language(None, None) == "zh_CN"


def test_the_window_speaks_the_system_s_language(qtbot, chinese_system, config_dir):
    assert install_language(None) == "zh_CN"
    window = open_window(qtbot, config_dir)
    assert preferences_entry(window) == CHINESE_PREFERENCES
    window.close()


def test_a_locale_variable_still_outranks_the_system(
    qtbot, chinese_system, monkeypatch, config_dir
):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert install_language(None) == "en"
    assert window_language(None, None) == "en"


def test_preferences_system_default_follows_the_system(qtbot, chinese_system, config_dir):
    install_language("en")
    window = open_window(qtbot, config_dir)
    assert preferences_entry(window) == "&Preferences…"
    dialog = open_dialog(qtbot, window, "actionPreferences", "preferencesDialog")
    combo = dialog.findChild(QComboBox, "languageCombo")
    combo.setCurrentIndex(combo.findData(None))
    press(qtbot, dialog, QDialogButtonBox.Ok)

    assert i18n.current() == "zh_CN"
    qtbot.waitUntil(lambda: preferences_entry(window) == CHINESE_PREFERENCES, timeout=2000)
    window.close()
