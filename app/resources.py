"""Where the bundled files (poems, icons, desktop entry) are, installed or not.

A wheel carries the repository's ``resources/`` folder inside the package as
``app/data``; a source checkout has it beside ``app/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The folder holding ``poems/``, ``icons/`` and the desktop entry."""
    installed = _PACKAGE / "data"
    return installed if installed.is_dir() else _PACKAGE.parent / "resources"


def bundled_poems() -> list[Path]:
    """The bundled poem files, in name order."""
    return sorted((resources_dir() / "poems").glob("*.txt"))
