"""The start-up check's parts, in this process: display names, real sockets, the plugin's libraries.

The display probes connect through the real libxcb to real listening
sockets made here (in Linux's abstract namespace, on a free TCP port, or in
a temporary directory), which answer the X connection setup as a server
would (:mod:`tests.x_server`) or, where a test says so, do not. The only
thing faked is the library lookup, in the tests of how missing libraries
are worded; the libraries' own tests read and load the real plugin.
``tests/test_start_check.py`` runs the whole check as the installed
program.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.startup import display_check, shared_libraries
from app.startup.display_check import PlatformPlugins, start_problem, wayland_problem, x_problem
from app.startup.display_probe import TIMEOUT, XDisplayRefused, x_display_silence
from app.startup.platform_packages import PROVIDERS, XCB_LIBRARIES, install_advice, packages
from app.startup.shared_libraries import load_problem, missing_file, unloadable
from tests import x_server
from tests.conftest import (
    doctored_xcb_plugin,
    free_x_display_number,
    listening_unix_socket,
    x_server_socket,
)
from tests.elf import dependencies, system_libraries

REPO = Path(__file__).resolve().parent.parent
BUNDLED = PlatformPlugins({})
XCB_PLUGIN = BUNDLED.file("xcb")
needs_bundled_qt = pytest.mark.skipif(XCB_PLUGIN is None, reason="PyQt5 brings no Qt plugins here")


# Display names and real sockets


@contextlib.contextmanager
def tcp_x_server(how: str = x_server.WELCOME, family: int = socket.AF_INET) -> Iterator[int]:
    """An X server (:mod:`tests.x_server`) on TCP port 6000+N of this machine; yields N.

    On 127.0.0.1, or on ::1 for ``AF_INET6``.
    """
    host = "::1" if family == socket.AF_INET6 else "127.0.0.1"
    for number in range(4600, 5000):
        server = socket.socket(family)
        try:
            server.bind((host, 6000 + number))
        except OSError:
            server.close()
            continue
        server.listen(8)
        try:
            with x_server.answer_x_setup(server, how):
                yield number
        finally:
            server.close()
        return
    raise RuntimeError("no free TCP port for an X display")


def libxcb_takes_socket_paths(path: Path) -> bool:
    """Whether this machine's libxcb reads a full socket path as a display (1.16 on)."""
    xcb = ctypes.CDLL("libxcb.so.1")
    host = ctypes.c_void_p()
    number, screen = ctypes.c_int(), ctypes.c_int()
    return bool(xcb.xcb_parse_display(os.fsencode(path), ctypes.byref(host), number, screen))


@pytest.mark.parametrize("name", [":{n}", ":{n}.0", "unix:{n}", "unix/:{n}"])
def test_local_display_names_reach_the_server_where_libxcb_looks(name: str) -> None:
    with x_server_socket() as number:
        assert x_display_silence(name.format(n=number)) is None


@pytest.mark.parametrize("name", ["127.0.0.1:{n}", "127.0.0.1:{n}.0", "tcp/127.0.0.1:{n}"])
def test_tcp_display_names_reach_the_server_where_libxcb_looks(name: str) -> None:
    with tcp_x_server() as number:
        assert x_display_silence(name.format(n=number)) is None


def test_an_ipv6_display_name_reaches_the_server_where_libxcb_looks() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 here")
    try:
        with tcp_x_server(family=socket.AF_INET6) as number:
            assert x_display_silence(f"[::1]:{number}") is None
    except RuntimeError:
        pytest.skip("no ::1 to listen on here")


@pytest.mark.parametrize("name", ["foo", ":", ":x", "host:", ":0.x", "nonsense/:0", "host::0", "0"])
def test_a_display_name_that_is_none_is_refused(name: str) -> None:
    with pytest.raises(ValueError):
        x_display_silence(name)


def test_a_display_with_nothing_there_does_not_answer_and_says_where_it_looked() -> None:
    number = free_x_display_number()
    silence = x_display_silence(f":{number}")
    assert silence == f"there is no socket /tmp/.X11-unix/X{number}"


def test_a_tcp_display_answers_on_port_6000_plus_its_number() -> None:
    with tcp_x_server() as number:
        assert x_display_silence(f"127.0.0.1:{number}.0") is None
    assert x_display_silence(f"127.0.0.1:{number}") == (
        f"nothing listens on 127.0.0.1 port {6000 + number}"
    )


def test_a_socket_path_display_is_taken_where_libxcb_takes_one(tmp_path: Path) -> None:
    path = tmp_path / "x"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        server.listen(8)
        if not libxcb_takes_socket_paths(path):
            with pytest.raises(ValueError):  # what Qt would be told too
                x_display_silence(str(path))
            return
        with x_server.answer_x_setup(server):
            assert x_display_silence(str(path)) is None
    assert x_display_silence(str(path)) == f"nothing listens on {path}"


def test_an_x_server_that_refuses_this_program_is_told_from_one_not_there() -> None:
    with x_server_socket(x_server.REFUSE) as number:
        with pytest.raises(XDisplayRefused):
            x_display_silence(f":{number}")
        assert x_problem({"DISPLAY": f":{number}"}) == (
            f"the X display :{number} refused this program; check that DISPLAY names a display"
            " this user may use (XAUTHORITY for another user's), or set QT_QPA_PLATFORM=offscreen"
            " to run without a screen"
        )


def test_a_socket_that_takes_connections_and_says_nothing_is_no_x_server() -> None:
    with x_server_socket(x_server.SILENT) as number:
        began = time.monotonic()
        silence = x_display_silence(f":{number}")
        took = time.monotonic() - began
    assert silence == (
        f"something accepted the connection, but no X server answered within {TIMEOUT} s"
    )
    assert TIMEOUT <= took < TIMEOUT + 0.5


def test_a_tcp_display_that_says_nothing_costs_no_more_than_the_deadline() -> None:
    with tcp_x_server(x_server.SILENT) as number:
        began = time.monotonic()
        silence = x_display_silence(f"127.0.0.1:{number}")
        took = time.monotonic() - began
    assert silence == f"127.0.0.1 port {6000 + number} did not answer in {TIMEOUT} s"
    assert TIMEOUT <= took < TIMEOUT + 0.5


# What the window needs, given the environment


def test_without_any_display_the_line_says_so_and_how_to_run_without_one() -> None:
    problem = start_problem({})
    assert problem is not None
    assert problem.startswith("cannot open a window: no display (DISPLAY is not set)")
    assert "QT_QPA_PLATFORM=offscreen" in problem


def test_an_x_display_that_answers_is_enough_even_with_a_dead_wayland_one(tmp_path: Path) -> None:
    with x_server_socket() as number:
        env = {"DISPLAY": f":{number}", "WAYLAND_DISPLAY": "gone", "XDG_RUNTIME_DIR": str(tmp_path)}
        assert x_problem(env) is None


def test_a_dead_x_display_with_a_live_wayland_one_points_to_qt_on_wayland(tmp_path: Path) -> None:
    number = free_x_display_number()
    with listening_unix_socket(tmp_path / "wayland-7"):
        env = {"WAYLAND_DISPLAY": "wayland-7", "XDG_RUNTIME_DIR": str(tmp_path)}
        assert x_problem(env) == (
            "no X display (DISPLAY is not set), and Qt 5 draws on X unless told otherwise;"
            " on this Wayland desktop, start it with QT_QPA_PLATFORM=wayland"
        )
        env["DISPLAY"] = f":{number}"
        assert x_problem(env) == (
            f"the X display :{number} does not answer (there is no socket"
            f" /tmp/.X11-unix/X{number}); on this Wayland desktop, start it with"
            " QT_QPA_PLATFORM=wayland"
        )


def test_a_chosen_wayland_display_must_answer(tmp_path: Path) -> None:
    env = {
        "QT_QPA_PLATFORM": "wayland",
        "WAYLAND_DISPLAY": "bogus",
        "XDG_RUNTIME_DIR": str(tmp_path),
    }
    assert wayland_problem(env) == (
        f"the Wayland display bogus does not answer (there is no socket {tmp_path}/bogus);"
        " start it from a Wayland session, or set WAYLAND_DISPLAY to its socket"
    )
    with x_server_socket() as number:
        env["DISPLAY"] = f":{number}"
        assert (wayland_problem(env) or "").endswith(
            f"; unset QT_QPA_PLATFORM to use the X display :{number}"
        )
    with listening_unix_socket(tmp_path / "bogus"):
        assert wayland_problem(env) is None


def test_wayland_display_may_be_an_absolute_path_and_needs_a_runtime_dir_otherwise(
    tmp_path: Path,
) -> None:
    with listening_unix_socket(tmp_path / "compositor") as path:
        assert wayland_problem({"WAYLAND_DISPLAY": str(path)}) is None
    assert "XDG_RUNTIME_DIR is not set" in (wayland_problem({"WAYLAND_DISPLAY": "wayland-0"}) or "")


def test_a_list_of_platforms_is_fine_if_one_of_them_starts(tmp_path: Path) -> None:
    env = {
        "QT_QPA_PLATFORM": "wayland;offscreen",
        "WAYLAND_DISPLAY": "gone",
        "XDG_RUNTIME_DIR": str(tmp_path),
    }
    assert start_problem(env) is None
    env["QT_QPA_PLATFORM"] = "wayland"
    assert start_problem(env) is not None


@needs_bundled_qt
def test_a_platform_qt_has_no_plugin_for_is_refused_with_the_real_choices() -> None:
    problem = start_problem({"QT_QPA_PLATFORM": "bogus"})
    assert problem is not None
    assert problem.startswith("cannot open a window: Qt has no platform called 'bogus'")
    assert "offscreen" in problem and "xcb" in problem and "wayland," in problem
    assert start_problem({"QT_QPA_PLATFORM": "OffScreen"}) is None  # Qt ignores case
    assert start_problem({"QT_QPA_PLATFORM": "offscreen:fontengine=freetype"}) is None


@pytest.mark.parametrize("value", ["foo", "host::0", "smtp/:0"])
def test_a_display_name_that_is_none_gets_one_line(value: str) -> None:
    problem = start_problem({"DISPLAY": value})
    assert problem is not None
    assert problem.startswith(f"cannot open a window: DISPLAY={value} ")
    assert problem.endswith("; set DISPLAY to the X display to use")


# Missing libraries: the lookup faked, the wording real


@needs_bundled_qt
def test_missing_libraries_are_named_with_their_packages_for_both_families(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gone = ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-xinerama.so.0"]
    said = {
        name: f"{name}: cannot open shared object file: No such file or directory" for name in gone
    }
    monkeypatch.setattr(display_check, "load_problem", lambda path: said[gone[0]])
    monkeypatch.setattr(display_check, "unloadable", lambda path: dict(said))
    with x_server_socket() as number:
        problem = start_problem({"DISPLAY": f":{number}"})
    assert problem == (
        "cannot open a window: Qt's xcb platform needs libxcb-icccm.so.4, libxcb-keysyms.so.1,"
        " libxcb-xinerama.so.0, which are not installed; install them with: sudo apt-get install"
        " libxcb-icccm4 libxcb-keysyms1 libxcb-xinerama0 (Debian, Ubuntu) or sudo dnf install"
        " xcb-util-wm xcb-util-keysyms libxcb (Fedora)"
    )


def test_advice_for_a_library_the_table_does_not_know() -> None:
    assert install_advice(["libnew.so.1"]) == "install the package that provides it"
    assert (
        install_advice(["libnew.so.1", "libnew.so.2"]) == "install the packages that provide them"
    )
    assert install_advice(["libxcb-util.so.1", "libnew.so.1"]) == (
        "install them with: sudo apt-get install libxcb-util1 (Debian, Ubuntu) or sudo dnf"
        " install xcb-util (Fedora), and the packages that provide libnew.so.1"
    )


# The libraries themselves: the real plugin, read and loaded


@needs_bundled_qt
def test_the_plugins_needed_libraries_are_read_from_its_elf_file() -> None:
    assert XCB_PLUGIN is not None
    deps = dependencies(XCB_PLUGIN)
    assert {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libQt5XcbQpa.so.5"} <= set(deps.needed)
    assert any((Path(place) / "libQt5XcbQpa.so.5").is_file() for place in deps.runpath)


def test_files_that_are_not_libraries_are_refused(tmp_path: Path) -> None:
    (tmp_path / "text").write_text("not ELF at all")
    (tmp_path / "short").write_bytes(b"\x7fELF\x02\x01\x01" + b"\0" * 60)
    for name in ("text", "short"):
        with pytest.raises(ValueError):
            dependencies(tmp_path / name)
    # The loader refuses them too, and says why, under the file's own name.
    text = str(tmp_path / "text")
    found = unloadable(["libc.so.6", text, "libsurely-not-installed-here.so.7"])
    assert list(found) == [text, "libsurely-not-installed-here.so.7"]
    assert missing_file(found[text]) is None
    assert missing_file(found["libsurely-not-installed-here.so.7"]) is not None


@pytest.mark.parametrize("loader", ["lazy, as Qt", "ctypes"])
def test_the_loader_names_a_missing_library(loader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if loader == "ctypes":  # where the C library's dlopen cannot be reached
        monkeypatch.setattr(shared_libraries, "_lazy_loader", lambda: None)
    message = load_problem("libsurely-not-installed-here.so.7")
    assert message is not None
    assert missing_file(message) == "libsurely-not-installed-here.so.7"
    assert load_problem("libc.so.6") is None


@needs_bundled_qt
def test_every_missing_library_of_a_real_plugin_is_found(tmp_path: Path) -> None:
    plugin = doctored_xcb_plugin(tmp_path, b"libxcb-icccm.so.4", b"libxcb-icccm.so.0")
    problem = load_problem(plugin)
    assert problem is not None and missing_file(problem) is not None
    # What the plugin really needs from the system and cannot have: read from
    # the ELF files here, asked of the loader by name in the application.
    problems = {name: load_problem(name) for name in system_libraries(plugin)}
    found = {missing_file(said) or name for name, said in problems.items() if said is not None}
    assert "libxcb-icccm.so.0" in found
    problem = display_check.library_problem("xcb", [plugin])
    if found == {"libxcb-icccm.so.0"}:  # a machine with Qt's X libraries installed
        assert problem == (
            "Qt's xcb platform needs libxcb-icccm.so.0, which is not installed; install the"
            " package that provides it"
        )
    else:  # a fresh machine: the real ones are named too, none left out
        assert problem is not None
        assert problem.startswith("Qt's xcb platform needs ")
        for name in found:
            assert name in problem, name


@needs_bundled_qt
def test_a_plugin_that_does_not_load_is_no_problem_if_qts_own_does(tmp_path: Path) -> None:
    # Qt tries QT_QPA_PLATFORM_PLUGIN_PATH first, then its own plugins.
    if load_problem(XCB_PLUGIN or "") is not None:
        pytest.skip("Qt's own X plugin cannot load here either (see the README's apt-get line)")
    plugin = doctored_xcb_plugin(tmp_path, b"libxcb-icccm.so.4", b"libxcb-icccm.so.0")
    env = {"QT_QPA_PLATFORM_PLUGIN_PATH": str(plugin.parent)}
    assert PlatformPlugins(env).files("xcb") == [plugin, XCB_PLUGIN]
    with x_server_socket() as number:
        env["DISPLAY"] = f":{number}"
        assert start_problem(env) is None


# The one table, and every place that lists its packages


@needs_bundled_qt
def test_the_x_library_list_is_what_the_real_plugin_loads_from_the_system() -> None:
    assert XCB_PLUGIN is not None
    assert system_libraries(XCB_PLUGIN) == set(XCB_LIBRARIES)
    assert set(XCB_LIBRARIES) <= set(PROVIDERS)


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian system")
def test_the_debian_names_are_the_packages_that_own_the_files_here() -> None:
    # Exact paths, in both halves of a merged /usr: dpkg-query matches them
    # in a fraction of a second, and takes seconds over "*/NAME" patterns.
    arch = sysconfig.get_config_var("MULTIARCH") or ""
    places = [f"{root}/{arch}/{soname}" for soname in PROVIDERS for root in ("/usr/lib", "/lib")]
    found = subprocess.run(
        ["dpkg-query", "-S", *places],
        capture_output=True,
        text=True,
        check=False,  # 1 when some are not installed here: those are not checked
    )
    owners: dict[str, str] = {}
    for line in found.stdout.splitlines():
        package, _, path = line.partition(": ")
        soname = path.rpartition("/")[2]
        if soname in PROVIDERS:
            owners[soname] = package.split(":")[0]
    assert owners, "dpkg knows none of the libraries"
    wrong = {s: (owners[s], PROVIDERS[s][0]) for s in owners if owners[s] != PROVIDERS[s][0]}
    assert wrong == {}


@pytest.mark.parametrize("readme_name", ["README.md", "README.zh-CN.md"])
def test_readme_and_ci_install_what_the_table_says_a_bare_system_needs(readme_name) -> None:
    readme = (REPO / readme_name).read_text(encoding="utf-8")
    apt = re.search(r"sudo apt-get install (libxcb[^\n`]+)", readme)
    dnf = re.search(r"sudo dnf install (libxcb[^\n`]+)", readme)
    assert apt and dnf, f"{readme_name} has no apt-get or dnf line"
    assert apt.group(1).split() == packages(XCB_LIBRARIES, "debian")
    assert dnf.group(1).split() == packages(XCB_LIBRARIES, "fedora")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m app.startup.display_check --packages debian" in ci


#: Starts the start-up check as a bare system's Python would: none of the
#: project's dependencies importable, only the standard library and ``app``.
BARE_PYTHON = """
import runpy, sys
class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {"twisted", "PyQt5", "qt5reactor", "zope", "attr"}:
            raise ModuleNotFoundError(f"No module named {name!r}")
sys.meta_path.insert(0, NotInstalled())
sys.argv = ["display_check", *sys.argv[1:]]
runpy.run_module("app.startup.display_check", run_name="__main__")
"""


def test_the_package_list_comes_from_a_python_with_nothing_installed() -> None:
    # CI, and a person on a bare system, ask for the packages before the
    # project's dependencies are installed: no Twisted, no Qt.
    listed = subprocess.run(
        [sys.executable, "-c", BARE_PYTHON, "--packages", "debian"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert (listed.returncode, listed.stderr) == (0, "")
    assert listed.stdout.split() == packages(XCB_LIBRARIES, "debian")
