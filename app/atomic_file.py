"""Replace a file so that a reader, or a crash, sees the old content or the new, never half.

The data goes to a temporary file in the same directory, is fsynced, then
renamed over the target; the directory is fsynced too, because the rename
is durable only once the directory entry is. When anything fails on the
way (a full disk, most often) the temporary file is removed and the old
file is untouched: nothing is written in place.

A target that is a symbolic link (a settings file kept in a dotfiles
repository, say) is written through: the file the link names is replaced,
next to itself, and the link stays a link. Renaming over the link instead
would put a plain file in its place and leave the linked file behind.

A writer killed before its rename leaves its temporary file behind. So that
these do not pile up, each writer holds an exclusive ``flock`` on its
temporary file until after the rename, and every write first removes the
target's temporary files that nobody holds: the kernel drops a dead
process's locks, so those are litter, while a file being written by another
process at the same moment is never taken. (Where there is no ``flock``,
on Windows, the litter stays.)
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import secrets
import stat
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows, where an open file cannot be renamed either
    fcntl = None  # type: ignore[assignment]

#: The most symbolic links followed from the path given to the file written, as the kernel allows.
MAX_LINKS = 40

_CREATE = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def write_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically; ``mode`` sets the permissions (default 0600).

    For the program's own files: settings, which may hold what the user
    would not show others, are the owner's alone unless ``mode`` says
    otherwise. Creates the parent directories. Raises ``OSError``; no
    temporary file of this call is left behind either way, and those of
    killed writers are removed.
    """
    target = _linked_file(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _replace(target, data, 0o600, mode)


def write_document(path: Path, data: bytes) -> None:
    """Write the user's own file (a saved poem) atomically, with a document's permissions.

    A new file gets the mode any program gives a new file, 0666 less the
    umask (0644 under the usual 022); a file replaced keeps its permission
    bits. The folder must exist: the user chose it. Raises ``OSError``, and
    then the old file is as it was and no temporary file is left behind.
    """
    target = _linked_file(path)
    try:
        kept: int | None = stat.S_IMODE(os.stat(target).st_mode) & 0o777
    except FileNotFoundError:
        kept = None  # the kernel applies the umask to the file created
    _replace(target, data, 0o666, kept)


def _linked_file(path: Path) -> Path:
    """The file a write to ``path`` replaces: ``path``, or the end of its chain of links.

    A link's target is read as the kernel reads it, relative to the link's
    own folder. A chain that loops or runs past :data:`MAX_LINKS` raises
    ``OSError`` (ELOOP), so the link is never replaced by a plain file.
    """
    target = path
    for _hop in range(MAX_LINKS):
        if not target.is_symlink():
            return target
        target = target.parent / os.readlink(target)
    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))


def _replace(path: Path, data: bytes, create_mode: int, mode: int | None) -> None:
    """Write ``data`` to a new temporary file beside ``path``, then rename it over ``path``.

    The temporary file is created with ``create_mode`` (less the umask),
    then given ``mode`` when that is not None.
    """
    _remove_abandoned_temp_files(path)
    fd, temp_name = _new_temp_file(path, create_mode)
    try:
        with os.fdopen(fd, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
            if mode is not None:
                os.chmod(temp_name, mode)
            if fcntl is not None:
                os.replace(temp_name, path)  # still locked, so no clean-up takes it first
        if fcntl is None:
            os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _new_temp_file(path: Path, create_mode: int) -> tuple[int, str]:
    """A new temporary file next to ``path``, locked where locks exist: (descriptor, name).

    Made here rather than by ``tempfile.mkstemp``, which always creates
    0600: a user's document is created as any new file is, so that the
    umask (and a folder's default ACL) decides who may read it.
    """
    while True:
        name = str(path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp"))
        try:
            fd = os.open(name, _CREATE, create_mode)
        except FileExistsError:
            continue
        if fcntl is None:
            return fd, name
        fcntl.flock(fd, fcntl.LOCK_EX)
        # Another writer's clean-up may have locked and removed it between the two calls.
        if os.fstat(fd).st_nlink > 0:
            return fd, name
        os.close(fd)


def _remove_abandoned_temp_files(path: Path) -> None:
    """Remove the temporary files of ``path`` that no living writer holds locked."""
    if fcntl is None:
        return
    for temp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            # Not through a symbolic link, and a pipe of that name cannot block the open.
            fd = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue  # renamed by its writer meanwhile, or not a file of ours
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its writer lives
                temp.unlink()
        except OSError:
            pass
        finally:
            os.close(fd)


def _fsync_directory(directory: Path) -> None:
    # Not every OS can open or fsync a directory; the rename itself has happened.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.fsync(fd)
    os.close(fd)
