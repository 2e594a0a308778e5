"""The X libraries the bundle carries, fetched as Debian packages without installing them.

Qt's xcb platform plugin needs a dozen small xcb utility libraries that a
bare system (one that has X, but never installed Qt) lacks, so ``make run``
fails there and the bundle must bring them. They are fetched with
``apt-get download`` and unpacked into ``build/xlibs`` rather than installed:
the build needs no root, the build machine stays as bare as the systems the
bundle is for (so the checks prove that the bundle does not lean on them),
and the libraries come from the same distribution as the rest of the build.

The libraries that are the X base itself (``libX11``, ``libX11-xcb``,
``libxcb``) are left to the system: they must match each other and the
system's ``libGL`` (see :mod:`bundle.trim`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: Debian (and Ubuntu) packages of what ``libqxcb.so`` and ``libQt5XcbQpa.so``
#: need beyond glibc, libGL, libX11 and libxcb.
PACKAGES = (
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-render0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-util1",
    "libxcb-xfixes0",
    "libxcb-xinerama0",
    "libxcb-xkb1",
    "libxkbcommon-x11-0",
    "libxkbcommon0",
)


def unpacked_root(build_dir: Path) -> Path:
    """Where the packages are unpacked (``usr/lib/<triplet>/`` inside it)."""
    return build_dir / "root"


def fetch(build_dir: Path) -> Path:
    """Download and unpack :data:`PACKAGES` into ``build_dir``; return the library folder.

    A package already downloaded is not fetched again. Fails with the
    apt-get message when a package cannot be had (not a Debian-like build
    machine, or no package lists: ``apt-get update``).
    """
    debs = build_dir / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    wanted = [p for p in PACKAGES if not any(debs.glob(f"{p}_*.deb"))]
    if wanted:
        subprocess.run(["apt-get", "download", "-q", *wanted], cwd=debs, check=True)
    for package in PACKAGES:
        (deb,) = debs.glob(f"{package}_*.deb")
        subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked_root(build_dir))], check=True)
    return library_dir(build_dir)


def library_dir(build_dir: Path) -> Path:
    """The unpacked libraries' folder, ``root/usr/lib/<triplet>``."""
    found = [p.parent for p in unpacked_root(build_dir).glob("usr/lib/*/libxcb-icccm.so.4")]
    if len(found) != 1:
        raise FileNotFoundError(f"no X libraries unpacked in {build_dir}: run `make bundle`")
    return found[0]


def libraries(lib_dir: Path) -> list[Path]:
    """The run-time libraries (``lib*.so.N``, by their soname link) in ``lib_dir``."""
    return sorted(p for p in lib_dir.glob("lib*.so.*") if p.name.count(".so.") == 1 and _soname(p))


def _soname(path: Path) -> bool:
    """True for the soname link (``libfoo.so.4``), not the full version (``libfoo.so.4.0.0``)."""
    return path.name.split(".so.", 1)[1].isdigit()


def copyright_files(build_dir: Path) -> list[Path]:
    """Each package's copyright notice, which the X11 licence asks copies to carry."""
    docs = unpacked_root(build_dir) / "usr" / "share" / "doc"
    return sorted(docs / package / "copyright" for package in PACKAGES)


if __name__ == "__main__":
    folder = fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build/xlibs"))
    print("\n".join(str(p) for p in libraries(folder)))
