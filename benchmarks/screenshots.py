"""Regenerate the README's timeline screenshots: ``python -m benchmarks.screenshots``.

Three embedded demo servers (one breaks off on purpose), downloaded with
Start All once all at once and once one at a time. After each batch the
window is grabbed; the two timeline docks are then set side by side.
Run it with ``QT_QPA_PLATFORM=offscreen`` to need no screen. Writes:

- ``resources/screenshots/timeline-reactor.png``
- ``resources/screenshots/timeline-one-at-a-time.png``
- ``resources/screenshots/timeline-modes.png``
- ``resources/screenshots/main-window.png``: the README's first picture, a
  first start with every bundled poem's demo server, taken mid-download.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.window import install_qt_reactor

if TYPE_CHECKING:
    from PyQt5.QtGui import QPixmap

    from app.gui import MainWindow

OUT = Path(__file__).resolve().parents[1] / "resources" / "screenshots"
#: Three poems at three paces; the demo makes the last one break off partway.
POEMS = ("ozymandias.txt", "daffodils.txt", "the-tyger.txt")
WINDOW_SIZE = (1280, 540)
DOCK_WIDTH = 440
#: The window's height while the dock alone is grabbed: room for three lanes, not thirty.
DOCK_SHOT_HEIGHT = 330


#: When the first-start picture is taken: some poems done, some still coming.
FIRST_START_SHOT_AFTER = 3.8


async def take_first_start(config_dir: Path) -> None:
    """A first start as a new user sees it: every demo server, downloading at once."""
    from twisted.internet import reactor, task

    from app.gui import MainWindow

    window = MainWindow(config_dir=config_dir)
    window.resize(1280, 720)
    window.show()
    try:
        window.start_demo()
        await task.deferLater(reactor, 0.5)
        window.table.selectRow(2)  # an English poem: this machine has no CJK font
        await task.deferLater(reactor, FIRST_START_SHOT_AFTER - 0.5)
        window.grab().save(str(OUT / "main-window.png"))
    finally:
        window.close()


async def take(config_dir: Path) -> None:
    from PyQt5.QtCore import Qt

    from app.gui import MainWindow
    from app.resources import resources_dir

    window = MainWindow(config_dir=config_dir)
    window.resize(*WINDOW_SIZE)
    window.resizeDocks([window.timeline_dock], [DOCK_WIDTH], Qt.Horizontal)
    window.show()
    try:
        window.demo.start([resources_dir() / "poems" / name for name in POEMS])
        window.start_demo()  # a first batch, as a first start does; then the two measured ones
        await batch_done(window)
        window.table.selectRow(1)
        # One at a time first: its span is the scale both docks are drawn at, side by side.
        docks = []
        for action, name in (
            (window.commands.mode_one_at_a_time, "timeline-one-at-a-time.png"),
            (window.commands.mode_reactor, "timeline-reactor.png"),
        ):
            action.trigger()
            window.commands.start_all.trigger()
            await batch_done(window)
            window.grab().save(str(OUT / name))
            docks.append(await dock_shot(window, docks[0][1] if docks else None))
        side_by_side([docks[1][0], docks[0][0]]).save(str(OUT / "timeline-modes.png"))
    finally:
        window.close()


async def batch_done(window: MainWindow) -> None:
    """Wait for the batch to end and the dock to show its summary (the next refresh tick)."""
    from twisted.internet import reactor, task

    timeline = window.timeline
    while timeline.running or timeline.last_summary is None:
        await task.deferLater(reactor, 0.05)
    await task.deferLater(reactor, 0.3)


async def dock_shot(window: MainWindow, span: float | None) -> tuple[QPixmap, float]:
    """The timeline dock at ``span`` seconds wide (fitted if None), shorter than the window.

    Returns the picture and the span it shows; the window is left as it was.
    """
    from twisted.internet import reactor, task

    view = window.timeline_dock.view
    if span is not None:
        view.show_span(0.0, span)
    window.resize(WINDOW_SIZE[0], DOCK_SHOT_HEIGHT)
    await task.deferLater(reactor, 0.2)
    shot = window.timeline_dock.grab(), view.visible_span()[1]
    view.fit()
    window.resize(*WINDOW_SIZE)
    await task.deferLater(reactor, 0.2)
    return shot


def side_by_side(shots: list[QPixmap]) -> QPixmap:
    from PyQt5.QtCore import QRect
    from PyQt5.QtGui import QPainter, QPixmap
    from PyQt5.QtWidgets import QApplication

    gap = 12
    width = sum(shot.width() for shot in shots) + gap * (len(shots) + 1)
    height = max(shot.height() for shot in shots) + gap * 2
    canvas = QPixmap(width, height)
    canvas.fill(QApplication.palette().window().color())
    painter = QPainter(canvas)
    x = gap
    for shot in shots:
        painter.setPen(QApplication.palette().mid().color())
        painter.drawRect(QRect(x - 1, gap - 1, shot.width() + 1, shot.height() + 1))
        painter.drawPixmap(x, gap, shot)
        x += shot.width() + gap
    painter.end()
    return canvas


def main() -> int:
    install_qt_reactor()
    from twisted.internet import defer, reactor

    failures: list[object] = []

    config = tempfile.TemporaryDirectory(prefix="screenshots-")

    def run() -> None:
        async def both() -> None:
            await take_first_start(Path(config.name) / "first")
            await take(Path(config.name) / "modes")

        d = defer.ensureDeferred(both())
        d.addErrback(failures.append)
        d.addBoth(lambda _: reactor.callLater(0, reactor.stop))

    OUT.mkdir(parents=True, exist_ok=True)
    reactor.callWhenRunning(run)
    reactor.run()
    config.cleanup()
    for failure in failures:
        failure.printTraceback()
    if not failures:
        print(f"Wrote the screenshots in {OUT}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
