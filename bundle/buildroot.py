"""The Debian 11 userland the bundle is built in, with a Python built there.

The bundle carries the Python it was built with (``libpython``, ``libssl``,
``libffi``…), and each of those asks for the glibc of the system it was
built on: built on Debian 12, the bundle needs glibc 2.36 and will not start
on Debian 11, Ubuntu 20.04 or 22.04, or RHEL 9. Built in a Debian 11
(bullseye) userland, it needs glibc 2.31 at most. Debian 11's own Python is
3.9, older than the program's 3.10, so Python 3.11 is built there from
Debian 12's source tarball (from Debian's archive, checked against its
SHA-256), ``--enable-shared`` because PyInstaller carries ``libpython``.

That userland with its Python is what :mod:`bundle.userland` caches. Each
build then installs the project's dependencies and PyInstaller in it from
PyPI (pip's downloads are cached beside it), and runs ``python -m
bundle.build --here`` there on the checkout, bound at ``/src``. So every
library the bundle carries comes from bullseye: Python's, the ones Qt
links (:data:`CARRIED`) and the X libraries (its ``apt-get download``);
and ``dist/`` is the checkout's.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from app import APP_NAME
from bundle import userland
from bundle.userland import Bind, Recipe

ROOT = Path(__file__).resolve().parent.parent
PYTHON_SOURCE = f"{userland.MIRROR}/pool/main/p/python3.11/python3.11_3.11.2.orig.tar.gz"
PYTHON_SHA256 = "2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849"
PREFIX = "/opt/python"
#: The certificates this machine trusts (Debian's and Ubuntu's bundle), lent to pip in the userland.
HOST_CERTIFICATES = Path("/etc/ssl/certs/ca-certificates.crt")
PYTHON = f"{PREFIX}/bin/python3"
#: No ``--enable-optimizations``: PGO doubles the build for a program that waits on sockets.
CONFIGURE = ("--enable-shared", f"--prefix={PREFIX}", f"LDFLAGS=-Wl,-rpath,{PREFIX}/lib")
#: What the Python build links, from bullseye; ``binutils`` (in ``build-essential``) is
#: also the ``objdump`` that :mod:`bundle.trim` and :mod:`bundle.libraries` read with.
BUILD_DEPENDS = (
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libffi-dev",
    "zlib1g-dev",
    "libbz2-dev",
    "liblzma-dev",
)
#: Libraries Qt's kept parts link that the bundle carries (or, for the X base, leaves to
#: the system, :mod:`bundle.trim`): PyInstaller takes them from the userland, so they must
#: be installed there, or the bundle leaves them out with a warning only.
CARRIED = (
    "libfontconfig1",
    "libfreetype6",
    "libdbus-1-3",
    "libxext6",
    "libx11-6",
    "libx11-xcb1",
)
#: Modules that a Python build leaves out, with a warning only, when a library is missing.
MODULES = ("ssl", "ctypes", "zlib", "bz2", "lzma", "pyexpat", "_decimal", "hashlib")

RECIPE = Recipe(
    name="bullseye-build",
    suite="bullseye",
    include=BUILD_DEPENDS + CARRIED,
    finished_by=(PYTHON_SOURCE, PYTHON_SHA256, *CONFIGURE),
)

_ENV = {
    "PATH": f"{PREFIX}/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "LANG": "C.UTF-8",
    "DEBIAN_FRONTEND": "noninteractive",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "PIP_ROOT_USER_ACTION": "ignore",
    # The checkout is bound in: no root-owned __pycache__ left in it.
    "PYTHONDONTWRITEBYTECODE": "1",
}


def build_python(root: Path) -> None:
    """Fetch and check Python's source, then configure, build and install it in the userland."""
    source = root / "usr" / "src"
    tarball = source / PYTHON_SOURCE.rsplit("/", 1)[1]
    with urllib.request.urlopen(PYTHON_SOURCE, timeout=60) as response:
        tarball.write_bytes(response.read())
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if digest != PYTHON_SHA256:
        raise RuntimeError(f"{PYTHON_SOURCE}: SHA-256 {digest}, expected {PYTHON_SHA256}")
    log = source / "python-build.log"
    steps = (
        f"tar xzf {tarball.name} && cd Python-* && ./configure {' '.join(CONFIGURE)} && "
        f"make -j{os.cpu_count() or 1} && make install && cd .. && rm -r Python-* {tarball.name}"
    )
    with log.open("w") as out:
        built = subprocess.run(
            ["/bin/sh", "-c", steps],
            env=_ENV,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=userland.entering(root, cwd="/usr/src"),
            check=False,
        )
    if built.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-30:]
        raise RuntimeError(f"building Python failed ({log}):\n" + "\n".join(tail))
    userland.run(root, [PYTHON, "-c", f"import {', '.join(MODULES)}"], _ENV)


def requirements() -> list[str]:
    """The project's dependencies and its ``bundle`` extra (PyInstaller), from its metadata."""
    wanted = []
    for requirement in importlib.metadata.requires(APP_NAME) or []:
        name, _, marker = requirement.partition(";")
        if marker.strip() in ("", 'extra == "bundle"'):
            wanted.append(name.strip())
    return wanted


def _network(env: dict[str, str]) -> tuple[list[Bind], dict[str, str]]:
    """What pip and apt-get in the userland need to reach PyPI and Debian as this machine does.

    Its name servers, its proxy settings, and the certificates it trusts
    (a network that inspects TLS has its own authority, which the
    userland, made without ``ca-certificates``, would not know).
    """
    binds = [Bind(Path("/etc/resolv.conf"), "/etc/resolv.conf", read_only=True)]
    env = {**env, **{k: v for k, v in os.environ.items() if k.lower().endswith("_proxy")}}
    if HOST_CERTIFICATES.is_file():
        binds.append(Bind(HOST_CERTIFICATES, str(HOST_CERTIFICATES), read_only=True))
        env["PIP_CERT"] = str(HOST_CERTIFICATES)
    cached = RECIPE.cached()
    if cached is not None:
        pip_cache = cached.parent / "pip"
        pip_cache.mkdir(parents=True, exist_ok=True)
        binds.append(Bind(pip_cache, "/var/cache/pip"))
        env["PIP_CACHE_DIR"] = "/var/cache/pip"
    return binds, env


def build_in_userland(work: Path) -> None:
    """``make bundle``: ready the userland, install what the build needs, build there."""
    started = time.monotonic()
    root, how = userland.ready(RECIPE, work / "userland" / RECIPE.name, build_python)
    readied = time.monotonic()
    binds, env = _network(_ENV)
    binds.append(Bind(ROOT, "/src"))

    def inside(*argv: str) -> None:
        enter = userland.entering(root, binds, cwd="/src")
        subprocess.run(argv, env=env, preexec_fn=enter, check=True)

    # Package lists go stale while a userland waits in the cache.
    inside("apt-get", "update", "-qq")
    inside(PYTHON, "-m", "pip", "install", "--quiet", *requirements())
    installed = time.monotonic()
    # Whatever an earlier build left there came from another system.
    for earlier in (work / "xlibs", work / "pyinstaller"):
        shutil.rmtree(earlier, ignore_errors=True)
    inside(PYTHON, "-m", "bundle.build", "--here")
    print(
        f"in the {RECIPE.suite} userland: {time.monotonic() - started:.0f} s; "
        f"userland {how} {readied - started:.0f} s, pip {installed - readied:.0f} s"
    )
