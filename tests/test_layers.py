"""The layers hold: the core at the top of ``app/`` imports no Qt, and ``app.gui`` is all Qt.

Each core module is imported in a fresh interpreter, so what another test
imported first cannot hide a Qt import.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import app

CORE = sorted(
    info.name
    for info in pkgutil.walk_packages(app.__path__, "app.")
    if info.name.split(".")[1] not in ("gui", "__main__", "data")
)


def test_the_core_is_every_module_but_the_window_and_its_start_up():
    assert {"app.events", "app.downloads", "app.rows", "app.timeline", "app.settings"} <= set(CORE)


@pytest.mark.parametrize("module", CORE)
def test_a_core_module_imports_no_qt(module: str):
    code = (
        f"import sys, {module}\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PyQt5', 'qt5reactor'))\n"
        "print(','.join(qt))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"
