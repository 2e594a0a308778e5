"""Root pytest set-up: a QApplication must exist before pytest-twisted installs qt5reactor.

Without it qt5reactor makes a bare QCoreApplication and the first widget
aborts the process (DESIGN §8, trap 1). A ``tryfirst`` ``pytest_configure``
runs before pytest-twisted's own.
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
    from PyQt5.QtWidgets import QApplication

    if QApplication.instance() is None:
        config._poetry_qapp = QApplication(sys.argv[:1])  # kept alive for the whole run
