"""A bare system to run the bundle in: no virtual environment, ``PATH=/usr/bin:/bin``.

The bundle is for machines without a Python set-up, so its checks run it
with an environment built from nothing rather than inherited: no
``VIRTUAL_ENV``, ``PYTHONPATH`` or ``LD_LIBRARY_PATH`` from the developer's
shell can help it, and its home (settings, log, desktop entry) is a
throw-away folder.
"""

from __future__ import annotations

from pathlib import Path

BARE_PATH = "/usr/bin:/bin"


def bare_env(home: Path, **extra: str) -> dict[str, str]:
    """``PATH``, ``HOME`` and the XDG folders under ``home``, plus ``extra`` (``DISPLAY``…)."""
    return {
        "PATH": BARE_PATH,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        **extra,
    }
