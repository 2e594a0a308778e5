"""The bundle on the oldest system it promises to run on: Debian 11, glibc 2.31.

Two kinds of proof, part of ``make bundle-check``. :func:`check_glibc_floor`
reads, for every ELF file in the bundle, the newest ``GLIBC_`` symbol
version it asks for: none may be newer than :data:`GLIBC_FLOOR`. The others
run the bundle in a Debian 11 userland (:mod:`bundle.userland`) holding only
what every desktop has (:data:`DESKTOP`: glibc, libGL, libX11 and libxcb,
the C++ runtime, zlib and a font), unpacked from the ``.tar.gz`` by an
ordinary user as the README says: ``--version``, ``poetry-get`` from
``poetry-server``, and the window on this machine's Xvfb, whose socket is
bound into the userland. They take root, and are skipped without it.
"""

from __future__ import annotations

import functools
import re
import shutil
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app import APP_NAME, __version__
from app.frozen import PROGRAMS
from bundle import libraries, userland, xvfb
from bundle.bare import bare_env
from bundle.checking import QUIT_SECONDS, Bundle, Failed, Skipped, demo
from bundle.userland import Bind, Recipe
from bundle.xwatch import WindowWatch

ROOT = Path(__file__).resolve().parent.parent
#: The newest glibc the bundle may ask for: Debian 11's (Ubuntu 20.04 has 2.31 too).
GLIBC_FLOOR = (2, 31)
DESKTOP = Recipe(
    name="bullseye-desktop",
    suite="bullseye",
    include=("libgl1", "libx11-6", "libxcb1", "libstdc++6", "zlib1g", "fonts-dejavu-core"),
)
#: The person who unpacks and runs the bundle in the userland: user and group id, home.
READER = 1000
HOME = "/home/reader"
#: Where the folder holding the ``.tar.gz`` is seen in the userland.
DOWNLOADS = "/mnt/downloads"


def _version(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version)) if version != (0,) else "none"


def check_glibc_floor(bundle: Bundle) -> str:
    """Every ELF file's newest ``GLIBC_`` version, listed; the newest of all is at most 2.31."""
    needs = libraries.glibc_needs(bundle.folder)
    by_version: dict[tuple[int, ...], list[str]] = {}
    for path, version in needs.items():
        by_version.setdefault(version, []).append(str(path.relative_to(bundle.folder)))
    newest = max(by_version)
    listing = "\n".join(
        f"      GLIBC {_version(version)} ({len(files)}): {', '.join(sorted(files))}"
        for version, files in sorted(by_version.items(), reverse=True)
    )
    said = (
        f"{len(needs)} ELF files need at most glibc {_version(newest)} "
        f"(floor {_version(GLIBC_FLOOR)}), set by {', '.join(sorted(by_version[newest]))}"
    )
    if newest > GLIBC_FLOOR:
        raise Failed(f"{said}\n{listing}")
    return f"{said}\n{listing}"


@dataclass(frozen=True)
class Desktop:
    """The Debian 11 desktop userland, with the bundle unpacked in the reader's home."""

    root: Path
    how: str

    @property
    def home(self) -> Path:
        """The reader's home, as this machine sees it."""
        return self.root / HOME.lstrip("/")

    @property
    def folder(self) -> str:
        """The unpacked bundle, as the userland sees it."""
        return f"{HOME}/{APP_NAME}"

    def enter(self, *binds: Bind) -> Callable[[], None]:
        return userland.entering(self.root, binds, cwd=HOME, user=READER)

    def run(self, argv: list[str], env: dict[str, str], timeout: float = 60) -> str:
        try:
            return userland.run(self.root, argv, env, cwd=HOME, user=READER, timeout=timeout)
        except subprocess.CalledProcessError as e:
            raise Failed(f"{' '.join(argv)} exited {e.returncode}: {e.stderr[-800:]}") from e


@functools.cache
def _desktop(archive: Path) -> Desktop:
    """Ready the userland, then unpack ``archive`` in an empty home, as its reader."""
    root, how = userland.ready(DESKTOP, ROOT / "build" / "userland" / DESKTOP.name)
    home = root / HOME.lstrip("/")
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    shutil.chown(home, READER, READER)
    untar = ["tar", "xzf", f"{DOWNLOADS}/{archive.name}"]
    userland.run(
        root, untar, bare_env(Path(HOME)), [Bind(archive.parent, DOWNLOADS, read_only=True)],
        cwd=HOME, user=READER,
    )  # fmt: skip
    return Desktop(root, how)


def _prepared(bundle: Bundle) -> Desktop:
    if not userland.is_possible():
        raise Skipped("a Debian 11 userland takes root")
    return _desktop(bundle.archive)


def check_debian_11_programs(bundle: Bundle) -> str:
    """Unpacked on Debian 11 by a user: ``--version``; ``poetry-get`` from ``poetry-server``."""
    desktop = _prepared(bundle)
    env = bare_env(Path(HOME))
    for name in PROGRAMS:
        out = desktop.run([f"{desktop.folder}/{name}", "--version"], env)
        if out.strip() != f"{name} {__version__}":
            raise Failed(f"{name} --version said {out.strip()!r}")
    poem = f"{desktop.folder}/_internal/app/data/poems/jingyesi.txt"
    server = subprocess.Popen(
        [f"{desktop.folder}/poetry-server", "--delay", "0", poem],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=desktop.enter(),
    )
    try:
        assert server.stdout is not None
        serving = server.stdout.readline()
        match = re.fullmatch(r"Serving .* on (127\.0\.0\.1:\d+)\n", serving)
        if not match:
            server.kill()
            raise Failed(f"poetry-server said {serving!r}, {server.communicate()[1][-800:]!r}")
        out = desktop.run([f"{desktop.folder}/poetry-get", match.group(1)], env)
        if out != (bundle.data / "poems" / "jingyesi.txt").read_text(encoding="utf-8"):
            raise Failed(f"poetry-get printed {out!r}")
        server.send_signal(signal.SIGTERM)
        if server.wait(QUIT_SECONDS) != 0:
            raise Failed(f"poetry-server exited {server.returncode} on SIGTERM")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    return (
        f"userland {desktop.how}; {__version__} from all three names; "
        f"poetry-get printed the {len(out.encode())} bytes poetry-server served"
    )


def check_debian_11_window(bundle: Bundle) -> str:
    """The demo from Debian 11 on this machine's Xvfb: window mapped and painted, a poem done."""
    if not xvfb.available():
        raise Skipped("no Xvfb here")
    desktop = _prepared(bundle)
    with xvfb.xvfb() as display:
        watch = WindowWatch(display)
        try:
            said = demo(
                [f"{desktop.folder}/{APP_NAME}", "--config-dir", f"{HOME}/config", "--demo"],
                bare_env(Path(HOME), DISPLAY=display),
                desktop.home,
                desktop.home / "config",
                desktop.enter(Bind(Path("/tmp/.X11-unix"), "/tmp/.X11-unix")),
                watch,
            )
        finally:
            watch.close()
    return f"DISPLAY={display} through /tmp/.X11-unix: {said}"


CHECKS = [check_glibc_floor, check_debian_11_programs, check_debian_11_window]
