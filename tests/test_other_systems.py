"""Windows' and macOS' ways, taken on Linux: the one switch, the desktop entry, the start-up check,
and the command lines' language when no locale variable is set.

``app.platform`` is the one place that says which system this is;
``POETRY_DOWNLOADER_PLATFORM`` makes it say another, here and in the
programs these tests start. The file limit and the single window's
transport have their own tests (``tests/test_file_limit.py``,
``tests/gui/test_instance_loopback.py``, ``tests/gui/test_instance_main_loopback.py``).
"""

from __future__ import annotations

import locale
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import APP_NAME, i18n, platform
from app.platform import FORCE_VARIABLE
from app.startup.desktop_entry import NoDesktopEntries, install_desktop_entry
from app.startup.display_check import start_problem

REPO = Path(__file__).resolve().parent.parent
OTHERS = ["windows", "macos"]


def environment(tmp_path: Path, **changes: str) -> dict[str, str]:
    """The test's environment without a display or a locale variable, with ``changes``."""
    dropped = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", *i18n.LOCALE_VARIABLES)
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(PYTHONPATH=str(REPO), XDG_DATA_HOME=str(tmp_path / "data"), **changes)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=60, cwd=REPO
    )


# The switch


@pytest.mark.parametrize("name", ["windows", "macos", "linux", "WINDOWS "])
def test_the_switch_names_the_system_the_program_is_told_it_runs_on(monkeypatch, name):
    monkeypatch.setenv(FORCE_VARIABLE, name)
    assert platform.system() == name.strip().lower()


def test_an_unknown_name_leaves_the_system_as_it_is(monkeypatch):
    monkeypatch.setenv(FORCE_VARIABLE, "beos")
    assert platform.system() == "linux"
    assert platform.freedesktop() and platform.unix_socket_peer_check()
    assert platform.resource_limits() is not None and platform.user_id() == os.getuid()


def test_windows_has_no_resource_user_id_pread_or_peer_check(monkeypatch):
    monkeypatch.setenv(FORCE_VARIABLE, "windows")
    assert platform.resource_limits() is None
    assert platform.user_id() is None
    assert not platform.positional_io()
    assert not platform.unix_socket_peer_check()
    assert not platform.freedesktop()


def test_macos_has_limits_and_users_but_no_peer_check_or_freedesktop(monkeypatch):
    monkeypatch.setenv(FORCE_VARIABLE, "macos")
    assert platform.resource_limits() is not None
    assert platform.user_id() == os.getuid()
    assert platform.positional_io()
    assert not platform.unix_socket_peer_check()
    assert not platform.freedesktop()


# The desktop entry


@pytest.mark.parametrize("system", OTHERS)
def test_the_desktop_entry_is_refused_in_one_line_saying_what_to_do(tmp_path, system):
    done = run(
        ["-m", "app", "--install-desktop-entry"], environment(tmp_path, **{FORCE_VARIABLE: system})
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"{APP_NAME}: cannot install the desktop entry: ")
    if system == "windows":
        assert "make a shortcut to" in line and "Start menu" in line
    else:
        assert "start" in line and "Dock" in line
    assert not (tmp_path / "data").exists()  # nothing written, not even an icon


@pytest.mark.parametrize("system", OTHERS)
def test_the_desktop_entry_refusal_speaks_chinese(tmp_path, system):
    env = environment(tmp_path, **{FORCE_VARIABLE: system, "LANG": "zh_CN.UTF-8"})
    done = run(["-m", "app", "--install-desktop-entry"], env)
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(
        f"{APP_NAME}：无法安装桌面项：{system_name(system)} 没有这种应用程序菜单项；"
    )
    assert "快捷方式" in line if system == "windows" else "程序坞" in line


def system_name(system: str) -> str:
    return {"windows": "Windows", "macos": "macOS"}[system]


def test_the_refusal_names_the_program_it_would_have_started(monkeypatch, tmp_path):
    monkeypatch.setenv(FORCE_VARIABLE, "windows")
    with pytest.raises(
        NoDesktopEntries, match=r"make a shortcut to C:\\Poetry\\poetry-downloader.exe"
    ):
        install_desktop_entry(tmp_path, executable="C:\\Poetry\\poetry-downloader.exe")
    assert list(tmp_path.iterdir()) == []


# The start-up check


@pytest.mark.parametrize("system", OTHERS)
def test_the_start_up_check_asks_nothing_without_x_or_wayland(tmp_path, system):
    # No display at all: on Linux that is the check's one line and exit 1.
    assert start_problem(environment(tmp_path)) is not None
    assert run(["-m", "app.startup.display_check"], environment(tmp_path)).returncode == 1

    done = run(
        ["-m", "app.startup.display_check"], environment(tmp_path, **{FORCE_VARIABLE: system})
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_forced_the_start_up_check_is_skipped_in_process(monkeypatch, tmp_path):
    monkeypatch.setenv(FORCE_VARIABLE, "macos")
    assert start_problem(environment(tmp_path)) is None


# The command lines' language without a locale variable


def test_without_a_locale_variable_the_system_s_languages_decide():
    assert i18n.choose(None, None, {}, ["zh-Hans-CN", "en-US"]) == "zh_CN"
    assert i18n.choose(None, None, {}, ["de-DE", "zh-CN"]) == "zh_CN"  # the first we speak
    assert i18n.choose(None, None, {}, ["de-DE", "fr-FR"]) == "en"
    assert i18n.choose(None, None, {}, []) == "en"


def test_a_locale_variable_and_a_choice_still_come_first():
    assert i18n.choose(None, None, {"LANG": "en_US.UTF-8"}, ["zh-Hans-CN"]) == "en"
    assert i18n.choose(None, None, {"LC_ALL": "C"}, ["zh-Hans-CN"]) == "en"
    assert i18n.choose("en", None, {}, ["zh-Hans-CN"]) == "en"
    assert i18n.choose(None, "en", {}, ["zh-Hans-CN"]) == "en"


def test_the_command_lines_fall_back_on_the_process_locale(monkeypatch):
    for variable in i18n.LOCALE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    # What Windows' C runtime names its locale, as Python's getlocale() returns it.
    monkeypatch.setattr(locale, "getlocale", lambda *_: ("Chinese (Simplified)_China", "936"))
    assert i18n.language_from_environment() == "zh_CN"
    assert i18n.choose(None, None, os.environ) == "zh_CN"
    # Only this process's own environment is read that way: a given one is taken as it is.
    assert i18n.language_from_environment({}) == "en"
    monkeypatch.setattr(locale, "getlocale", lambda *_: ("English_United States", "1252"))
    assert i18n.language_from_environment() == "en"
    monkeypatch.setattr(locale, "getlocale", lambda *_: (None, None))
    assert i18n.language_from_environment() == "en"
