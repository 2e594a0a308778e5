"""Where the program keeps its files: the XDG base directories, as platformdirs names them.

The settings live in the config directory (:mod:`app.settings.store`), the
log in the state directory (:mod:`app.log`), the menu entry and icons in the
data directory (:mod:`app.startup.desktop_entry`) and the socket later
launches use in the runtime directory (:mod:`app.instance.socket_path`).
platformdirs knows the XDG rules; three of the program's own come on top:

- The XDG layout on every system, not each system's own (platformdirs'
  ``unix`` flavour, not ``PlatformDirs``): the program has always kept its
  settings in ``~/.config``, and settings that moved elsewhere after an
  upgrade would look lost. On Windows and macOS too, then: ``~`` is the
  user's profile or home folder, private to them, and nothing here needs
  more of the system than a home directory (the runtime directory is only
  a Linux desktop's, and nothing needs it: :mod:`app.instance.place`).
- A relative ``XDG_*`` value is ignored, as the XDG Base Directory
  specification says; platformdirs before 4.x took it as it stood, so such
  a value is answered with the specification's default here.
- No runtime directory is made up when ``XDG_RUNTIME_DIR`` names none.
  platformdirs would then guess one (``/run/user/<uid>``, or a folder it
  makes in the temporary directory, depending on its version); the socket
  has fallbacks of its own, in an order it checks itself.

Each function reads the environment when called, so a test or a child
process that changes it is followed.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs.unix import Unix

from app import APP_NAME

#: The XDG specification's default for each variable, under the home directory.
_SPEC_DEFAULTS = {
    "XDG_CONFIG_HOME": ".config",
    "XDG_STATE_HOME": ".local/state",
    "XDG_DATA_HOME": ".local/share",
}


def config_home() -> Path:
    """``$XDG_CONFIG_HOME``, or ``~/.config``."""
    return _home("XDG_CONFIG_HOME") or Path(Unix().user_config_dir)


def state_home() -> Path:
    """``$XDG_STATE_HOME``, or ``~/.local/state``."""
    return _home("XDG_STATE_HOME") or Path(Unix().user_state_dir)


def state_dir() -> Path:
    """The program's own state directory: its log, recovered settings, some locks."""
    return state_home() / APP_NAME


def data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share``."""
    return _home("XDG_DATA_HOME") or Path(Unix().user_data_dir)


def runtime_dir() -> Path | None:
    """``$XDG_RUNTIME_DIR``, or ``None`` when it is unset or relative."""
    value = os.environ.get("XDG_RUNTIME_DIR", "")
    return Path(value) if os.path.isabs(value) else None


def _home(variable: str) -> Path | None:
    """The specification's default if ``variable`` holds a relative path, else ``None``.

    ``None`` leaves the answer to platformdirs: the variable is unset, empty,
    or absolute, which it reads as the specification does.
    """
    value = os.environ.get(variable, "")
    if not value.strip() or os.path.isabs(value):
        return None
    return Path.home() / _SPEC_DEFAULTS[variable]
