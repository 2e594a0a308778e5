"""Something other than a socket where the window's socket goes: clear it, or say what to remove.

The socket's path (:mod:`app.instance.socket_path`) can hold something else:
a symbolic link a dotfiles tool made, a file or a directory made by hand.
The window then cannot listen ("Address already in use"), and a launch that
finds no socket would wait for one that never comes, then blame the window.

So the window clears the path as soon as it holds the settings directory's
lock (:func:`clear_for_socket`), before anything else. Holding the lock, it
is the only process of ours that may use that path, and the path is in a
directory only this user can write; removing a name there never touches
what a link points to. So a dead window's socket, a symbolic link, a file,
and an empty directory are removed, and the log names what was removed. A
directory with something in it may hold someone's files: it is left, and
named with what to do, in the window's log and in what a later launch says
(:func:`for_a_launch`). What is not this user's is never touched here: the
socket goes to the next place instead.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass

from app import platform
from app.i18n import _
from app.instance.socket_path import shown

# The log is English in every language.
_LOG_WORDS = {  # untranslated: for the log
    "link": "a symbolic link",
    "directory": "a directory",
    "file": "a file",
}
_LOG_ADVICE = ", not this program's socket; remove it and start again"  # untranslated: for the log


@dataclass(frozen=True)
class InTheWay:
    """What stands at a socket's path: ``kind`` is ``link``, ``directory`` or ``file``."""

    path: str
    kind: str

    @property
    def english(self) -> str:
        """What it is, in English for the log: "a symbolic link"."""
        return _LOG_WORDS.get(self.kind, _LOG_WORDS["file"])

    def for_the_log(self) -> str:
        """One English line: what it is, and what to do."""
        return f"{self.path} is {self.english}{_LOG_ADVICE}"

    def for_a_launch(self) -> str:
        """What a later launch says, in the user's language."""
        if self.kind == "link":
            said = _(
                "{path} is a symbolic link, not this program's socket;"
                " remove it, quit that window and start again"
            )
        elif self.kind == "directory":
            said = _(
                "{path} is a directory, not this program's socket;"
                " remove it, quit that window and start again"
            )
        else:
            said = _(
                "{path} is a file, not this program's socket;"
                " remove it, quit that window and start again"
            )
        return said.format(path=self.path)


class PlaceTaken(Exception):
    """The socket's path holds something the window may not remove; ``.thing`` is what."""

    def __init__(self, thing: InTheWay) -> None:
        super().__init__(thing.for_the_log())
        self.thing = thing


def in_the_way(path: str) -> InTheWay | None:
    """What of this user's, not a socket, stands at ``path``; ``None`` for nothing or a socket."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISSOCK(info.st_mode) or info.st_uid != platform.user_id():
        return None
    if stat.S_ISLNK(info.st_mode):
        kind = "link"
    elif stat.S_ISDIR(info.st_mode):
        kind = "directory"
    else:
        kind = "file"
    return InTheWay(shown(path), kind)


def clear_for_socket(path: str) -> InTheWay | None:
    """Free ``path`` for the window's socket; call only while holding the settings' lock.

    Returns what was removed, if it was not a dead window's socket, for the
    log. Raises :class:`PlaceTaken` when what is there must stay.
    """
    try:
        info = os.lstat(path)
    except OSError:  # nothing there, or nothing we could see: binding will say
        return None
    if stat.S_ISSOCK(info.st_mode) and info.st_uid == platform.user_id():
        # A dead window's: the lock's holder is the only window on these settings.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return None
    thing = in_the_way(path)
    if thing is None:
        return None
    try:
        if thing.kind == "directory":
            os.rmdir(path)  # only if empty
        else:
            os.unlink(path)  # the name only, never what a link points to
    except FileNotFoundError:
        return None
    except OSError:
        raise PlaceTaken(thing) from None
    return thing
