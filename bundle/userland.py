"""A Debian userland to build or run the bundle in: made by ``debootstrap``, entered by ``chroot``.

A program built against a newer glibc asks for its newer symbols, and then
will not start on an older system. So the bundle is built inside a Debian 11
userland (the oldest system it promises to run on, :mod:`bundle.buildroot`)
and checked inside another that holds only what every desktop has
(:mod:`bundle.oldest`). Both are made from Debian's archive by
``debootstrap --variant=minbase`` from a :class:`Recipe`, and kept in a cache
keyed by the recipe, so the next build unpacks one in seconds; without the
cache they are made again.

A program enters a userland through :func:`entering`, a ``preexec_fn`` that
gives the child a mount namespace of its own, binds into it the folders it
shares with this machine, mounts ``/proc`` and ``/dev``, then ``chroot``\\ s.
Those mounts exist only in that namespace: nobody outside sees them and they
go with its last process, so an interrupted run leaves no mount behind, and
``rm -rf build`` can never walk through one into the checkout. All of it
takes root.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

MIRROR = "http://deb.debian.org/debian"
#: Where made userlands are kept between builds, unless ``POETRY_BUNDLE_CACHE`` names
#: another folder, or is empty: then none is kept, and each build makes its own.
CACHE = "/var/cache/poetry-downloader"

_CLONE_NEWNS = 0x00020000
_MS_RDONLY = 1
_MS_REMOUNT = 1 << 5
_MS_BIND = 1 << 12
_MS_REC = 1 << 14
_MS_PRIVATE = 1 << 18


def is_possible() -> bool:
    """Making and entering a userland takes root (``debootstrap``, ``mount``, ``chroot``)."""
    return os.geteuid() == 0


@dataclass(frozen=True)
class Recipe:
    """What a userland is made of. Its :meth:`key` changes whenever any of it does."""

    name: str
    suite: str
    include: tuple[str, ...]
    #: What :func:`ready`'s ``finish`` does in it after ``debootstrap`` (e.g. the
    #: source and configuration of a Python built there), in words that change with it.
    finished_by: tuple[str, ...] = ()

    def key(self) -> str:
        said = repr((self.suite, MIRROR, sorted(self.include), self.finished_by))
        return hashlib.sha256(said.encode()).hexdigest()[:16]

    def cached(self) -> Path | None:
        """The cache's copy of a userland made from this recipe (which may not exist yet)."""
        folder = os.environ.get("POETRY_BUNDLE_CACHE", CACHE)
        return Path(folder) / f"{self.name}-{self.key()}.tar.zst" if folder else None


@dataclass(frozen=True)
class Bind:
    """A folder (or file) of this machine seen at ``inside`` in the userland."""

    outside: Path
    inside: str
    read_only: bool = False


def ready(
    recipe: Recipe, root: Path, finish: Callable[[Path], None] | None = None
) -> tuple[Path, str]:
    """Make the userland at ``root`` unless it is there already; return it and how it came.

    How: ``"kept"`` (``root`` was made from this recipe before), ``"cached"``
    (unpacked from the cache) or ``"made"`` (``debootstrap``, then ``finish``,
    then saved to the cache when there is one).
    """
    stamp = root.parent / f"{root.name}.recipe"
    if root.is_dir() and stamp.is_file() and stamp.read_text() == recipe.key():
        return root, "kept"
    started = time.monotonic()
    stamp.unlink(missing_ok=True)
    if root.exists():
        shutil.rmtree(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    cached = recipe.cached()
    if cached is not None and cached.is_file():
        root.mkdir()
        subprocess.run(["tar", "-C", str(root), "--zstd", "-xpf", str(cached)], check=True)
        how = "cached"
    else:
        _debootstrap(recipe, root)
        if finish is not None:
            finish(root)
        _save(recipe, root)
        how = "made"
    stamp.write_text(recipe.key())
    print(f"{recipe.name} userland {how} in {time.monotonic() - started:.0f} s: {root}", flush=True)
    return root, how


def _debootstrap(recipe: Recipe, root: Path) -> None:
    """``debootstrap --variant=minbase`` into ``root``, installing it first if need be."""
    if shutil.which("debootstrap", path="/usr/sbin:/usr/bin:/sbin:/bin") is None:
        apt = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=apt, check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "debootstrap"], env=apt, check=True)
    partial = root.parent / f"{root.name}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    include = ["--include=" + ",".join(recipe.include)] if recipe.include else []
    subprocess.run(
        ["debootstrap", "--variant=minbase", *include, recipe.suite, str(partial), MIRROR],
        env={**os.environ, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        stdout=subprocess.DEVNULL,
        check=True,
    )
    partial.rename(root)


def _save(recipe: Recipe, root: Path) -> None:
    """Keep the made userland in the cache (written aside, then renamed: never half a file)."""
    cached = recipe.cached()
    if cached is None:
        return
    if shutil.which("zstd") is None:
        print(f"not kept for the next build: no zstd to compress {root} (apt-get install zstd)")
        return
    cached.parent.mkdir(parents=True, exist_ok=True)
    for old in cached.parent.glob(f"{recipe.name}-*.tar.zst"):
        old.unlink()  # made from an older recipe
    partial = cached.with_suffix(".partial")
    subprocess.run(
        ["tar", "-C", str(root), "-I", "zstd -T0 -3", "-cpf", str(partial), "."], check=True
    )
    partial.rename(cached)


def entering(
    root: Path, binds: Sequence[Bind] = (), cwd: str = "/", user: int | None = None
) -> Callable[[], None]:
    """A ``preexec_fn`` that moves the child into the userland at ``root``.

    It binds ``binds``, ``/dev`` and a fresh ``/proc`` in a mount namespace
    of the child's own, ``chroot``\\ s to ``root``, changes to ``cwd`` there,
    and, with ``user``, becomes that user and group id (as a person, not
    root). The mount points are made here, before the child exists.
    """
    for bind in binds:
        target = root / bind.inside.lstrip("/")
        if bind.outside.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()
    mounts = [(b"/dev", root / "dev", _MS_BIND | _MS_REC, False)] + [
        (os.fsencode(b.outside), root / b.inside.lstrip("/"), _MS_BIND | _MS_REC, b.read_only)
        for b in binds
    ]
    proc = os.fsencode(root / "proc")

    def enter() -> None:
        libc = ctypes.CDLL(None, use_errno=True)

        def mount(source: bytes | None, target: bytes, kind: bytes | None, flags: int) -> None:
            if libc.mount(source, target, kind, flags, None) != 0:
                errno = ctypes.get_errno()
                raise OSError(errno, f"mount {source!r} {target!r}: {os.strerror(errno)}")

        if libc.unshare(_CLONE_NEWNS) != 0:
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
        # Private first, so that nothing mounted below reaches the machine.
        mount(None, b"/", None, _MS_REC | _MS_PRIVATE)
        for source, target, flags, read_only in mounts:
            mount(source, os.fsencode(target), None, flags)
            if read_only:
                mount(None, os.fsencode(target), None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY)
        mount(b"proc", proc, b"proc", 0)
        os.chroot(root)
        os.chdir(cwd)
        if user is not None:
            os.setgroups([])
            os.setgid(user)
            os.setuid(user)

    return enter


def run(
    root: Path,
    argv: Sequence[str],
    env: Mapping[str, str],
    binds: Sequence[Bind] = (),
    cwd: str = "/",
    user: int | None = None,
    timeout: float | None = None,
) -> str:
    """Run ``argv`` (paths as seen inside) in the userland; its output, or CalledProcessError."""
    return subprocess.run(
        list(argv),
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
        preexec_fn=entering(root, binds, cwd, user),
    ).stdout
