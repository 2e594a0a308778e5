"""What of PyInstaller's collection the bundle keeps: Qt pared to what the window uses.

PyInstaller's PyQt5 hooks collect every Qt plugin a ``QtGui`` program might
load (Wayland, EGLFS, WebGL, VNC…) and, through them, QtQuick, QtQml,
QtWebSockets and the Wayland client: about a third of the folder for
nothing this program ever loads. :func:`trim_binaries` keeps the plugins in
:data:`PLUGINS` and then only the libraries that something kept needs (by
``DT_NEEDED``), so a library is never dropped while a kept one links it and
never kept only because a dropped plugin linked it.

:data:`FROM_THE_SYSTEM` are left out on purpose, beside what PyInstaller
already leaves out (glibc, libGL, libxcb): the X base, which must match the
system's libxcb and libGL, and the C++ runtime, which a system's graphics
driver may need newer than the build machine's.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
from collections.abc import Iterable

#: One PyInstaller table entry: (path in the bundle, source path, type code).
Entry = tuple[str, str, str]

QT = "PyQt5/Qt5/"
QT_PLUGINS = QT + "plugins/"
QT_TRANSLATIONS = QT + "translations/"

#: Qt plugins kept, as paths under ``plugins/``.
PLUGINS = (
    "platforms/libqxcb.so",  # X11 (and XWayland): the window on a desktop
    "platforms/libqoffscreen.so",  # no screen: the tests, CI, screenshots
    "platforminputcontexts/*",  # compose keys and IBus input methods
    "iconengines/libqsvgicon.so",  # the window's SVG icon
    "imageformats/libqsvg.so",
)

#: Qt's own translations kept: the languages of the poems.
TRANSLATIONS = ("*_zh_CN.qm", "*_en.qm")

#: Libraries taken from the system even though PyInstaller would bundle them.
FROM_THE_SYSTEM = (
    "libX11.so.6",
    "libX11-xcb.so.1",  # reads libX11's private structures: must be libX11's twin
    "libXau.so.6",
    "libXdmcp.so.6",
    "libstdc++.so.6",
    "libgcc_s.so.1",
)


def needed(path: str) -> list[str]:
    """The sonames an ELF file names in ``DT_NEEDED``, read by ``objdump -p``."""
    out = subprocess.run(["objdump", "-p", path], capture_output=True, text=True, check=True).stdout
    return [line.split()[1] for line in out.splitlines() if line.split()[:1] == ["NEEDED"]]


def _kept_plugin(dest: str) -> bool:
    relative = dest[len(QT_PLUGINS) :]
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in PLUGINS)


def _is_root(entry: Entry) -> bool:
    """What is loaded by name rather than linked: extensions, kept plugins, libpython."""
    dest, _, typecode = entry
    if dest.startswith(QT_PLUGINS):
        return _kept_plugin(dest)
    return typecode == "EXTENSION" or os.path.basename(dest).startswith("libpython")


def trim_binaries(binaries: Iterable[Entry]) -> list[Entry]:
    """The binaries the bundle keeps: the roots and everything they link, in order."""
    entries = [e for e in binaries if os.path.basename(e[0]) not in FROM_THE_SYSTEM]
    by_name = {os.path.basename(dest): (dest, src) for dest, src, _ in entries}
    kept: set[str] = set()
    pending = [e[0] for e in entries if _is_root(e)]
    while pending:
        dest = pending.pop()
        if dest in kept:
            continue
        kept.add(dest)
        for name in needed(by_name[os.path.basename(dest)][1]):
            if name in by_name:
                pending.append(by_name[name][0])
    return [e for e in entries if e[0] in kept]


def trim_datas(datas: Iterable[Entry], binaries: Iterable[Entry]) -> list[Entry]:
    """The data entries kept, given the binaries kept.

    Qt's translations only in :data:`TRANSLATIONS`; PyInstaller's top-level
    links to libraries (``libQt5Core.so.5`` → ``PyQt5/Qt5/lib/…``, listed
    among the data) only to libraries still there.
    """
    present = {dest for dest, _, _ in binaries}
    kept: list[Entry] = []
    for entry in datas:
        dest, src, typecode = entry
        if (
            typecode == "SYMLINK"
            and os.path.normpath(os.path.join(os.path.dirname(dest), src)) not in present
        ):
            continue
        if dest.startswith(QT_TRANSLATIONS) and not any(
            fnmatch.fnmatchcase(os.path.basename(dest), p) for p in TRANSLATIONS
        ):
            continue
        kept.append(entry)
    return kept
