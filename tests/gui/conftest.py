"""Fixtures for the window's tests: a window on a fresh config dir, and ways to read it.

Servers come from the shared ``servers`` fixture (``tests/conftest.py``),
which closes them after the test; every window is closed here, which
cancels its downloads. ``qtbot.waitUntil``
spins the Qt loop, and with it the qt5reactor, so the network runs while
a test waits.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PyQt5 import sip
from PyQt5.QtCore import QAbstractItemModel, Qt

from app.address import Address
from app.gui import MainWindow
from tests.conftest import pending_calls

LOCALHOST = "127.0.0.1"


def local(port: int) -> Address:
    """The address of a test server (the shared ``servers`` fixture hands out ports)."""
    return Address(LOCALHOST, port)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "config"


@pytest.fixture
def window(qtbot, config_dir: Path) -> Iterator[MainWindow]:
    """A shown window; afterwards closed, and the connections it closed given time to wind down."""
    timers_before = pending_calls()
    win = MainWindow(config_dir=config_dir)
    qtbot.addWidget(win)
    win.show()
    yield win
    if not sip.isdeleted(win):
        win.close()
    # Aborted connections finish closing on the next reactor turns (both ends
    # of a demo server's connections live in this process).
    qtbot.waitUntil(lambda: not pending_calls() - timers_before, timeout=2000)


def view_model(window: MainWindow) -> QAbstractItemModel:
    """The model as automation sees it: through the table view."""
    return window.findChild(type(window.table), "serverTable").model()


def cell(window: MainWindow, row: int, column: int, role: int = Qt.DisplayRole) -> object:
    model = view_model(window)
    return model.data(model.index(row, column), role)


def row_of(window: MainWindow, address: Address) -> int:
    model = view_model(window)
    for row in range(model.rowCount()):
        if cell(window, row, 0) == str(address):
            return row
    raise LookupError(f"{address} is not in the table")


def status(window: MainWindow, address: Address) -> str:
    return str(cell(window, row_of(window, address), 1))


def statuses(window: MainWindow) -> list[str]:
    return [str(cell(window, row, 1)) for row in range(view_model(window).rowCount())]
