"""Which shared libraries a Qt plugin needs that this system cannot load.

Qt loads its platform plugin (``libqxcb.so`` for X) with ``dlopen``; when a
library the plugin needs is missing, Qt prints a few lines and aborts the
process. Loading the plugin here first turns that abort into an ``OSError``
that can be put into words (:func:`load_problem`), and costs next to nothing
when all is well: the libraries it loads are the ones Qt loads a moment
later anyway.

The loader's message names only the first missing file. To name them all,
:func:`unloadable` reads the plugin's ``DT_NEEDED`` entries from the ELF
file itself (no ``ldd``, which a bare system may not have), follows Qt's own
libraries through the plugin's ``RUNPATH`` and tries each system library by
name, as the loader would find it. That walk runs only after a failure.
"""

from __future__ import annotations

import ctypes
import functools
import os
import struct
from pathlib import Path
from typing import Any, NamedTuple

from app.i18n import _

# The loader's words for a file it could not find (glibc's dlerror()).
_CANNOT_OPEN = ": cannot open shared object file"  # untranslated: glibc's words, matched
# Words that mean a library loaded but for a symbol. Only ctypes' own loading
# (the fallback below) binds every symbol at once and can say this; Qt binds
# lazily and may never call it, so it is no reason to refuse to start.
_UNDEFINED_SYMBOL = "undefined symbol"  # untranslated: glibc's words, matched

# ELF constants (the System V ABI): program header types and dynamic tags.
_PT_LOAD, _PT_DYNAMIC = 1, 2
_DT_NULL, _DT_NEEDED, _DT_STRTAB, _DT_RPATH, _DT_RUNPATH = 0, 1, 5, 15, 29


class _Loader(NamedTuple):
    dlopen: Any
    dlerror: Any


@functools.cache
def _lazy_loader() -> _Loader | None:
    """The C library's ``dlopen`` and ``dlerror``, or ``None`` where they cannot be reached.

    ``ctypes.CDLL`` always asks for ``RTLD_NOW``: every symbol of Qt's large
    libraries bound at once, a few milliseconds Qt itself does not spend (it
    loads plugins with ``RTLD_LAZY``), and a refusal Qt would not make.
    """
    try:
        process = ctypes.CDLL(None)
        dlopen, dlerror = process.dlopen, process.dlerror
    except (OSError, AttributeError):
        return None
    dlopen.restype, dlopen.argtypes = ctypes.c_void_p, (ctypes.c_char_p, ctypes.c_int)
    dlerror.restype, dlerror.argtypes = ctypes.c_char_p, ()
    return _Loader(dlopen, dlerror)


def load_problem(path: Path | str) -> str | None:
    """The loader's message if the library at (or named) ``path`` cannot be loaded, else ``None``.

    It is loaded as Qt loads a plugin (``RTLD_LAZY``), and one that loads
    stays loaded, as it would once Qt had loaded it.
    """
    loader = _lazy_loader()
    if loader is not None:
        if loader.dlopen(os.fsencode(path), os.RTLD_LAZY):
            return None
        said = loader.dlerror()
        if said:
            message: str = said.decode("utf-8", "replace")
            return message
        return _("{file}: cannot be loaded").format(file=path)
    try:
        ctypes.CDLL(str(path))
    except OSError as e:
        message = str(e)
        return None if _UNDEFINED_SYMBOL in message else message
    return None


def missing_file(message: str) -> str | None:
    """The file a loader message says it could not find, or ``None`` for other troubles."""
    name, found, _rest = message.partition(_CANNOT_OPEN)
    return name if found and name and ":" not in name else None


class Dependencies(NamedTuple):
    """What an ELF file asks of the loader: the libraries it needs and where to look first."""

    needed: tuple[str, ...]
    runpath: tuple[str, ...]


def dependencies(path: Path) -> Dependencies:
    """The ``DT_NEEDED`` names and ``RUNPATH`` (``$ORIGIN`` expanded) of the ELF file ``path``.

    Raises ``ValueError`` if it is not an ELF file with a dynamic section,
    and ``OSError`` if it cannot be read.
    """
    with path.open("rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or len(data) < 64:
        raise ValueError(f"{path} is not an ELF file")  # untranslated: never shown
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
        raise ValueError(f"{path} has no dynamic section")  # untranslated: never shown
    tags: list[tuple[int, int]] = []
    step = struct.calcsize(entry)
    for place in range(dynamic[0], dynamic[0] + dynamic[1] - step + 1, step):
        tag, value = _unpack(entry, data, place)
        if tag == _DT_NULL:
            break
        tags.append((tag, value))
    strtab = next((value for tag, value in tags if tag == _DT_STRTAB), None)
    if strtab is None:
        raise ValueError(f"{path} has no string table")  # untranslated: never shown
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


def unloadable(path: Path) -> dict[str, str]:
    """Every library the one at ``path`` needs, directly or not, that cannot be loaded, and why.

    Libraries found beside it (through its ``RUNPATH``: Qt's own) are
    followed; every other one is loaded by name as the loader would find it.
    The keys are the files at fault: the one the loader says is missing
    (which may be a library *that* one needs), or the one it could not
    load. Unreadable or odd files on the way are passed over, not fatal.
    """
    failed: dict[str, str] = {}
    seen: set[str] = set()

    def visit(library: Path) -> None:
        try:
            deps = dependencies(library)
        except (OSError, ValueError):
            return
        for name in deps.needed:
            if name in seen:
                continue
            seen.add(name)
            local = next((Path(d) / name for d in deps.runpath if (Path(d) / name).is_file()), None)
            if local is not None:
                visit(local)
                continue
            problem = load_problem(name)
            if problem is not None:
                failed.setdefault(missing_file(problem) or name, problem)

    visit(path)
    return failed


def _unpack(layout: str, data: bytes, offset: int) -> tuple[int, ...]:
    try:
        return struct.unpack_from(layout, data, offset)
    except struct.error as e:
        raise ValueError(f"truncated ELF file: {e}") from e  # untranslated: never shown


def _file_offset(address: int, loads: list[tuple[int, int, int]], path: Path) -> int:
    for vaddr, offset, size in loads:
        if vaddr <= address < vaddr + size:
            return address - vaddr + offset
    raise ValueError(
        f"{path}: address {address:#x} is in no loaded segment"  # untranslated: never shown
    )
