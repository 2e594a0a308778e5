"""The Demo Server Pace dialog: a learner slows one demo server down and watches it stretch.

Every test runs the real demo servers (the bundled poems on 127.0.0.1) and
downloads from them with ``get_poetry`` while a person's hands set the spin
boxes and press the dialog's buttons.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLabel,
    QPushButton,
    QSpinBox,
)

from app.downloads.demo import DemoServer, DemoServers
from app.gui.dialogs.demo_pace import HINT, DemoPaceDialog
from app.net.client import get_poetry
from app.net.poem import Poem

pytestmark = pytest.mark.usefixtures("no_leftover_timers")


@pytest.fixture
def open_dialog(qtbot, demo):
    def open_it() -> DemoPaceDialog:
        dialog = DemoPaceDialog(demo)
        qtbot.addWidget(dialog)
        dialog.open()
        qtbot.waitExposed(dialog)
        return dialog

    return open_it


def server(demo: DemoServers, name: str) -> DemoServer:
    [found] = [s for s in demo.servers if s.poem_name == name]
    return found


def set_pace(
    qtbot, dialog: DemoPaceDialog, server: DemoServer, delay: float, num_bytes: int
) -> None:
    """Type a pace into the server's two spin boxes, as a person would."""
    port = server.address.port
    delay_spin = dialog.findChild(QDoubleSpinBox, f"paceDelay-{port}")
    bytes_spin = dialog.findChild(QSpinBox, f"paceBytes-{port}")
    for spin, text in ((delay_spin, f"{delay:.2f}"), (bytes_spin, str(num_bytes))):
        spin.setFocus()
        spin.selectAll()
        qtbot.keyClicks(spin, text)
        qtbot.keyClick(spin, Qt.Key_Tab)
    assert (delay_spin.value(), bytes_spin.value()) == (delay, num_bytes)


def button(dialog: DemoPaceDialog, which: QDialogButtonBox.StandardButton) -> QPushButton:
    return dialog.findChild(QDialogButtonBox).button(which)


def text_of(dialog: DemoPaceDialog, name: str) -> str:
    return dialog.findChild(QLabel, name).text()


@dataclass
class Download:
    """One ``get_poetry`` from a demo server, with the bytes seen so far and when it ended."""

    server: DemoServer
    started: float = field(default_factory=time.monotonic)
    received: int = 0
    result: Poem | None = None
    ended: float | None = None

    def __post_init__(self) -> None:
        address = self.server.address
        d = get_poetry(address.host, address.port, idle_timeout=10, progress=self._progress)
        d.addBoth(self._end)

    def _progress(self, received: int) -> None:
        self.received = received

    def _end(self, result: object) -> None:
        self.result, self.ended = result, time.monotonic()

    @property
    def elapsed(self) -> float:
        assert self.ended is not None
        return self.ended - self.started


def test_the_dialog_lists_each_running_demo_server_with_its_pace(qtbot, demo, open_dialog):
    dialog = open_dialog()

    assert dialog.objectName() == "demoPaceDialog"
    assert dialog.isVisible() and not dialog.isModal()
    assert QApplication.activeModalWidget() is None
    assert text_of(dialog, "paceHint") == HINT
    for s in demo.servers:
        port = s.address.port
        label = text_of(dialog, f"paceServer-{port}")
        assert s.poem_name in label and str(s.address) in label
        assert ("breaks off" in label) == s.fails
        delay_spin = dialog.findChild(QDoubleSpinBox, f"paceDelay-{port}")
        bytes_spin = dialog.findChild(QSpinBox, f"paceBytes-{port}")
        assert (delay_spin.value(), bytes_spin.value()) == s.pace
        assert text_of(dialog, f"paceEstimate-{port}").startswith("≈ ")
    assert not button(dialog, QDialogButtonBox.Apply).isEnabled()


def test_a_change_shows_its_download_time_and_waits_for_apply(qtbot, demo, open_dialog):
    daffodils = server(demo, "daffodils")  # 869 bytes, 40 every 0.1 s: 22 writes
    before = daffodils.pace
    dialog = open_dialog()
    estimate = f"paceEstimate-{daffodils.address.port}"
    assert text_of(dialog, estimate) == "≈ 2.2 s"

    set_pace(qtbot, dialog, daffodils, 0.5, 10)  # 87 writes

    assert text_of(dialog, estimate) == "≈ 44 s"
    assert daffodils.pace == before, "applied before Apply"
    apply = button(dialog, QDialogButtonBox.Apply)
    assert apply.isEnabled()
    qtbot.mouseClick(apply, Qt.LeftButton)
    assert daffodils.pace == (0.5, 10)
    assert "daffodils" in text_of(dialog, "paceStatus")
    assert not apply.isEnabled()
    set_pace(qtbot, dialog, daffodils, 0, 10)
    assert text_of(dialog, estimate) == "full speed"
    qtbot.mouseClick(button(dialog, QDialogButtonBox.Close), Qt.LeftButton)
    assert not dialog.isVisible()
    assert daffodils.pace == (0.5, 10), "Close applied an unapplied change"


def test_slowing_one_server_stretches_its_download_and_no_other(qtbot, demo, open_dialog):
    daffodils = server(demo, "daffodils")  # 869 bytes
    ozymandias = server(demo, "ozymandias")  # 669 bytes
    dialog = open_dialog()
    set_pace(qtbot, dialog, daffodils, 0.02, 32)  # 28 writes: 0.56 s
    set_pace(qtbot, dialog, ozymandias, 0.02, 32)  # 21 writes: 0.42 s
    qtbot.mouseClick(button(dialog, QDialogButtonBox.Apply), Qt.LeftButton)
    slowed, steady = Download(daffodils), Download(ozymandias)
    qtbot.waitUntil(lambda: slowed.received >= 96, timeout=5000)

    set_pace(qtbot, dialog, daffodils, 0.05, 16)
    qtbot.mouseClick(button(dialog, QDialogButtonBox.Apply), Qt.LeftButton)
    received_then = slowed.received
    qtbot.waitUntil(lambda: slowed.ended is not None and steady.ended is not None, timeout=15_000)

    # What was left, less a write perhaps on its way, at 16 bytes every 0.05 s.
    writes_left = (daffodils.poem_size - received_then - 32) // 16
    print(
        f"daffodils slowed after {received_then} bytes: {slowed.elapsed:.2f} s "
        f"(0.56 s at its first pace); ozymandias: {steady.elapsed:.2f} s (0.42 s at its pace)"
    )
    assert isinstance(slowed.result, Poem) and isinstance(steady.result, Poem)
    assert slowed.result.size == daffodils.poem_size
    assert steady.result.size == ozymandias.poem_size
    assert slowed.elapsed >= writes_left * 0.05 * 0.9
    assert steady.elapsed < 1.0, "the other server's download was held up"


def test_ok_with_full_speed_finishes_a_crawling_download_at_once(qtbot, demo, open_dialog):
    dover = server(demo, "dover-beach")  # 1423 bytes
    dialog = open_dialog()
    set_pace(qtbot, dialog, dover, 0.5, 8)  # 178 writes: 89 s
    qtbot.mouseClick(button(dialog, QDialogButtonBox.Apply), Qt.LeftButton)
    crawling = Download(dover)
    qtbot.waitUntil(lambda: crawling.received > 0, timeout=5000)

    set_pace(qtbot, dialog, dover, 0, 8)
    sped_up_at = time.monotonic()
    qtbot.mouseClick(button(dialog, QDialogButtonBox.Ok), Qt.LeftButton)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: crawling.ended is not None, timeout=5000)

    print(f"dover-beach sped up to full speed: the rest took {crawling.ended - sped_up_at:.3f} s")
    assert isinstance(crawling.result, Poem) and crawling.result.size == dover.poem_size
    assert crawling.ended - sped_up_at < 0.4


def test_with_no_demo_servers_it_says_so_and_offers_nothing_to_edit(qtbot):
    dialog = DemoPaceDialog(DemoServers())
    qtbot.addWidget(dialog)
    dialog.open()

    assert dialog.isVisible()
    assert "No demo servers are running" in text_of(dialog, "paceNoServers")
    assert dialog.findChildren(QAbstractSpinBox) == []
    buttons = dialog.findChild(QDialogButtonBox)
    assert [b.text().replace("&", "") for b in buttons.buttons()] == ["Close"]
    qtbot.mouseClick(buttons.buttons()[0], Qt.LeftButton)
    assert not dialog.isVisible()


def test_applying_to_a_stopped_demo_server_says_it_is_no_longer_running(qtbot, demo, open_dialog):
    jingyesi = server(demo, "jingyesi")
    dialog = open_dialog()
    stopping = demo.stop()
    qtbot.waitUntil(lambda: stopping.called, timeout=2000)

    set_pace(qtbot, dialog, jingyesi, 1.0, 1)
    qtbot.mouseClick(button(dialog, QDialogButtonBox.Apply), Qt.LeftButton)

    assert text_of(dialog, "paceStatus") == "No longer running: jingyesi."
    assert dialog.isVisible()


def test_opened_as_the_window_opens_dialogs_it_leaves_the_window_usable(qtbot, window):
    window.start_demo()
    dialog = DemoPaceDialog(window.demo, window)
    window.open_dialog(dialog)
    qtbot.waitExposed(dialog)

    assert dialog.isVisible() and dialog.windowModality() == Qt.NonModal
    assert QApplication.activeModalWidget() is None
    assert window.isEnabled() and window.commands.add_servers.isEnabled()
    assert len(dialog.findChildren(QDoubleSpinBox)) == len(window.demo.servers)
