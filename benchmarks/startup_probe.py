"""Times the real ``python -m app`` from process start, without changing the app.

Run as ``python -m benchmarks.startup_probe APP-ARGS...`` with
``POETRY_BENCH_T0`` set to the parent's ``time.monotonic()`` just before it
started this process (CLOCK_MONOTONIC is one clock for every process).
The app runs exactly as ``python -m app`` would, same import order; an
import hook only adds observers once ``app.gui.window`` and ``app.net.client``
are imported:

* ``shown``: the main window's ``Show`` event;
* ``painted``: the event loop's first turn after the window's first ``Paint``
  (the first frame is drawn, the state a user sees);
* ``first_byte``: the first byte any download receives (from a demo server
  with ``--demo``).

Then it closes the window (the app's own quit path) and prints the marks,
in seconds since ``POETRY_BENCH_T0``.
"""

from __future__ import annotations

import os
import runpy
import sys
import time
from collections.abc import Callable
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType
from typing import Any

T0 = float(os.environ.get("POETRY_BENCH_T0", time.monotonic()))
marks: dict[str, float] = {"interpreter": time.monotonic() - T0}
window: Any = None


def _mark(name: str) -> None:
    if name not in marks:
        marks[name] = time.monotonic() - T0
    if "painted" in marks and "first_byte" in marks and window is not None:
        from PyQt5.QtCore import QTimer

        QTimer.singleShot(0, window.close)


class _AfterImport(MetaPathFinder):
    """Runs a function on a module right after it is first imported, whenever that is."""

    def __init__(self, patches: dict[str, Callable[[ModuleType], None]]) -> None:
        self.patches = patches

    def find_spec(self, name: str, path: Any, target: Any = None) -> ModuleSpec | None:
        patch = self.patches.pop(name, None)
        if patch is None:
            return None
        spec = PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            patch(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _observe_window(module: ModuleType) -> None:
    from PyQt5.QtCore import QEvent, QObject, QTimer
    from PyQt5.QtWidgets import QApplication

    marks["gui_imported"] = time.monotonic() - T0
    main_window = module.MainWindow
    original_event = main_window.event

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Paint:
                QApplication.instance().removeEventFilter(self)
                QTimer.singleShot(0, lambda: _mark("painted"))
            return False

    first_paint = FirstPaint()

    def event(self: Any, e: QEvent) -> bool:
        global window
        if e.type() == QEvent.Show and window is None:
            window = self
            _mark("shown")
            QApplication.instance().installEventFilter(first_paint)
        return original_event(self, e)

    main_window.event = event


def _observe_client(module: ModuleType) -> None:
    protocol = module.PoetryProtocol
    original = protocol.dataReceived

    def data_received(self: Any, data: bytes) -> None:
        _mark("first_byte")
        original(self, data)

    protocol.dataReceived = data_received


def main() -> None:
    sys.meta_path.insert(
        0, _AfterImport({"app.gui.window": _observe_window, "app.net.client": _observe_client})
    )
    sys.argv = ["app", *sys.argv[1:]]
    try:
        runpy.run_module("app", run_name="__main__", alter_sys=True)
    except SystemExit as e:
        marks["exit_status"] = e.code if isinstance(e.code, int) else 1
    from benchmarks.measure import report_result

    report_result(marks)


if __name__ == "__main__":
    main()
