"""What the window writes for the user: a full disk never costs the file it would replace.

Save Poem As writes a temporary file beside the target and renames it over
only once all of it is on the disk. These tests fill a real file system: a
64 KiB tmpfs, mounted for the test (which needs root; elsewhere they are
skipped, saying so). The settings file may be a link into a dotfiles
repository: saving keeps the link and writes the file it names.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PyQt5.QtCore import Qt, QTimer
from PyQt5.QtWidgets import QApplication, QFileDialog, QMessageBox

from app.gui import MainWindow
from app.net.address import Address
from tests.conftest import local, open_window, settings_on_disk, status
from tests.small_disk import small_tmpfs

pytestmark = pytest.mark.usefixtures("no_leftover_timers")

#: What the user had: 36 bytes.
OLD = b"The poem I had, and want to keep it\n"
#: About 100 KB, more than the small disk holds.
POEM = "A line of a long poem that will not fit on the small disk.\n" * 1700


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on a fresh 64 KiB tmpfs, unmounted after the test."""
    with small_tmpfs(tmp_path / "disk", mode="0755") as disk:
        yield disk


def save_poem_as(qtbot, window: MainWindow, target: Path) -> None:
    """As a person: Ctrl+S, choose ``target``, and say Yes when asked to replace it."""
    window.activateWindow()  # back from an earlier dialog: the keys go to the window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    window.table.selectRow(0)
    qtbot.keyClick(window.table, Qt.Key_S, Qt.ControlModifier)
    # The one open now: one closed before may wait for its deletion still.
    (dialog,) = [d for d in window.findChildren(QFileDialog, "savePoemDialog") if d.isVisible()]
    existed = target.exists()
    asked: list[str] = []

    def replace() -> None:
        # Qt asks before replacing a file, in a box of its own, from accept().
        box = dialog.findChild(QMessageBox)
        if box is not None and box.isVisible():
            asked.append(box.text())
            box.button(QMessageBox.Yes).click()
            confirm.stop()

    confirm = QTimer(dialog)
    confirm.timeout.connect(replace)
    confirm.start(20)
    dialog.selectFile(str(target))
    dialog.accept()
    confirm.stop()
    assert asked == (
        [f"{target.name} already exists.\nDo you want to replace it?"] if existed else []
    )


def told(qtbot, window: MainWindow) -> QMessageBox:
    """The message box the window opened to say something."""
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "messageBox") is not None, timeout=2000)
    return window.findChild(QMessageBox, "messageBox")


def downloaded(qtbot, window: MainWindow, servers) -> None:
    address = local(servers.bytes(POEM.encode()))
    window.add_servers([address], start=True)
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)


def test_saving_over_a_file_on_a_full_disk_leaves_that_file_as_it_was(
    qtbot, window, servers, small_disk
):
    old = small_disk / "old.txt"
    old.write_bytes(OLD)
    assert len(OLD) == 36
    downloaded(qtbot, window, servers)

    save_poem_as(qtbot, window, old)
    said = told(qtbot, window)

    assert said.windowTitle() == "Poem Not Saved"
    assert said.text() == f"Could not save {old}: No space left on device"
    assert old.read_bytes() == OLD
    assert os.listdir(small_disk) == ["old.txt"]  # no temporary file, no partial poem
    said.close()


def test_saving_under_a_new_name_on_a_full_disk_leaves_no_file(qtbot, window, servers, small_disk):
    downloaded(qtbot, window, servers)

    save_poem_as(qtbot, window, small_disk / "new.txt")
    said = told(qtbot, window)

    assert said.text() == f"Could not save {small_disk / 'new.txt'}: No space left on device"
    assert os.listdir(small_disk) == []
    said.close()


def test_a_poem_that_fits_is_saved_whole_with_a_new_file_s_mode(qtbot, window, servers, tmp_path):
    downloaded(qtbot, window, servers)
    poems = tmp_path / "poems"
    poems.mkdir()
    old = os.umask(0o022)
    try:
        target = poems / "poem.txt"
        target.write_bytes(OLD)
        target.chmod(0o640)
        save_poem_as(qtbot, window, target)
        assert window.statusBar().currentMessage() == f"Saved {target}"
        fresh = poems / "fresh.txt"
        save_poem_as(qtbot, window, fresh)
        assert window.statusBar().currentMessage() == f"Saved {fresh}"
    finally:
        os.umask(old)
    assert window.findChild(QMessageBox, "messageBox") is None  # nothing went wrong
    assert target.read_text(encoding="utf-8") == POEM
    assert fresh.read_text(encoding="utf-8") == POEM
    assert (target.stat().st_mode & 0o777, fresh.stat().st_mode & 0o777) == (0o640, 0o644)
    assert sorted(os.listdir(poems)) == ["fresh.txt", "poem.txt"]


def test_a_settings_file_linked_from_dotfiles_stays_a_link(qtbot, tmp_path, config_dir):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    kept = dotfiles / "settings.json"
    first = {"address": "127.0.0.1:10001", "encoding": "utf-8", "last_size": None, "title": ""}
    kept.write_text(json.dumps({"version": 1, "servers": [first]}), encoding="utf-8")
    config_dir.mkdir()
    link = config_dir / "settings.json"
    link.symlink_to(Path("..") / "dotfiles" / "settings.json")

    window = open_window(qtbot, config_dir)
    window.add_servers([Address("127.0.0.1", 10002)])
    saved = settings_on_disk(qtbot, window)
    window.close()

    assert [str(s.address) for s in saved.servers] == ["127.0.0.1:10001", "127.0.0.1:10002"]
    assert link.is_symlink() and os.readlink(link) == os.path.join(
        "..", "dotfiles", "settings.json"
    )
    servers = json.loads(kept.read_text(encoding="utf-8"))["servers"]
    assert [s["address"] for s in servers] == ["127.0.0.1:10001", "127.0.0.1:10002"]
    assert os.listdir(config_dir) == ["settings.json"]
    assert os.listdir(dotfiles) == ["settings.json"]
