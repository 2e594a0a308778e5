"""``make bundle-check``: does the built bundle work on a machine without Python?

``python -m bundle.check [FOLDER]`` (default ``dist/poetry-downloader``)
runs each check below against the built folder and its ``.tar.gz``, always
in the bare environment of :mod:`bundle.bare` and from a scratch directory,
never the repository. Prints one line per check and ``N passed, N failed``;
exits 1 if any failed. The X server checks are skipped where Xvfb is missing, and
those in a Debian 11 userland (:mod:`bundle.oldest`) without root.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from app import APP_NAME, __version__
from app.frozen import PROGRAMS
from bundle import hide, libraries, oldest, trim, xlibs, xvfb
from bundle.bare import bare_env
from bundle.checking import QUIT_SECONDS, Bundle, Failed, Skipped, demo, run

ROOT = Path(__file__).resolve().parent.parent
#: The largest download the bundle may be.
MAX_ARCHIVE_BYTES = 45_000_000


def check_layout(bundle: Bundle) -> str:
    """One executable and its two names; the poems, icons and entry template; the X libraries."""
    if not (bundle.executable.is_file() and os.access(bundle.executable, os.X_OK)):
        raise Failed(f"no executable {bundle.executable}")
    for name in PROGRAMS[1:]:
        if (bundle.folder / name).resolve() != bundle.executable.resolve():
            raise Failed(f"{name} is not a link to {APP_NAME}")
    poems = sorted(p.name for p in (ROOT / "resources" / "poems").glob("*.txt"))
    bundled = sorted(p.name for p in (bundle.data / "poems").glob("*.txt"))
    if bundled != poems:
        raise Failed(f"poems {bundled} instead of {poems}")
    wanted = [bundle.data / f"{APP_NAME}.desktop", bundle.data / "icons" / f"{APP_NAME}.svg"]
    wanted += [
        bundle.data / p.relative_to(ROOT / "resources")
        for p in (ROOT / "resources" / "icons" / "hicolor").glob("*/apps/*.png")
    ]
    missing = [str(p.relative_to(bundle.folder)) for p in wanted if not p.is_file()]
    internal = bundle.folder / "_internal"
    xlib_names = [p.name for p in xlibs.libraries(xlibs.library_dir(ROOT / "build" / "xlibs"))]
    missing += [name for name in xlib_names if not (internal / name).is_file()]
    if missing:
        raise Failed(f"missing {', '.join(missing)}")
    return (
        f"3 programs, {len(bundled)} poems, {len(wanted) - 1} icons, {len(xlib_names)} X libraries"
    )


def check_qt_parts(bundle: Bundle) -> str:
    """Qt's xcb and offscreen platforms and zh_CN and en translations, and no others."""
    qt = bundle.folder / "_internal" / trim.QT
    platforms = sorted(p.name for p in (qt / "plugins" / "platforms").iterdir())
    if platforms != ["libqoffscreen.so", "libqxcb.so"]:
        raise Failed(f"platform plugins {platforms}")
    translations = sorted(p.name for p in (qt / "translations").iterdir())
    if "qtbase_zh_CN.qm" not in translations or not all(
        name.endswith(("_zh_CN.qm", "_en.qm")) for name in translations
    ):
        raise Failed(f"translations {translations}")
    unwanted = [
        p.name for p in (qt / "lib").iterdir() if re.search(r"Qml|Quick|Wayland|Web", p.name)
    ]
    if unwanted:
        raise Failed(f"unused Qt libraries {unwanted}")
    return f"platforms {', '.join(platforms)}; translations {', '.join(translations)}"


def check_libraries(bundle: Bundle) -> str:
    """Every library each file links is in the bundle or in the README's short system list."""
    found = libraries.linkage(bundle.folder)
    if found.not_found:
        raise Failed(f"not found: {found.not_found}")
    if found.unexpected:
        raise Failed(f"taken from this machine, not carried: {found.unexpected}")
    glibc = ".".join(map(str, found.glibc))
    system = sorted(found.from_system)
    return f"needs glibc >= {glibc}, GLIBCXX_3.4.{found.glibcxx}; from the system: {system}"


def check_archive(bundle: Bundle) -> str:
    """The ``.tar.gz`` holds exactly the folder, links as links, within the size limit."""
    size = bundle.archive.stat().st_size
    if size > MAX_ARCHIVE_BYTES:
        raise Failed(f"{size / 1e6:.1f} MB, over {MAX_ARCHIVE_BYTES / 1e6:.0f} MB")
    with tarfile.open(bundle.archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
    on_disk = {
        str(Path(bundle.folder.name) / p.relative_to(bundle.folder))
        for p in bundle.folder.rglob("*")
    }
    on_disk.add(bundle.folder.name)
    if set(members) != on_disk:
        raise Failed(f"archive and folder differ: {sorted(set(members) ^ on_disk)[:5]}")
    for name in PROGRAMS[1:]:
        if not members[f"{bundle.folder.name}/{name}"].issym():
            raise Failed(f"{name} is not a link in the archive")
    return f"{bundle.archive.name}: {size / 1e6:.1f} MB"


def check_versions(bundle: Bundle) -> str:
    """``--version`` under each name, and through a link from another folder (``~/bin``)."""
    home = bundle.home("versions")
    elsewhere = home / "bin"
    elsewhere.mkdir()
    for name in PROGRAMS:
        (elsewhere / name).symlink_to(bundle.folder.resolve() / name)
        for program in (bundle.folder.resolve() / name, elsewhere / name):
            out = run([str(program), "--version"], bare_env(home), cwd=home)
            if out.strip() != f"{name} {__version__}":
                raise Failed(f"{program} --version said {out.strip()!r}")
    return f"{__version__} from all three names, in place and linked from elsewhere"


def _demo(
    bundle: Bundle, home: Path, env: dict[str, str], hide: Callable[[], None] | None = None
) -> str:
    """A first start of the window with the demo servers, in ``home``; ``hide`` hides libraries."""
    config = home / "config"
    argv = [str(bundle.executable), "--config-dir", str(config), "--demo"]
    return demo(argv, env, home, config, hide)


def check_demo_offscreen(bundle: Bundle) -> str:
    """A first start with the demo servers, no screen (``QT_QPA_PLATFORM=offscreen``)."""
    home = bundle.home("offscreen")
    return _demo(bundle, home, bare_env(home, QT_QPA_PLATFORM="offscreen"))


def check_demo_xvfb(bundle: Bundle) -> str:
    """The same on an X server, with every system copy of a library the bundle carries hidden.

    Only glibc, libGL, the X base, the C++ runtime and zlib stay visible (see
    :mod:`bundle.hide`). First the virtual environment's Qt is started with
    only the X libraries hidden, a machine where ``make run`` fails, and must
    fail there, or the hiding proved nothing.
    """
    if not xvfb.available():
        raise Skipped("no Xvfb here")
    home = bundle.home("xvfb")
    carried = [
        p.name
        for p in (bundle.folder / "_internal").iterdir()
        if ".so" in p.name and not libraries.is_system(p.name)
    ]
    hidden = hide.system_copies(carried)
    xlib_names = [p.name for p in xlibs.libraries(xlibs.library_dir(ROOT / "build" / "xlibs"))]
    with xvfb.xvfb() as display:
        env = bare_env(home, DISPLAY=display)
        if not hide.can_hide():
            return f"DISPLAY={display}, nothing hidden (not root): " + _demo(bundle, home, env)
        control = subprocess.run(
            [sys.executable, "-c", "from PyQt5.QtWidgets import QApplication; QApplication([])"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=hide.hiding(hide.system_copies(xlib_names)),
        )
        complaint = [line for line in control.stderr.splitlines() if "xcb" in line]
        if control.returncode == 0 or not complaint:
            raise Failed(f"the virtual environment's Qt did not miss the X libraries: {control}")
        said = _demo(bundle, home, env, hide.hiding(hidden))
        return (
            f"DISPLAY={display}; without the X libraries the virtual environment's Qt says "
            f"{complaint[0]!r}; the bundle, with {len(hidden)} system libraries hidden: {said}"
        )


def check_get_from_server(bundle: Bundle) -> str:
    """``poetry-get`` prints exactly the poem the bundled ``poetry-server`` serves."""
    home = bundle.home("get")
    poem = bundle.data / "poems" / "jingyesi.txt"
    env = bare_env(home)
    server = subprocess.Popen(
        [str(bundle.folder / "poetry-server"), "--delay", "0", str(poem)],
        env=env,
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        serving = server.stdout.readline()
        match = re.fullmatch(r"Serving .* on (127\.0\.0\.1:\d+)\n", serving)
        if not match:
            server.kill()
            raise Failed(f"poetry-server said {serving!r}, {server.communicate()[1][-800:]!r}")
        out = run([str(bundle.folder / "poetry-get"), match.group(1)], env, cwd=home)
        if out != poem.read_text(encoding="utf-8"):
            raise Failed(f"poetry-get printed {out!r}")
        server.send_signal(signal.SIGTERM)
        server.wait(QUIT_SECONDS)
        if server.returncode != 0:
            raise Failed(f"poetry-server exited {server.returncode} on SIGTERM")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    return f"{poem.name}, {len(out.encode())} bytes, from {match.group(1)}; server exit 0"


def check_desktop_entry(bundle: Bundle) -> str:
    """``--install-desktop-entry`` writes an entry whose Exec is the bundle's executable."""
    home = bundle.home("desktop")
    out = run([str(bundle.executable), "--install-desktop-entry"], bare_env(home), cwd=home)
    entry = home / ".local" / "share" / "applications" / f"{APP_NAME}.desktop"
    if not entry.is_file():
        raise Failed(f"no {entry}: {out}")
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(entry, encoding="utf-8")
    exec_line = parser["Desktop Entry"]["Exec"]
    # The entry quotes a path with spaces much as a shell would (app/startup/desktop_entry.py).
    if shlex.split(exec_line) != [str(bundle.executable.resolve())]:
        raise Failed(f"Exec={exec_line}")
    icon = home / ".local" / "share" / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_NAME}.svg"
    if not icon.is_file():
        raise Failed("no icon installed")
    return f"Exec={exec_line}"


def check_chinese(bundle: Bundle) -> str:
    """The compiled Chinese catalogue is carried, and ``poetry-get --help`` speaks it."""
    home = bundle.home("chinese")
    catalogue = bundle.folder / "_internal" / "app" / "i18n" / "locale" / "zh_CN" / "LC_MESSAGES"
    if not (catalogue / f"{APP_NAME}.mo").is_file():
        raise Failed(f"no {APP_NAME}.mo in {catalogue}")
    env = bare_env(home, LANG="zh_CN.UTF-8")
    out = run([str(bundle.folder / "poetry-get"), "--help"], env, cwd=home)
    if not re.search(r"[\u4e00-\u9fff]", out):
        raise Failed(f"poetry-get --help under LANG=zh_CN.UTF-8 is not Chinese: {out[:200]!r}")
    return f"{APP_NAME}.mo; poetry-get --help: {out.splitlines()[0][:40]}"


CHECKS: list[Callable[[Bundle], str]] = [
    check_layout,
    check_qt_parts,
    check_libraries,
    check_archive,
    check_versions,
    check_demo_offscreen,
    check_demo_xvfb,
    check_get_from_server,
    check_desktop_entry,
    check_chinese,
    *oldest.CHECKS,
]


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else ROOT / "dist" / APP_NAME
    if not folder.is_dir():
        print(f"no bundle at {folder}: run `make bundle` first", file=sys.stderr)
        return 2
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory(prefix="bundle-check-") as work:
        bundle = Bundle(folder.resolve(), Path(work))
        for check in CHECKS:
            name = check.__name__.removeprefix("check_")
            started = time.monotonic()
            try:
                said = check(bundle)
            except Skipped as e:
                skipped += 1
                print(f"skip  {name}: {e}", flush=True)
                continue
            except Failed as e:
                failed += 1
                print(f"FAIL  {name}: {e}", flush=True)
                continue
            except Exception as e:  # a check that breaks is a failure, not the end of the run
                failed += 1
                print(f"FAIL  {name}: {type(e).__name__}: {e}", flush=True)
                continue
            passed += 1
            print(f"ok    {name} ({time.monotonic() - started:.1f} s): {said}", flush=True)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
