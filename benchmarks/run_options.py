"""What every benchmark is told: quick or full, how many runs, where to put its files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunOptions:
    """``quick`` means tiny sizes and one run: enough to prove the code still works."""

    quick: bool
    runs: int
    workdir: Path
