"""Root pytest set-up: a QApplication, then the program's qt5reactor, before pytest-twisted.

Without the QApplication qt5reactor makes a bare QCoreApplication and the
first widget aborts the process (ARCHITECTURE.md, the reactor integration's
traps). The reactor is ``app.gui.reactor.qt_reactor``'s subclass of qt5reactor's,
the one the program runs on. A ``tryfirst`` ``pytest_configure`` runs
before pytest-twisted's own.
"""

from __future__ import annotations

import os
import sys
import tempfile

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/runtime-{os.getuid()}")
    os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    # Windows started as processes by the tests log there, not in the user's state dir.
    config._poetry_state = tempfile.TemporaryDirectory(prefix="poetry-state-")
    os.environ["XDG_STATE_HOME"] = config._poetry_state.name
    # And one started without --config-dir never locks the user's own settings
    # directory, nor hands its addresses to the user's own open window.
    config._poetry_config = tempfile.TemporaryDirectory(prefix="poetry-config-")
    os.environ["XDG_CONFIG_HOME"] = config._poetry_config.name
    # A window that cannot start says so in a desktop notification: never on
    # the desktop of whoever runs the tests (a test that wants a bus starts one).
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={config._poetry_state.name}/no-bus"
    from PyQt5.QtCore import Qt
    from PyQt5.QtWidgets import QApplication

    if QApplication.instance() is None:
        QApplication.setAttribute(Qt.AA_UseHighDpiPixmaps)  # as the program does
        config._poetry_qapp = QApplication(sys.argv[:1])  # kept alive for the whole run
    if config.getoption("reactor", None) == "qt5reactor":
        # The program's own QtReactor subclass; pytest-twisted then finds a
        # qt5reactor already installed and runs every test on it.
        from app.gui.reactor import qt_reactor

        qt_reactor.install()
