"""The system packages that provide what Qt's platform plugins load: one table, for every message.

PyQt5's wheel brings Qt itself but not the system libraries Qt's X platform
plugin is linked against; a bare Debian lacks several (``libxcb-icccm.so.4``,
``libxcb-keysyms.so.1``, ``libxcb-xinerama.so.0``...), and Qt then aborts at
start. The start-up check (:mod:`app.startup.display_check`) names the missing files
and, from :data:`PROVIDERS`, the packages to install; the README's
``apt-get``/``dnf`` lines and ``.ci/run`` list :data:`XCB_LIBRARIES`'
packages (``python -m app.startup.display_check --packages debian``). The tests
check the table against the plugin's real ``DT_NEEDED`` entries and, on
Debian, against ``dpkg -S``.

Debian names are also Ubuntu's. Fedora names are the packages that ship
each file in current Fedora releases.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from app.i18n import ngettext

Distribution = Literal["debian", "fedora"]

#: soname -> (Debian/Ubuntu package, Fedora package).
PROVIDERS: dict[str, tuple[str, str]] = {
    # The X platform plugin and the xcb utility libraries
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libXext.so.6": ("libxext6", "libXext"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    # Qt's GUI and D-Bus libraries, whatever the platform
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libz.so.1": ("zlib1g", "zlib"),
    # The Wayland platform plugins and eglfs
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor"),
    "libwayland-egl.so.1": ("libwayland-egl1", "libwayland-egl"),
    "libdrm.so.2": ("libdrm2", "libdrm"),
}

#: What Qt's X platform plugin loads from the system, directly or through Qt's
#: own libraries (C and C++ runtimes left out: every system has them). A bare
#: system needs these to show the window.
XCB_LIBRARIES: tuple[str, ...] = (
    "libxcb.so.1",
    "libxcb-icccm.so.4",
    "libxcb-image.so.0",
    "libxcb-keysyms.so.1",
    "libxcb-randr.so.0",
    "libxcb-render.so.0",
    "libxcb-render-util.so.0",
    "libxcb-shape.so.0",
    "libxcb-shm.so.0",
    "libxcb-sync.so.1",
    "libxcb-xfixes.so.0",
    "libxcb-xinerama.so.0",
    "libxcb-xkb.so.1",
    "libX11.so.6",
    "libX11-xcb.so.1",
    "libXext.so.6",
    "libxkbcommon.so.0",
    "libxkbcommon-x11.so.0",
    "libGL.so.1",
    "libfontconfig.so.1",
    "libfreetype.so.6",
    "libdbus-1.so.3",
    "libglib-2.0.so.0",
    "libgthread-2.0.so.0",
    "libz.so.1",
)

_COLUMN = {"debian": 0, "fedora": 1}
_COMMAND = {
    "debian": "sudo apt-get install",
    "fedora": "sudo dnf install",
}  # untranslated: commands


def packages(sonames: Iterable[str], distribution: Distribution) -> list[str]:
    """The packages providing ``sonames`` on ``distribution``, each once, in order.

    Sonames the table does not know are left out.
    """
    found: list[str] = []
    for soname in sonames:
        provider = PROVIDERS.get(soname)
        if provider is not None and provider[_COLUMN[distribution]] not in found:
            found.append(provider[_COLUMN[distribution]])
    return found


def install_advice(sonames: Iterable[str]) -> str:
    """How to install the missing ``sonames``, for one line: both package managers' commands."""
    wanted = list(sonames)
    unknown = [soname for soname in wanted if soname not in PROVIDERS]
    known = [soname for soname in wanted if soname in PROVIDERS]
    if not known:
        return ngettext(
            "install the package that provides it",
            "install the packages that provide them",
            len(wanted),
        )
    commands = {
        name: f"{_COMMAND[name]} {' '.join(packages(known, name))}" for name in ("debian", "fedora")
    }
    if unknown:
        advice = ngettext(
            "install it with: {debian} (Debian, Ubuntu) or {fedora} (Fedora),"
            " and the packages that provide {others}",
            "install them with: {debian} (Debian, Ubuntu) or {fedora} (Fedora),"
            " and the packages that provide {others}",
            len(wanted),
        )
    else:
        advice = ngettext(
            "install it with: {debian} (Debian, Ubuntu) or {fedora} (Fedora)",
            "install them with: {debian} (Debian, Ubuntu) or {fedora} (Fedora)",
            len(wanted),
        )
    return advice.format(**commands, others=", ".join(unknown))
