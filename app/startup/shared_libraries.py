"""Which shared libraries a Qt plugin needs that this system cannot load.

Qt loads its platform plugin (``libqxcb.so`` for X) with ``dlopen``; when a
library the plugin needs is missing, Qt prints a few lines and aborts the
process. Loading the plugin here first turns that abort into an ``OSError``
that can be put into words (:func:`load_problem`), and costs next to nothing
when all is well: the libraries it loads are the ones Qt loads a moment
later anyway.

The loader's message names only the first missing file. To name them all,
:func:`unloadable` asks the loader about each library the plugin needs from
the system, by the names in the one table of them
(:mod:`app.startup.platform_packages`, which the tests check against the
plugin's own ``DT_NEEDED`` entries). That runs only after a failure.
"""

from __future__ import annotations

import ctypes
import functools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from app.i18n import _

# The loader's words for a file it could not find (glibc's dlerror()).
_CANNOT_OPEN = ": cannot open shared object file"  # untranslated: glibc's words, matched
# Words that mean a library loaded but for a symbol. Only ctypes' own loading
# (the fallback below) binds every symbol at once and can say this; Qt binds
# lazily and may never call it, so it is no reason to refuse to start.
_UNDEFINED_SYMBOL = "undefined symbol"  # untranslated: glibc's words, matched


class _Loader(NamedTuple):
    dlopen: Any
    dlerror: Any


@functools.cache
def _lazy_loader() -> _Loader | None:
    """The C library's ``dlopen`` and ``dlerror``, or ``None`` where they cannot be reached.

    ``ctypes.CDLL`` always asks for ``RTLD_NOW``: every symbol of Qt's large
    libraries bound at once, work Qt itself does not do (it loads plugins
    with ``RTLD_LAZY``), and a refusal Qt would not make.
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


def unloadable(sonames: Iterable[str]) -> dict[str, str]:
    """Each of ``sonames`` the loader cannot load, and why, in the order given.

    Each is loaded by name, as the loader would find it for the plugin. The
    keys are the files at fault: the one the loader says is missing (which
    may be a library *that* one needs), or the one it could not load.
    """
    failed: dict[str, str] = {}
    for name in sonames:
        problem = load_problem(name)
        if problem is not None:
            failed.setdefault(missing_file(problem) or name, problem)
    return failed
