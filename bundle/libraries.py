"""What the bundle still takes from the system it runs on, read from its ELF files.

The bundle runs on another machine only if every library its files link is
either inside it or one that every target system has. :func:`resolve` asks
the dynamic loader (``ldd``) where each library would come from, with the
library path the bundle's bootloader sets, so a library missing from the
bundle shows up as ``not found`` or as a path outside it even on this
machine. :data:`SYSTEM` is the short list the README promises; anything else
from outside is a library the bundle forgot to carry.
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

#: Libraries the bundle leaves to the system: glibc, libGL (glvnd), the X
#: base (libX11 with its twin libX11-xcb, libxcb and what they link) and the
#: C++ runtime. The README's "Install" section lists the same.
SYSTEM = (
    # glibc
    "ld-linux-x86-64.so.2",
    "linux-vdso.so.1",
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "libpthread.so.0",
    "librt.so.1",
    "libutil.so.1",
    "libresolv.so.2",
    # libGL, as the graphics driver provides it
    "libGL.so.1",
    "libGLX.so.0",
    "libGLdispatch.so.0",
    # the X base
    "libX11.so.6",
    "libX11-xcb.so.1",
    "libxcb.so.1",
    "libXau.so.6",
    "libXdmcp.so.6",
    "libbsd.so.0",
    "libmd.so.0",
    # the C++ runtime
    "libstdc++.so.6",
    "libgcc_s.so.1",
    # zlib: PyInstaller's bootloader links it, and is loaded before it sets
    # the library path to the bundle (which carries its own for the rest)
    "libz.so.1",
)

_LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(.*?)(?:\s+\(0x[0-9a-f]+\))?$")
_GLIBC = re.compile(r"\bGLIBC_(\d+)\.(\d+)(?:\.(\d+))?\b")
_GLIBCXX = re.compile(r"\bGLIBCXX_3\.4\.(\d+)\b")


@dataclass
class Linkage:
    """Where the bundle's libraries come from, gathered over all its ELF files."""

    #: soname → system path, for libraries found outside the bundle.
    from_system: dict[str, str] = field(default_factory=dict)
    #: soname → the bundle's files that need it and could not find it.
    not_found: dict[str, list[str]] = field(default_factory=dict)
    #: The newest glibc symbol version any file needs, e.g. (2, 34).
    glibc: tuple[int, ...] = (0,)
    #: The newest ``GLIBCXX_3.4.N`` any file needs (N), 0 if none.
    glibcxx: int = 0

    @property
    def unexpected(self) -> dict[str, str]:
        """System libraries outside :data:`SYSTEM`: ones the bundle should carry."""
        return {k: v for k, v in self.from_system.items() if not is_system(k)}


def is_system(soname: str) -> bool:
    return any(fnmatch.fnmatchcase(soname, pattern) for pattern in SYSTEM)


def elf_files(folder: Path) -> list[Path]:
    """Every ELF file (executable or library) under ``folder``, links excluded."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def resolve(path: Path, library_path: Path | None) -> dict[str, str]:
    """soname → where the loader finds it (``"not found"`` if nowhere), for ``path``."""
    env = {"PATH": "/usr/bin:/bin"}
    if library_path is not None:
        env["LD_LIBRARY_PATH"] = str(library_path)
    out = subprocess.run(
        ["ldd", str(path)], capture_output=True, text=True, env=env, check=False
    ).stdout
    found = {}
    for line in out.splitlines():
        match = _LDD_LINE.match(line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def version_needs(path: Path) -> tuple[tuple[int, ...], int]:
    """The newest glibc version and ``GLIBCXX_3.4.N`` that ``path`` asks for."""
    out = subprocess.run(
        ["objdump", "-p", str(path)], capture_output=True, text=True, check=True
    ).stdout
    references = out.partition("Version References:")[2]
    glibc = max(
        (tuple(int(n) for n in m.groups() if n is not None) for m in _GLIBC.finditer(references)),
        default=(0,),
    )
    glibcxx = max((int(m.group(1)) for m in _GLIBCXX.finditer(references)), default=0)
    return glibc, glibcxx


def glibc_needs(folder: Path) -> dict[Path, tuple[int, ...]]:
    """Each ELF file under ``folder`` and the newest glibc version it asks for (``(0,)``: none)."""
    return {path: version_needs(path)[0] for path in elf_files(folder)}


def linkage(folder: Path) -> Linkage:
    """Resolve every ELF file in the bundle ``folder`` as it is loaded.

    The executable (the bootloader) is started by the user's shell or desktop,
    with no library path of the bundle's; it then sets ``LD_LIBRARY_PATH`` to
    ``_internal`` and runs again, and every other file loads under that.
    """
    internal = (folder / "_internal").resolve()
    result = Linkage()
    for path in elf_files(folder):
        glibc, glibcxx = version_needs(path)
        result.glibc = max(result.glibc, glibc)
        result.glibcxx = max(result.glibcxx, glibcxx)
        library_path = None if path.parent == folder else internal
        for soname, where in resolve(path, library_path).items():
            if where == "not found":
                result.not_found.setdefault(soname, []).append(str(path.relative_to(folder)))
            elif not os.path.realpath(where).startswith(str(internal) + os.sep):
                result.from_system[soname] = where
    return result


def glibc_of_this_machine() -> str:
    """The build machine's glibc version, as ``ldd --version`` says (e.g. ``2.36``)."""
    first = subprocess.run(
        ["ldd", "--version"], capture_output=True, text=True, check=True
    ).stdout.splitlines()[0]
    return first.split()[-1]
