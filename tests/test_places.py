"""The XDG directories: a variable holding an absolute path, else the specification's default."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app import APP_NAME, places
from app.places import state_dir
from app.settings.store import default_config_dir
from app.startup.desktop_entry import default_data_home

HOMES: list[tuple[str, Callable[[], Path], str]] = [
    ("XDG_CONFIG_HOME", places.config_home, ".config"),
    ("XDG_STATE_HOME", places.state_home, ".local/state"),
    ("XDG_DATA_HOME", places.data_home, ".local/share"),
]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.mark.parametrize(("variable", "place", "default"), HOMES)
def test_a_home_is_its_variable_when_absolute_and_the_default_otherwise(
    variable: str,
    place: Callable[[], Path],
    default: str,
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(variable, str(tmp_path / "xdg"))
    assert place() == tmp_path / "xdg"
    # The XDG specification: a relative path is invalid and ignored, as are
    # an empty value and none at all.
    for ignored in ("relative/is/ignored", "", "  "):
        monkeypatch.setenv(variable, ignored)
        assert place() == home / default, repr(ignored)
    monkeypatch.delenv(variable)
    assert place() == home / default


def test_the_program_s_own_folders_are_named_after_it(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(variable, raising=False)
    assert default_config_dir() == home / ".config" / APP_NAME
    assert state_dir() == home / ".local" / "state" / APP_NAME
    assert default_data_home() == home / ".local" / "share"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", "state")
    assert default_config_dir() == tmp_path / "config" / APP_NAME
    assert state_dir() == home / ".local" / "state" / APP_NAME


def test_no_runtime_directory_is_made_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Not /run/user/<uid> when the variable names none: the socket has its own
    # next places (tests/test_instance.py).
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert places.runtime_dir() == tmp_path
    for unset in ("relative/dir", ""):
        monkeypatch.setenv("XDG_RUNTIME_DIR", unset)
        assert places.runtime_dir() is None
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert places.runtime_dir() is None
