"""What every benchmark is told: quick or full, how many runs, where to put its files and charts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunOptions:
    """``quick`` means tiny sizes and one run: enough to prove the code still works.

    ``charts`` is the folder for PNG charts (None: draw none); ``counts``
    replaces the scale benchmark's numbers of connections; ``reactor_dock`` adds
    to it a run of the window with its reactor dock open (every turn recorded).
    """

    quick: bool
    runs: int
    workdir: Path
    charts: Path | None = None
    counts: tuple[int, ...] | None = None
    reactor_dock: bool = False
