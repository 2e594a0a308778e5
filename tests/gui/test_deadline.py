"""The whole-download deadline in the window: chosen in Preferences, kept in settings.json.

A person ticks "Give up on a download not complete after:", types the
seconds, presses OK; a slow server's row then ends Failed, and the failure
window says why ("gave up after 0.5 s") and what to do about it.
"""

from __future__ import annotations

import json

import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLabel,
    QListView,
    QPlainTextEdit,
)

from app.gui import MainWindow
from app.settings.store import FILE_NAME, load_settings
from tests import hostile
from tests.conftest import failure_dialog, local, open_window, row_of, settings_on_disk, status

pytestmark = pytest.mark.usefixtures("no_leftover_timers")

#: 40 bytes, one every 50 ms: about 2 s, never silent for long.
DRIP = {"payload": b"one drop, then another, then one more.\n", "gap": 0.05}


def preferences(window: MainWindow) -> QDialog:
    """The Preferences dialog just opened (one closed earlier may not be deleted yet)."""
    window.commands.preferences.trigger()
    shown = [d for d in window.findChildren(QDialog, "preferencesDialog") if d.isVisible()]
    assert len(shown) == 1
    return shown[0]


def choose_max_time(qtbot, window: MainWindow, seconds: str | None) -> None:
    """As a person does it: tick (or untick) the box, type the seconds, press OK."""
    dialog = preferences(window)
    check = dialog.findChild(QCheckBox, "maxTimeCheck")
    spin = dialog.findChild(QDoubleSpinBox, "maxTimeSpin")
    if check.isChecked() != (seconds is not None):
        qtbot.mouseClick(check, Qt.LeftButton, pos=check.rect().center())
    assert spin.isEnabled() == (seconds is not None)
    if seconds is not None:
        spin.lineEdit().selectAll()
        qtbot.keyClicks(spin.lineEdit(), seconds)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok)
    qtbot.mouseClick(ok, Qt.LeftButton)


def failure_entries(window: MainWindow) -> list[str]:
    model = failure_dialog(window).findChild(QListView, "failureList").model()
    return [model.index(n, 0).data() for n in range(model.rowCount())]


def test_the_deadline_is_off_until_chosen(qtbot, window):
    dialog = preferences(window)

    assert not dialog.findChild(QCheckBox, "maxTimeCheck").isChecked()
    assert not dialog.findChild(QDoubleSpinBox, "maxTimeSpin").isEnabled()
    assert window.downloads.max_time is None
    dialog.reject()


def test_a_deadline_chosen_in_preferences_fails_a_slow_download_saying_why(qtbot, window, servers):
    slow = local(servers.hostile(hostile.Drip, **DRIP))

    choose_max_time(qtbot, window, "0.5")
    window.add_servers([slow], start=True)

    qtbot.waitUntil(lambda: status(window, slow) == "Failed", timeout=5000)
    qtbot.waitUntil(lambda: len(failure_entries(window)) == 1, timeout=5000)
    assert "gave up after 0.5 s" in failure_entries(window)[0]
    hint = failure_dialog(window).findChild(QLabel, "failureHint").text()
    assert "reached its limit of 0.5 s" in hint
    assert "Preferences" in hint
    assert settings_on_disk(qtbot, window).max_time == 0.5
    # The Story draws the deadline's level of the Deferred, and the errback that got its reason.
    window.table.selectRow(row_of(window, slow))
    window.reading.setCurrentIndex(1)
    story = window.findChild(QPlainTextEdit, "rowDetails").toPlainText()
    assert "addTimeout" in story
    assert "DeadlineError" in story


def test_the_deadline_applies_to_downloads_started_after_ok(qtbot, window, servers):
    # 20 bytes at 50 ms: about 1 s, twice the deadline chosen while it runs.
    slow = local(servers.hostile(hostile.Drip, payload=b"slow but it arrives\n", gap=0.05))
    window.add_servers([slow], start=True)
    qtbot.waitUntil(lambda: status(window, slow) == "Downloading", timeout=5000)

    choose_max_time(qtbot, window, "0.5")

    qtbot.waitUntil(lambda: status(window, slow) in ("Done", "Failed"), timeout=5000)
    assert status(window, slow) == "Done"


def test_the_deadline_is_remembered_and_can_be_switched_off(qtbot, window, config_dir):
    choose_max_time(qtbot, window, "12.5")
    assert settings_on_disk(qtbot, window).max_time == 12.5
    window.close()

    again = open_window(qtbot, config_dir)
    dialog = preferences(again)
    assert dialog.findChild(QCheckBox, "maxTimeCheck").isChecked()
    assert dialog.findChild(QDoubleSpinBox, "maxTimeSpin").value() == 12.5
    assert again.downloads.max_time == 12.5
    dialog.reject()

    choose_max_time(qtbot, again, None)
    assert again.downloads.max_time is None
    assert settings_on_disk(qtbot, again).max_time is None
    again.close()


@pytest.mark.parametrize("value", ["soon", 0, -3, True, None, [5], 10**9])
def test_an_unreadable_deadline_in_the_file_means_off_and_keeps_the_rest(config_dir, value):
    config_dir.mkdir(parents=True)
    saved = {
        "version": 1,
        "servers": [{"address": "127.0.0.1:10001", "encoding": "gb18030", "last_size": 612}],
        "connection_limit": 7,
        "max_time": value,
    }
    (config_dir / FILE_NAME).write_text(json.dumps(saved), encoding="utf-8")

    settings, message = load_settings(config_dir)

    assert message is None
    assert settings.max_time is None
    assert settings.connection_limit == 7
    assert [(str(s.address), s.encoding) for s in settings.servers] == [
        ("127.0.0.1:10001", "gb18030")
    ]
