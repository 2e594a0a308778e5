"""Settings survive a restart, are written atomically, and a damaged file costs nothing."""

from __future__ import annotations

import json

import pytest
from PyQt5.QtWidgets import QMessageBox

from app.gui import MainWindow
from app.net.address import Address
from app.settings.store import FILE_NAME, load_settings
from tests.conftest import (
    ROOMY,
    cell,
    local,
    open_window,
    settings_on_disk,
    status,
    view_model,
)

# Every test ends with no reactor timer of its own still waiting.
pytestmark = pytest.mark.usefixtures("no_leftover_timers")


def test_servers_encodings_sizes_and_limit_survive_a_restart(qtbot, config_dir, servers):
    port, _ = servers.poetry(b"Remember me.\n")
    address = local(port)
    window = open_window(qtbot, config_dir)
    window.add_servers([address], start=True)
    window.add_servers([Address("example.org", 10007)], "latin-1")
    window.downloads.set_limit(7)
    window.splitter.setSizes([500, 100])
    qtbot.waitUntil(lambda: status(window, address) == "Done", timeout=5000)
    sizes = window.splitter.sizes()
    window.close()

    again = open_window(qtbot, config_dir)
    assert [cell(again, row, 0) for row in range(2)] == [str(address), "example.org:10007"]
    assert [row.encoding for row in again.model.rows] == ["utf-8", "iso8859-1"]
    assert [row.expected_size for row in again.model.rows] == [13, None]
    assert again.downloads.limit == 7
    assert again.splitter.sizes() == sizes
    again.close()


def test_server_list_is_saved_as_soon_as_it_changes(qtbot, window, config_dir):
    window.add_servers([Address("127.0.0.1", 10000)])
    assert window.saving_settings  # begun at once, written on a worker thread
    saved = settings_on_disk(qtbot, window, timeout=2000)
    assert [s.address for s in saved.servers] == [Address("127.0.0.1", 10000)]
    assert [p.name for p in config_dir.iterdir()] == [FILE_NAME]  # no temp file left


def test_demo_servers_are_not_saved(qtbot, window, config_dir):
    window.start_demo()
    window.save_settings()
    assert settings_on_disk(qtbot, window).servers == []


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\x00\xff\xfe binary junk \x89PNG",
        json.dumps({"servers": "127.0.0.1:10000"}).encode(),
        json.dumps({"servers": [{"address": "localhost:99999"}]}).encode(),
        json.dumps({"connection_limit": "fifty"}).encode(),
        json.dumps([1, 2, 3]).encode(),
    ],
    ids=["bad-json", "binary", "wrong-type", "bad-address", "bad-limit", "not-an-object"],
)
def test_corrupt_file_is_set_aside_and_defaults_used(qtbot, config_dir, content):
    config_dir.mkdir(parents=True)
    (config_dir / FILE_NAME).write_bytes(content)
    window = MainWindow(config_dir=config_dir)
    qtbot.addWidget(window)
    window.resize(*ROOMY)

    def boxes() -> list[QMessageBox]:
        return [b for b in window.findChildren(QMessageBox) if b.isVisible()]

    assert boxes() == []  # nothing opens before the window, to end up behind it
    window.show()
    aside = list(config_dir.glob(f"{FILE_NAME}.corrupt-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes() == content
    assert view_model(window).rowCount() == 0
    assert window.downloads.limit == 50
    qtbot.waitUntil(lambda: len(boxes()) == 1, timeout=1000)
    # The status bar says it in a few words, leaving room for the counts.
    assert window.statusBar().currentMessage() == (
        "Settings reset to defaults; the damaged file was kept"
    )
    (box,) = boxes()
    assert not box.isModal()
    assert "damaged" in box.text() and str(aside[0]) in box.text()
    window.close()
    _, message = load_settings(config_dir)  # the window wrote good settings back
    assert message is None
