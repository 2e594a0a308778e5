"""``make bundle``: build ``dist/poetry-downloader/`` and its ``.tar.gz``; say how big, how long.

``python -m bundle.build`` builds in a Debian 11 userland, so that the bundle
runs on glibc 2.31 and newer (:mod:`bundle.buildroot`, which takes root);
there it runs ``python -m bundle.build --here``, which builds with the
Python that runs it, for the glibc it was built for.

Three steps: fetch the X libraries the bundle carries (:mod:`bundle.xlibs`),
run PyInstaller on ``bundle/poetry-downloader.spec``, and pack the folder as
``dist/poetry-downloader-<version>-linux-<machine>.tar.gz`` with one top
folder, so that unpacking gives ``poetry-downloader/poetry-downloader``.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from app import APP_NAME, __version__
from bundle import buildroot, userland, xlibs

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "bundle" / f"{APP_NAME}.spec"


def archive_name() -> str:
    """``poetry-downloader-<version>-linux-<machine>.tar.gz``: what and for which machines."""
    return f"{APP_NAME}-{__version__}-linux-{platform.machine()}.tar.gz"


def folder_size(folder: Path) -> int:
    """Bytes in the files under ``folder``; links count as nothing, as on disk."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _normalised(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Owned by nobody in particular: unpacked by a user, the files are that user's."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def pack(folder: Path, archive: Path) -> None:
    """Write ``folder`` (links kept as links) to ``archive``, in name order."""
    # Level 6, not 9: 4 s instead of 15 s for 0.4 % more (37.8 MB against 37.6 MB).
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(folder, arcname=folder.name, recursive=False, filter=_normalised)
        for path in sorted(folder.rglob("*")):
            arcname = str(Path(folder.name) / path.relative_to(folder))
            tar.add(path, arcname=arcname, recursive=False, filter=_normalised)


def build(dist: Path, work: Path) -> Path:
    """Build the folder and the archive under ``dist``; return the archive."""
    started = time.monotonic()
    xlibs_dir = work / "xlibs"
    xlibs.fetch(xlibs_dir)
    fetched = time.monotonic()
    env = {**os.environ, "POETRY_BUNDLE_XLIBS": str(xlibs_dir.resolve())}
    subprocess.run(
        [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
            "--distpath", str(dist), "--workpath", str(work / "pyinstaller"), str(SPEC),
        ],
        env=env,
        check=True,
    )  # fmt: skip
    built = time.monotonic()
    folder = dist / APP_NAME
    archive = dist / archive_name()
    pack(folder, archive)
    packed = time.monotonic()

    mb = 1_000_000
    print(f"{folder}: {folder_size(folder) / mb:.1f} MB")
    print(f"{archive}: {archive.stat().st_size / mb:.1f} MB")
    print(
        f"build time {packed - started:.1f} s: X libraries {fetched - started:.1f} s, "
        f"PyInstaller {built - fetched:.1f} s, .tar.gz {packed - built:.1f} s"
    )
    return archive


if __name__ == "__main__":
    if sys.argv[1:] == ["--here"]:
        build(ROOT / "dist", ROOT / "build")
    elif userland.is_possible():
        buildroot.build_in_userland(ROOT / "build")
    else:
        sys.exit(
            "make bundle builds in a Debian 11 userland, which takes root (sudo make bundle); "
            "python -m bundle.build --here builds with this Python, for this machine's glibc"
        )
