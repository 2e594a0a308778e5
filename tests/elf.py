"""What an ELF shared library asks of the loader, read from the file: for checking the soname table.

The application never reads ELF files: it asks the loader about the sonames
in :data:`app.startup.platform_packages.XCB_LIBRARIES`. That list is right
only while it is what Qt's X plugin really loads from the system, and this
module is how the tests see that: the plugin's ``DT_NEEDED`` entries, Qt's
own libraries followed through its ``RUNPATH``, read from the files
themselves (no ``ldd``, which a bare system may not have).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import NamedTuple

# ELF constants (the System V ABI): program header types and dynamic tags.
_PT_LOAD, _PT_DYNAMIC = 1, 2
_DT_NULL, _DT_NEEDED, _DT_STRTAB, _DT_RPATH, _DT_RUNPATH = 0, 1, 5, 15, 29

#: What every system has: the C and C++ runtimes, which no package list names.
RUNTIMES = frozenset(
    {
        "libc.so.6",
        "libm.so.6",
        "libdl.so.2",
        "libpthread.so.0",
        "librt.so.1",
        "libstdc++.so.6",
        "libgcc_s.so.1",
    }
)


class Dependencies(NamedTuple):
    """What an ELF file asks of the loader: the libraries it needs and where to look first."""

    needed: tuple[str, ...]
    runpath: tuple[str, ...]


def dependencies(path: Path) -> Dependencies:
    """The ``DT_NEEDED`` names and ``RUNPATH`` (``$ORIGIN`` expanded) of the ELF file ``path``.

    Raises ``ValueError`` if it is not an ELF file with a dynamic section,
    and ``OSError`` if it cannot be read.
    """
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or len(data) < 64:
        raise ValueError(f"{path} is not an ELF file")
    wide = data[4] == 2  # ELFCLASS64
    order = "<" if data[5] == 1 else ">"  # ELFDATA2LSB
    # Where the program headers are, and the layouts of one header and one
    # dynamic entry, differ between 64-bit and 32-bit files.
    if wide:
        (phoff,) = _unpack(order + "Q", data, 0x20)
        phentsize, phnum = _unpack(order + "HH", data, 0x36)
        segment, entry = order + "IIQQQQQQ", order + "qQ"
    else:
        (phoff,) = _unpack(order + "I", data, 0x1C)
        phentsize, phnum = _unpack(order + "HH", data, 0x2A)
        segment, entry = order + "IIIIIIII", order + "iI"
    loads: list[tuple[int, int, int]] = []  # (virtual address, file offset, size in file)
    dynamic: tuple[int, int] | None = None  # (file offset, size)
    for number in range(phnum):
        fields = _unpack(segment, data, phoff + number * phentsize)
        if wide:
            kind, offset, vaddr, filesz = fields[0], fields[2], fields[3], fields[5]
        else:
            kind, offset, vaddr, filesz = fields[0], fields[1], fields[2], fields[4]
        if kind == _PT_LOAD:
            loads.append((vaddr, offset, filesz))
        elif kind == _PT_DYNAMIC:
            dynamic = (offset, filesz)
    if dynamic is None:
        raise ValueError(f"{path} has no dynamic section")
    tags: list[tuple[int, int]] = []
    step = struct.calcsize(entry)
    for place in range(dynamic[0], dynamic[0] + dynamic[1] - step + 1, step):
        tag, value = _unpack(entry, data, place)
        if tag == _DT_NULL:
            break
        tags.append((tag, value))
    strtab = next((value for tag, value in tags if tag == _DT_STRTAB), None)
    if strtab is None:
        raise ValueError(f"{path} has no string table")
    base = _file_offset(strtab, loads, path)

    def text(offset: int) -> str:
        end = data.find(b"\0", base + offset)
        return data[base + offset : end].decode("utf-8", "replace")

    origin = str(path.resolve().parent)
    runpath = [
        part.replace("$ORIGIN", origin).replace("${ORIGIN}", origin)
        for tag, value in tags
        if tag in (_DT_RUNPATH, _DT_RPATH)
        for part in text(value).split(":")
        if part
    ]
    needed = [text(value) for tag, value in tags if tag == _DT_NEEDED]
    return Dependencies(tuple(needed), tuple(runpath))


def system_libraries(library: Path) -> set[str]:
    """Every soname ``library`` needs from the system, directly or through the libraries beside it.

    Libraries found through a ``RUNPATH`` (Qt's own, for a plugin) are
    followed; the runtimes (:data:`RUNTIMES`) and the dynamic loader itself
    are left out.
    """
    system: set[str] = set()
    seen: set[Path] = set()
    todo = [library]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        deps = dependencies(current)
        for name in deps.needed:
            local = [Path(p) / name for p in deps.runpath if (Path(p) / name).is_file()]
            if local:
                todo.append(local[0])
            elif name not in RUNTIMES and not name.startswith("ld-linux"):
                system.add(name)
    return system


def _unpack(layout: str, data: bytes, offset: int) -> tuple[int, ...]:
    try:
        return struct.unpack_from(layout, data, offset)
    except struct.error as e:
        raise ValueError(f"truncated ELF file: {e}") from e


def _file_offset(address: int, loads: list[tuple[int, int, int]], path: Path) -> int:
    for vaddr, offset, size in loads:
        if vaddr <= address < vaddr + size:
            return address - vaddr + offset
    raise ValueError(f"{path}: address {address:#x} is in no loaded segment")
