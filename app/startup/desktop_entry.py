"""Desktop integration: install the ``.desktop`` entry and icon for this install.

``poetry-downloader --install-desktop-entry`` calls
:func:`install_desktop_entry` so that the app appears in the desktop's
application menu and starts with a double-click. The entry must launch *this*
install (a virtualenv is not on the menu's ``PATH``), so its ``Exec=`` names an
absolute path, and that path may contain spaces or other characters the
Desktop Entry specification reserves; :func:`quote_exec_argument` applies the
specification's quoting so the path survives the launcher's parsing intact.

Nothing here imports Qt: installing an entry must work without a display.

Desktop entries are the freedesktop.org desktops' (GNOME, KDE, Xfce...: Linux
and the BSDs). Windows and macOS read none: there the install is refused in
one line that says what to do instead (:class:`NoDesktopEntries`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

from app import APP_NAME, platform
from app.atomic_file import write_atomically
from app.i18n import _
from app.places import data_home
from app.resources import resources_dir

#: The freedesktop application id: names the ``.desktop`` file and the icon.
APP_ID = APP_NAME
DESKTOP_FILE_NAME = f"{APP_ID}.desktop"
#: The group of a desktop entry file that holds the entry's keys.
ENTRY_GROUP = "Desktop Entry"  # untranslated: a name the Desktop Entry format defines

# Desktop Entry spec, "The Exec key": an argument containing any of these must
# be quoted.
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
# Inside a quoted argument these are escaped with a backslash.
_ESCAPED_IN_QUOTES = frozenset('"`$\\')
# String-level escapes of the spec's "string" value type (applied last when
# writing, so first when a reader parses).
_STRING_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def quote_exec_argument(arg: str) -> str:
    """One argument as it must appear in an ``Exec=`` command line.

    Arguments with reserved characters (space, quotes, ``$``, ``\\`` …) are
    enclosed in double quotes, with ``"``, backtick, ``$`` and ``\\`` escaped
    by a backslash; an empty argument becomes ``""`` so it is not lost.
    Arguments with other whitespace or control characters are quoted too (the
    spec allows quoting any argument): readers strip whitespace from the ends
    of a value, which would otherwise eat the end of a last argument. A
    literal ``%`` is doubled everywhere, because a single one would start a
    field code (``%f``, ``%u`` …) that the launcher expands. The result still
    needs the string-level escaping that :func:`desktop_entry_text` applies
    to the whole value.
    """
    if "\0" in arg:
        raise ValueError(_("a command-line argument cannot contain a NUL character"))
    if arg and not any(ch in _RESERVED or not ch.isprintable() for ch in arg):
        return arg.replace("%", "%%")
    body = "".join("\\" + ch if ch in _ESCAPED_IN_QUOTES else ch for ch in arg)
    return '"' + body.replace("%", "%%") + '"'


def _escape_string(value: str) -> str:
    """Apply the spec's string-type escapes (``\\\\``, ``\\n``, ``\\t``, ``\\r``).

    A reader undoes these before it parses ``Exec`` quoting, which is why a
    literal backslash in a quoted argument ends up as four in the file.
    """
    escaped = "".join(_STRING_ESCAPES.get(ch, ch) for ch in value)
    # A leading space would be stripped by readers; the spec spells it \s.
    return "\\s" + escaped[1:] if escaped.startswith(" ") else escaped


def _check_utf8(argv: Iterable[str]) -> None:
    """Refuse arguments that cannot be written: desktop entries are UTF-8.

    A path with undecodable bytes arrives as a str holding surrogates; writing
    it would fail later with a less helpful error.
    """
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                _("{argument} is not valid UTF-8 and cannot be written in a desktop entry").format(
                    argument=repr(arg)
                )
            ) from None


# Runs its first argument with the rest: `sh -c SCRIPT PROGRAM ARGS...`.
SH_EXEC_WRAPPER = ("/bin/sh", "-c", 'exec "$0" "$@"')


def _launchable_argv(argv: list[str]) -> list[str]:
    """``argv``, or ``argv`` run through ``/bin/sh`` when the program has a ``%``.

    The spec's ``%%`` is the only way to write a literal ``%``, but GLib
    (GNOME, Xfce …) checks that ``Exec``'s program exists *before* expanding
    ``%%``, finds no ``…/100%%/poetry-downloader`` and drops the whole entry.
    Moving the path out of the program position sidesteps that check; the
    launcher still expands ``%%`` in arguments as the spec says. ``sh`` is
    used rather than ``env`` because ``env`` would take a path containing
    ``=`` for a variable assignment.
    """
    if "%" in argv[0]:
        return [*SH_EXEC_WRAPPER, *argv]
    return list(argv)


def desktop_entry_text(exec_argv: list[str]) -> str:
    """The desktop entry for a launcher running ``exec_argv``.

    Built from the template ``resources/poetry-downloader.desktop``, so the
    names, categories and keywords are kept in one place, with its ``Exec=``
    and ``TryExec=`` lines replaced. ``TryExec`` names the program itself, so
    the menu hides the entry once that install is deleted rather than showing
    an entry that fails to start. A program path containing ``%`` is started
    through ``/bin/sh`` (see :func:`_launchable_argv`).
    """
    if not exec_argv:
        raise ValueError("exec_argv must name a program")  # untranslated: a programmer's mistake
    _check_utf8(exec_argv)
    exec_value = _escape_string(
        " ".join(quote_exec_argument(a) for a in _launchable_argv(exec_argv))
    )
    replacements = {
        "Exec": exec_value,  # untranslated: the keys of the Desktop Entry format
        "TryExec": _escape_string(exec_argv[0]),
    }

    template = (resources_dir() / DESKTOP_FILE_NAME).read_text(encoding="utf-8")
    lines: list[str] = []
    group = ""
    seen: set[str] = set()
    for line in template.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            group = stripped[1:-1]
        elif group == ENTRY_GROUP and "=" in line and not stripped.startswith("#"):
            key = line.split("=", 1)[0].strip()
            if key in replacements:
                line = f"{key}={replacements[key]}"
                seen.add(key)
        lines.append(line)
    if "Exec" not in seen:  # untranslated: a key of the format
        raise ValueError(  # untranslated: a broken install, said to whoever packaged it
            f"the template {DESKTOP_FILE_NAME} has no Exec= key to fill in"
        )
    return "\n".join(lines) + "\n"


def default_exec_argv() -> list[str]:
    """The command that starts this install of the app.

    Prefer the ``poetry-downloader`` script installed beside the running
    interpreter (a virtualenv's or a ``pip --user`` bin directory). Without it
    (a bare source checkout) fall back to ``python -m app`` with this very
    interpreter. ``sys.executable`` is deliberately not resolved: inside a
    virtualenv it is a symlink, and following it would escape the venv and
    lose its packages.

    In the one-folder bundle (``sys.frozen``) ``sys.executable`` is the
    bundle's own executable, not a Python that could run ``-m app``: the
    entry names the bundle's ``poetry-downloader`` (whichever of its names,
    ``poetry-get`` …, was used to install), or the executable itself if it
    was renamed, since any name but the command lines' opens the window.
    """
    executable = os.path.abspath(sys.executable)
    script = Path(executable).parent / APP_ID
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    if getattr(sys, "frozen", False):
        return [executable]
    return [executable, "-m", "app"]


def default_data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when unset.

    The XDG Base Directory spec says a relative value is invalid and must be
    ignored, so it is.
    """
    return data_home()


def icon_files() -> dict[str, Path]:
    """The bundled icon files, keyed by hicolor size directory.

    ``"scalable"`` maps to the SVG, ``"<n>x<n>"`` to each rendered PNG. The
    window can build its ``QIcon`` from the same files the menu uses.
    """
    icons = resources_dir() / "icons"
    found = {"scalable": icons / f"{APP_ID}.svg"}
    for png in sorted((icons / "hicolor").glob(f"*/apps/{APP_ID}.png")):
        found[png.parent.parent.name] = png
    return found


def _write_public(path: Path, data: bytes) -> None:
    """Write atomically: the menu watches ``applications/`` and may read the
    entry the moment it appears. Readable by all, as installed files are."""
    write_atomically(path, data, mode=0o644)


class NoDesktopEntries(ValueError):
    """This system's desktop reads no desktop entries; ``str()`` says what to do instead."""


def refuse_off_freedesktop(executable: str | None = None) -> None:
    """Raise :class:`NoDesktopEntries` on Windows and macOS, naming what starts this install."""
    system = platform.system()
    if platform.freedesktop():
        return
    command = executable or " ".join(default_exec_argv())
    if system == "windows":
        said = _(
            "Windows has no application menu entries of this kind;"
            " make a shortcut to {command} on the desktop or in the Start menu instead"
        )
    else:
        said = _(
            "macOS has no application menu entries of this kind;"
            " start {command} from a terminal, and keep it in the Dock while it runs"
            " (Options, Keep in Dock)"
        )
    raise NoDesktopEntries(said.format(command=command))


def install_desktop_entry(data_home: Path | None = None, executable: str | None = None) -> Path:
    """Install the desktop entry and icons for this install; return the entry's path.

    Writes ``<data_home>/applications/poetry-downloader.desktop`` and the icon
    as ``<data_home>/icons/hicolor/{scalable,<n>x<n>}/apps/``. ``data_home``
    defaults to the user's XDG data directory; ``executable`` overrides the
    program the entry launches (default: this install, see
    :func:`default_exec_argv`). Running it again simply refreshes the files,
    e.g. after moving the install. Raises :class:`NoDesktopEntries` on
    Windows and macOS, before anything is written.
    """
    refuse_off_freedesktop(executable)
    home = Path(data_home) if data_home is not None else default_data_home()
    argv = [executable] if executable is not None else default_exec_argv()
    entry = desktop_entry_text(argv)

    # Icons first, so the menu entry never shows up without its icon.
    hicolor = home / "icons" / "hicolor"
    for size, source in icon_files().items():
        _write_public(hicolor / size / "apps" / source.name, source.read_bytes())
    # GTK trusts a user icon-theme.cache while it is newer than the theme
    # directory itself; touching the directory marks any such cache stale.
    os.utime(hicolor)

    target = home / "applications" / DESKTOP_FILE_NAME
    _write_public(target, entry.encode("utf-8"))
    return target
