"""Can the window open here? Asked before Qt is loaded, because Qt's own answer is an abort.

When Qt cannot start its platform plugin (no display, a display that does
not answer, a system library the plugin needs that is missing) it prints a
few lines ending in "Reinstalling the application may fix this problem" and
aborts the process with a core dump. :func:`start_problem` asks the same
questions first and answers with one line naming the cause and the fix; it
runs on every start of the window, and when all is well it costs one X
connection (made as Qt will make it) and one ``dlopen`` of the plugin Qt
loads a moment later anyway.

Which platform Qt will use decides what is asked. Qt 5 uses X (``xcb``)
unless ``QT_QPA_PLATFORM`` says otherwise, even on a Wayland desktop (where
XWayland provides ``DISPLAY``); so by default only the X display matters,
and a live Wayland display is only mentioned as a way out. A platform the
user chose (``offscreen``, ``vnc``, ``wayland``...) is checked for what it
needs: a Wayland display for the Wayland ones, nothing for the others; a
name Qt has no plugin for is refused, as is a plugin that cannot load. A
list (``wayland;xcb``) is fine if any of its platforms would start.

``python -m app.startup.display_check`` runs the same check for ``make run`` (exit 1
with the line, or 0 in silence); ``--packages debian`` prints what a bare
system needs to install to show the window.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from app import APP_NAME, platform
from app.i18n import _, install, ngettext
from app.i18n.argparse_words import HelpFormatter, speak_ours
from app.startup.display_probe import (
    XCB_LIBRARY,
    XDisplayRefused,
    wayland_silence,
    wayland_socket,
    x_display_silence,
)
from app.startup.shared_libraries import load_problem, missing_file, unloadable

#: Qt's default platform on Linux and the BSDs.
DEFAULT_PLATFORM = "xcb"


def start_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Why the window cannot open here, with what to do, in one line; ``None`` if it can.

    Only where Qt draws through a display server it must reach (X or
    Wayland: :func:`app.platform.freedesktop`); on Windows and macOS the
    platform plugin needs no display named in the environment, and nothing
    is asked.
    """
    env = os.environ if environ is None else environ
    if not platform.freedesktop():
        return None
    plugins = PlatformPlugins(env)
    problems: list[str] = []
    for name in platform_choices(env):  # Qt takes the first that starts
        problem = platform_problem(name, env, plugins)
        if problem is None:
            return None
        problems.append(problem)
    return _("cannot open a window: {problem}").format(problem=problems[0])


def platform_choices(environ: Mapping[str, str]) -> list[str]:
    """The platforms Qt will try, in order: ``QT_QPA_PLATFORM``'s list, or X."""
    chosen = [
        entry.split(":", 1)[0].strip().lower()
        for entry in environ.get("QT_QPA_PLATFORM", "").split(";")
    ]
    return [name for name in chosen if name] or [DEFAULT_PLATFORM]


class PlatformPlugins:
    """Where Qt will find its platform plugins: ``QT_QPA_PLATFORM_PLUGIN_PATH``,
    ``QT_PLUGIN_PATH``, then the ones PyQt5 brings.

    With none of them (a PyQt5 built on the system's Qt, say) nothing can be
    said about plugins, and no plugin is refused.
    """

    def __init__(self, environ: Mapping[str, str]) -> None:
        places = [
            *environ.get("QT_QPA_PLATFORM_PLUGIN_PATH", "").split(os.pathsep),
            *(
                os.path.join(entry, "platforms")
                for entry in environ.get("QT_PLUGIN_PATH", "").split(os.pathsep)
                if entry
            ),
            *_bundled_plugin_dirs(),
        ]
        self.dirs = [Path(place) for place in places if place and os.path.isdir(place)]

    def files(self, name: str) -> list[Path]:
        """The plugin files for platform ``name``, in the order Qt tries them."""
        return [
            directory / candidate
            for directory in self.dirs
            for candidate in _plugin_files(name)
            if (directory / candidate).is_file()
        ]

    def file(self, name: str) -> Path | None:
        """The plugin file Qt tries first for platform ``name``, if there is one."""
        found = self.files(name)
        return found[0] if found else None

    def names(self) -> list[str]:
        """Every platform a plugin is found for, sorted."""
        found: set[str] = set()
        for directory in self.dirs:
            for entry in os.listdir(directory):
                if entry.startswith("libq") and entry.endswith(".so"):
                    name = entry[len("libq") : -len(".so")]
                    found.add("wayland" if name == "wayland-generic" else name)
        return sorted(found)


def platform_problem(name: str, environ: Mapping[str, str], plugins: PlatformPlugins) -> str | None:
    """Why Qt's platform ``name`` would not start here, or ``None``."""
    candidates = plugins.files(name)
    if not candidates and plugins.dirs:
        if not environ.get("QT_QPA_PLATFORM", "").strip():
            return _("Qt's {platform} platform plugin is missing; reinstall {program}").format(
                platform=name, program=APP_NAME
            )
        return _(
            "Qt has no platform called {platform} (QT_QPA_PLATFORM); set QT_QPA_PLATFORM"
            " to one of {platforms}, or unset it to use X"
        ).format(platform=repr(name), platforms=", ".join(plugins.names()))
    if name == "xcb":
        problem = x_problem(environ)
    elif name.startswith("wayland"):
        problem = wayland_problem(environ)
    else:
        problem = None
    if problem is None and candidates:
        problem = library_problem(name, candidates)
    return problem


def x_problem(environ: Mapping[str, str]) -> str | None:
    """Why Qt could not reach the X display named by ``DISPLAY``, or ``None``."""
    display = environ.get("DISPLAY", "").strip()
    if not display:
        if _wayland_answers(environ):
            return _(
                "no X display (DISPLAY is not set), and Qt 5 draws on X unless told otherwise;"
                " on this Wayland desktop, start it with QT_QPA_PLATFORM=wayland"
            )
        return _(
            "no display (DISPLAY is not set); start it from a desktop session or set DISPLAY,"
            " or QT_QPA_PLATFORM=offscreen to run without a screen"
        )
    try:
        silence = x_display_silence(display)
    except ValueError as e:
        return _("DISPLAY={display} {fault}; set DISPLAY to the X display to use").format(
            display=display, fault=e
        )
    except XDisplayRefused:
        return _(
            "the X display {display} refused this program; check that DISPLAY names a display"
            " this user may use (XAUTHORITY for another user's), or set QT_QPA_PLATFORM=offscreen"
            " to run without a screen"
        ).format(display=display)
    except OSError as e:
        # libxcb itself cannot be loaded, and without it neither can Qt's X
        # plugin: what to install is the answer.
        return missing_libraries("xcb", {XCB_LIBRARY: str(e)})
    if silence is None:
        return None
    if _wayland_answers(environ):
        said = _(
            "the X display {display} does not answer ({reason}); on this Wayland desktop,"
            " start it with QT_QPA_PLATFORM=wayland"
        )
    else:
        said = _(
            "the X display {display} does not answer ({reason}); start the X server,"
            " or set DISPLAY to one that is running"
        )
    return said.format(display=display, reason=silence)


def _wayland_answers(environ: Mapping[str, str]) -> bool:
    # Asked only once X has failed: on a desktop with XWayland, a good start
    # never touches the compositor's socket.
    return bool(environ.get("WAYLAND_DISPLAY")) and wayland_silence(environ) is None


def wayland_problem(environ: Mapping[str, str]) -> str | None:
    """Why Qt could not reach the Wayland display, or ``None``."""
    silence = wayland_silence(environ)
    if silence is None:
        return None
    display = environ.get("DISPLAY", "").strip()
    if display and x_problem(environ) is None:
        said = _(
            "the Wayland display {socket} does not answer ({reason});"
            " unset QT_QPA_PLATFORM to use the X display {display}"
        )
    else:
        said = _(
            "the Wayland display {socket} does not answer ({reason});"
            " start it from a Wayland session, or set WAYLAND_DISPLAY to its socket"
        )
    return said.format(socket=wayland_socket(environ).name, reason=silence, display=display)


def library_problem(name: str, candidates: Sequence[Path]) -> str | None:
    """What the platform's plugin lacks to load, and how to get it; ``None`` if one of them loads.

    Qt tries each plugin file it finds for the platform (a user's
    ``QT_QPA_PLATFORM_PLUGIN_PATH`` first, then its own) until one loads.
    """
    messages: list[str] = []
    for plugin in candidates:
        message = load_problem(plugin)
        if message is None:
            return None
        messages.append(message)
    first = messages[0]
    named = missing_file(first)
    return missing_libraries(name, {named: first} if named is not None else {}) or _(
        "Qt's {platform} platform plugin does not load ({reason}); reinstall {program}"
    ).format(platform=name, reason=first, program=APP_NAME)


def missing_libraries(name: str, failed: dict[str, str]) -> str | None:
    """What the platform ``name`` cannot load and how to install it; ``None`` if nothing is missing.

    ``failed`` holds what the loader already named (file: its message); the
    loader names only the first file it missed, so it is also asked about
    every other library the table says the X plugin loads from the system.
    """
    # Only ever needed on the way out.
    from app.startup.platform_packages import XCB_LIBRARIES, install_advice

    failed = dict(failed)
    for file, message in unloadable(XCB_LIBRARIES if name == "xcb" else ()).items():
        failed.setdefault(file, message)
    if not failed:
        return None
    if all(missing_file(message) == file for file, message in failed.items()):
        said = ngettext(
            "Qt's {platform} platform needs {files}, which is not installed; {advice}",
            "Qt's {platform} platform needs {files}, which are not installed; {advice}",
            len(failed),
        )
    else:  # there, but not a library the loader can use: installing it again mends it
        said = _("Qt's {platform} platform needs {files}, which cannot be loaded; {advice}")
    return said.format(platform=name, files=", ".join(failed), advice=install_advice(failed))


def _plugin_files(name: str) -> list[str]:
    # Qt's plugin file names are libq<key>.so, but for the generic Wayland one.
    return [f"libq{name}.so", *(["libqwayland-generic.so"] if name == "wayland" else [])]


def _bundled_plugin_dirs() -> list[str]:
    # find_spec locates PyQt5 without importing it (or any of Qt).
    spec = importlib.util.find_spec("PyQt5")
    if spec is None or not spec.submodule_search_locations:
        return []
    return [
        os.path.join(location, qt, "plugins", "platforms")
        for location in spec.submodule_search_locations
        for qt in ("Qt5", "Qt")  # untranslated: folder names (PyQt5 before 5.15.4 said Qt)
    ]


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m app.startup.display_check``: exit 1 with the line if no window opens, else 0."""
    install()
    speak_ours()
    parser = argparse.ArgumentParser(
        prog="python -m app.startup.display_check",  # untranslated: the command
        formatter_class=HelpFormatter,
        description=_(
            "Check that the Poetry Downloader window can open here, as it does at start."
        ),
    )
    parser.add_argument(
        "--packages",
        choices=["debian", "fedora"],
        help=_("print the packages a bare system needs to show the window, and exit"),
    )
    options = parser.parse_args(argv)
    if options.packages:
        from app.startup.platform_packages import XCB_LIBRARIES, packages

        print(" ".join(packages(XCB_LIBRARIES, options.packages)))
        sys.exit(0)
    problem = start_problem()
    if problem is not None:
        sys.stderr.write(f"{APP_NAME}: {problem}\n")
        sys.exit(1)
    sys.exit(0)


if __name__ == "__main__":
    main()
