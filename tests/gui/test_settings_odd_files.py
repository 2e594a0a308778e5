"""The settings file's place holds something odd: loading still returns, and keeps it all.

A directory, a pipe, a device, a symbolic link loop, a file nobody may read,
a file far too big, a config "directory" that is a file: each gives the
defaults and a message, and whatever was there is renamed aside untouched,
or left where it was when it cannot be moved. The cases that could hang or
eat the memory if the loader got them wrong run in a child process with a
time and memory limit, so a regression fails instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.settings.store import FILE_NAME, MAX_FILE_SIZE, Settings, load_settings

ASIDE_PREFIX = f"{FILE_NAME}.corrupt-"

# Loads the settings of argv[1] and prints the outcome as JSON. With
# "unprivileged" it first gives up the root powers that read any file
# (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: dropped from the bounding set, they
# are gone after the re-exec), so file permissions hold even for root.
CHILD = """\
import ctypes, json, os, resource, sys
from pathlib import Path

config_dir, mode = Path(sys.argv[1]), sys.argv[2]
if mode == "unprivileged" and os.geteuid() == 0:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl")
    os.execv(sys.executable, [sys.executable, sys.argv[0], sys.argv[1], "dropped"])
if mode != "plain":
    try:
        (config_dir / "settings.json").read_bytes()
    except PermissionError:
        pass
    else:
        sys.exit("the settings file is readable: this run would prove nothing")
# A loader that reads without end fails here with MemoryError, not in the OOM killer.
resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

from app.settings.store import Settings, load_settings

settings, message = load_settings(config_dir)
print(json.dumps({"defaults": settings == Settings(), "message": message}))
"""


def load_in_child(qtbot, tmp_path: Path, config_dir: Path, mode: str = "plain") -> dict[str, Any]:
    script = tmp_path / "load_settings_child.py"
    script.write_text(CHILD)
    child = subprocess.Popen(
        [sys.executable, str(script), str(config_dir), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        qtbot.waitUntil(lambda: child.poll() is not None, timeout=15_000)
    finally:
        if child.poll() is None:
            child.kill()
        out, err = child.communicate()
    assert child.returncode == 0, err.decode(errors="replace")
    return json.loads(out)


def set_aside(config_dir: Path) -> Path:
    """The one set-aside copy in ``config_dir``."""
    (aside,) = config_dir.glob(f"{ASIDE_PREFIX}*")
    return aside


def test_no_config_directory_yet_is_a_first_start(tmp_path: Path) -> None:
    config_dir = tmp_path / "not" / "yet"
    assert load_settings(config_dir) == (Settings(), None)
    assert not (tmp_path / "not").exists(), "loading creates nothing"


def test_a_directory_in_the_files_place_is_set_aside_with_its_contents(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).mkdir()
    (tmp_path / FILE_NAME / "inside.txt").write_bytes(b"kept")
    loaded, message = load_settings(tmp_path)
    assert loaded == Settings()
    aside = set_aside(tmp_path)
    assert (aside / "inside.txt").read_bytes() == b"kept"
    assert message is not None and "not a regular file" in message and str(aside) in message
    assert sorted(p.name for p in tmp_path.iterdir()) == [aside.name]


def test_a_config_directory_that_is_a_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    config_dir.write_bytes(b"a file where the directory should be")
    loaded, message = load_settings(config_dir)
    assert loaded == Settings()
    assert message is not None and "could not be moved aside" in message
    assert str(config_dir / FILE_NAME) in message
    assert config_dir.read_bytes() == b"a file where the directory should be"
    assert [p.name for p in tmp_path.iterdir()] == ["config"]


def test_a_nul_in_the_config_directorys_name_is_reported(tmp_path: Path) -> None:
    loaded, message = load_settings(tmp_path / "con\0fig")
    assert loaded == Settings()
    assert message is not None and "could not be read" in message


def test_a_symbolic_link_loop_is_set_aside_as_a_link(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).symlink_to(FILE_NAME)
    loaded, message = load_settings(tmp_path)
    assert loaded == Settings()
    aside = set_aside(tmp_path)
    assert aside.is_symlink() and os.readlink(aside) == FILE_NAME
    assert message is not None and "could not be read" in message and str(aside) in message


def test_a_file_too_big_to_be_settings_is_set_aside_unread(tmp_path: Path) -> None:
    with (tmp_path / FILE_NAME).open("wb") as big:
        big.truncate(MAX_FILE_SIZE + 1)  # sparse: no disk space, all zero bytes
    loaded, message = load_settings(tmp_path)
    assert loaded == Settings()
    aside = set_aside(tmp_path)
    assert aside.stat().st_size == MAX_FILE_SIZE + 1
    assert message is not None and "larger than 16 MiB" in message and str(aside) in message


def test_a_named_pipe_in_the_files_place_does_not_hang_the_start(qtbot, tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    os.mkfifo(config_dir / FILE_NAME)
    outcome = load_in_child(qtbot, tmp_path, config_dir)
    assert outcome["defaults"]
    assert "not a regular file" in outcome["message"]
    assert set_aside(config_dir).is_fifo()


def test_a_link_to_an_endless_device_is_not_read_and_the_link_is_set_aside(
    qtbot, tmp_path: Path
) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / FILE_NAME).symlink_to("/dev/zero")
    outcome = load_in_child(qtbot, tmp_path, config_dir)
    assert outcome["defaults"]
    assert "not a regular file" in outcome["message"]
    assert os.readlink(set_aside(config_dir)) == "/dev/zero"


@pytest.mark.skipif(sys.platform != "linux", reason="drops root's powers with Linux's prctl")
def test_a_file_nobody_may_read_is_set_aside_byte_for_byte(qtbot, tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    content = json.dumps({"servers": [{"address": "127.0.0.1:10000"}]}).encode()
    (config_dir / FILE_NAME).write_bytes(content)
    (config_dir / FILE_NAME).chmod(0)
    outcome = load_in_child(qtbot, tmp_path, config_dir, "unprivileged")
    assert outcome["defaults"]
    assert "could not be read (Permission denied)" in outcome["message"]
    aside = set_aside(config_dir)
    assert str(aside) in outcome["message"]
    aside.chmod(0o600)
    assert aside.read_bytes() == content
