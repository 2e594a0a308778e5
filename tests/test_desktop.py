"""Desktop integration: the installed entry launches this install, even from odd paths.

The ``Exec=`` value is checked by parsing it back the way the Desktop Entry
specification tells launchers to (string escapes, then field codes and
quoting), so a quoting mistake shows up as a different argv, which is what a
user would get when double-clicking.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.resources import resources_dir
from app.startup import desktop_entry as desktop
from app.startup.desktop_entry import (
    APP_ID,
    SH_EXEC_WRAPPER,
    desktop_entry_text,
    install_desktop_entry,
    quote_exec_argument,
)

SIZES = (16, 32, 48, 64, 128, 256)
RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


# -- a reader written from the specification -------------------------------------------


def unescape_string(value: str) -> str:
    """Undo the spec's string-type escapes: \\s \\n \\t \\r \\\\."""
    out: list[str] = []
    chars = iter(value)
    for ch in chars:
        if ch != "\\":
            out.append(ch)
            continue
        nxt = next(chars, None)
        mapping = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
        assert nxt in mapping, f"undefined string escape \\{nxt} in {value!r}"
        out.append(mapping[nxt])
    return "".join(out)


def parse_exec(value: str) -> list[str]:
    """Split an unescaped Exec value into argv, strictly per the spec.

    Refuses anything the spec forbids: reserved characters outside quotes,
    undefined backslash escapes inside quotes, field codes other than %%.
    """
    argv: list[str] = []
    current: list[str] | None = None
    in_quotes = False
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "%":
            assert value[i + 1 : i + 2] == "%", f"unexpected field code in {value!r}"
            current = (current or []) + ["%"]
            i += 2
            continue
        if in_quotes:
            if ch == "\\":
                nxt = value[i + 1 : i + 2]
                assert nxt in {'"', "`", "$", "\\"}, f"bad escape \\{nxt} in {value!r}"
                current = (current or []) + [nxt]
                i += 2
                continue
            if ch == '"':
                in_quotes = False
            else:
                current = (current or []) + [ch]
        elif ch == " ":
            if current is not None:
                argv.append("".join(current))
                current = None
        elif ch == '"':
            assert current is None, f"quote inside an unquoted argument in {value!r}"
            in_quotes = True
            current = []
        else:
            assert ch not in RESERVED, f"unquoted reserved {ch!r} in {value!r}"
            current = (current or []) + [ch]
        i += 1
    assert not in_quotes, f"unterminated quote in {value!r}"
    if current is not None:
        argv.append("".join(current))
    return argv


def read_entry(path_or_text: Path | str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    if isinstance(path_or_text, Path):
        parser.read_string(path_or_text.read_text(encoding="utf-8"))
    else:
        parser.read_string(path_or_text)
    return parser["Desktop Entry"]


def exec_argv_of(text: str) -> list[str]:
    """The argv a launcher runs for this entry, seen through the ``sh`` wrapper."""
    argv = parse_exec(unescape_string(read_entry(text)["Exec"]))
    if argv[:3] == list(SH_EXEC_WRAPPER):
        assert "%" in argv[3], "the wrapper is only for programs with % in their path"
        return argv[3:]
    return argv


# -- quoting ------------------------------------------------------------------------------

AWKWARD = [
    "/opt/My Apps/venv/bin/poetry-downloader",
    '/home/ann/"quoted" dir/bin/poetry-downloader',
    "/home/ann/$HOME/`id`/bin/poetry-downloader",
    "/srv/100% sure/bin/poetry-downloader",
    "/srv/100%/bin/poetry-downloader",
    "/srv/back\\slash dir\\/bin/poetry-downloader",
    "/tmp/tab\there/new\nline/python",
    "/tmp/it's (mine) & yours; ok? #1 ~ * <a|b>/python",
    "/tmp/emoji 🐍 ünïcode/python",
    "/plain/path/python",
    " leading and trailing ",
    "=equals=",
]


@pytest.mark.parametrize("path", AWKWARD)
def test_exec_round_trips_awkward_paths(path: str) -> None:
    argv = [path, "-m", "app", ""]
    assert exec_argv_of(desktop_entry_text(argv)) == argv


@given(st.lists(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\0"))))
def test_exec_round_trips_any_argv(args: list[str]) -> None:
    argv = ["/opt/x y/python", *args]
    assert exec_argv_of(desktop_entry_text(argv)) == argv


def test_quote_exec_argument_matches_the_spec_examples() -> None:
    assert quote_exec_argument("/usr/bin/app") == "/usr/bin/app"
    assert quote_exec_argument("/a b/app") == '"/a b/app"'
    assert quote_exec_argument('say "hi"') == '"say \\"hi\\""'
    assert quote_exec_argument("$x`y`\\") == '"\\$x\\`y\\`\\\\"'
    assert quote_exec_argument("50%") == "50%%"
    assert quote_exec_argument("") == '""'
    # In the file, a literal backslash inside quotes is four backslashes and a
    # dollar is \\$, as the spec's own example says.
    line = next(
        ln for ln in desktop_entry_text(["/a\\b $c"]).splitlines() if ln.startswith("Exec=")
    )
    assert line == 'Exec="/a\\\\\\\\b \\\\$c"'


PROBE = (
    "#!/bin/sh\n"
    'out="$(dirname "$0")/argv"; : > "$out"\n'
    'for a in "$0" "$@"; do printf "%s\\0" "$a" >> "$out"; done\n'
)


def make_probe(directory: Path) -> Path:
    """A program that records the argv it was started with, NUL-separated."""
    directory.mkdir(parents=True)
    probe = directory / "probe"
    probe.write_text(PROBE)
    probe.chmod(0o755)
    return probe


def recorded_argv(probe: Path) -> list[str]:
    return (probe.parent / "argv").read_text().split("\0")[:-1]


def test_program_with_percent_runs_through_sh(tmp_path: Path) -> None:
    probe = make_probe(tmp_path / "100% sure")
    text = desktop_entry_text([str(probe), "50%", "a b"])
    wrapped = parse_exec(unescape_string(read_entry(text)["Exec"]))
    assert wrapped == [*SH_EXEC_WRAPPER, str(probe), "50%", "a b"]
    assert unescape_string(read_entry(text)["TryExec"]) == str(probe)
    subprocess.run(wrapped, check=True, timeout=10)
    assert recorded_argv(probe) == [str(probe), "50%", "a b"]


LAUNCH_DIRS = ["plain", "with space", "$HOME 100% sure", "q\"uote `x` back\\slash it's=1"]


@pytest.mark.skipif(not shutil.which("gio"), reason="needs GLib's gio to launch entries")
@pytest.mark.parametrize("name", LAUNCH_DIRS)
def test_glib_launches_the_entry_with_the_same_argv(tmp_path: Path, name: str) -> None:
    """A real launcher (GLib, as GNOME's menu uses) gets the argv back intact."""
    probe = make_probe(tmp_path / name)
    argv = [str(probe), "a b", "50%", "$HOME", "", "tab\there", "x\\y", 'q"d', "~"]
    entry = tmp_path / "probe.desktop"
    entry.write_text(desktop_entry_text(argv), encoding="utf-8")
    subprocess.run(["gio", "launch", str(entry)], check=True, timeout=10, capture_output=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and recorded_argv_or_none(probe) != argv:
        time.sleep(0.05)
    assert recorded_argv_or_none(probe) == argv


def recorded_argv_or_none(probe: Path) -> list[str] | None:
    try:
        return recorded_argv(probe)
    except FileNotFoundError:
        return None


def test_arguments_that_cannot_be_written_are_refused() -> None:
    with pytest.raises(ValueError):
        quote_exec_argument("a\0b")
    with pytest.raises(ValueError):
        desktop_entry_text(["/tmp/\udcff/python"])
    with pytest.raises(ValueError):
        desktop_entry_text([])


# -- the installed entry --------------------------------------------------------------


def check_required_keys(entry: configparser.SectionProxy) -> None:
    """What desktop-file-validate would insist on, for when it is not installed."""
    for key in entry:
        assert re.fullmatch(r"[A-Za-z0-9-]+(\[[^\]]+\])?", key), key
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Poetry Downloader"
    assert entry["GenericName"]
    assert entry["Comment"]
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    assert entry["StartupNotify"] in {"true", "false"}
    assert entry["StartupWMClass"]
    assert entry["Exec"]
    categories = entry["Categories"]
    assert categories.endswith(";")
    assert {"Network", "Education", "Qt"} <= set(categories.rstrip(";").split(";"))
    assert entry["Keywords"].endswith(";")


def test_install_writes_entry_for_a_path_with_spaces(tmp_path: Path) -> None:
    program = str(tmp_path / "My Apps" / "Poetry $Downloader" / "bin" / "poetry-downloader")
    path = install_desktop_entry(tmp_path / "data home", executable=program)

    assert path == tmp_path / "data home" / "applications" / "poetry-downloader.desktop"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("[Desktop Entry]\n")
    entry = read_entry(path)
    check_required_keys(entry)
    assert parse_exec(unescape_string(entry["Exec"])) == [program]
    assert unescape_string(entry["TryExec"]) == program
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)
    # No temporary files left behind next to the entry.
    assert [p.name for p in path.parent.iterdir()] == ["poetry-downloader.desktop"]


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="no desktop-file-validate")
def test_installed_entry_passes_desktop_file_validate(tmp_path: Path) -> None:
    path = install_desktop_entry(tmp_path, executable="/opt/a b/poetry-downloader")
    result = subprocess.run(
        ["desktop-file-validate", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


def test_template_itself_has_the_required_keys() -> None:
    check_required_keys(read_entry(resources_dir() / "poetry-downloader.desktop"))


def test_install_copies_every_icon(tmp_path: Path) -> None:
    install_desktop_entry(tmp_path, executable="/usr/bin/poetry-downloader")
    hicolor = tmp_path / "icons" / "hicolor"
    source = resources_dir() / "icons"
    svg = hicolor / "scalable" / "apps" / "poetry-downloader.svg"
    assert svg.read_bytes() == (source / "poetry-downloader.svg").read_bytes()
    for n in SIZES:
        rel = Path(f"{n}x{n}") / "apps" / "poetry-downloader.png"
        assert (hicolor / rel).read_bytes() == (source / "hicolor" / rel).read_bytes()


def test_install_again_replaces_the_entry(tmp_path: Path) -> None:
    install_desktop_entry(tmp_path, executable="/old/poetry-downloader")
    path = install_desktop_entry(tmp_path, executable="/new place/poetry-downloader")
    assert exec_argv_of(path.read_text(encoding="utf-8")) == ["/new place/poetry-downloader"]


def test_default_exec_prefers_the_script_beside_the_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "venv with space" / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    python.write_text("")
    monkeypatch.setattr(sys, "executable", str(python))

    assert desktop.default_exec_argv() == [str(python), "-m", "app"]

    script = bin_dir / "poetry-downloader"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    path = install_desktop_entry(tmp_path / "share")
    assert exec_argv_of(path.read_text(encoding="utf-8")) == [str(script)]


def test_a_frozen_bundle_launches_its_own_executable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In the bundle sys.executable is the bundle's executable, which has no
    # `-m app`; a python beside it (there is none) must not be guessed at.
    bundle = tmp_path / "Poetry Downloader 100%" / "poetry-downloader"
    bundle.mkdir(parents=True)
    executable = bundle / "poetry-downloader"
    executable.write_text("")
    executable.chmod(0o755)
    (bundle / "poetry-get").symlink_to("poetry-downloader")
    monkeypatch.setattr(sys, "frozen", True, raising=False)

    for started_as in ("poetry-downloader", "poetry-get"):
        monkeypatch.setattr(sys, "executable", str(bundle / started_as))
        assert desktop.default_exec_argv() == [str(executable)]
        path = install_desktop_entry(tmp_path / "share")
        assert exec_argv_of(path.read_text(encoding="utf-8")) == [str(executable)]

    # Renamed by its user, the executable still opens the window: name it, never `-m app`.
    renamed = executable.rename(bundle / "poems")
    monkeypatch.setattr(sys, "executable", str(renamed))
    assert desktop.default_exec_argv() == [str(renamed)]


def test_default_data_home_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    path = install_desktop_entry(executable="/usr/bin/poetry-downloader")
    assert path == tmp_path / "xdg" / "applications" / "poetry-downloader.desktop"

    monkeypatch.setenv("XDG_DATA_HOME", "relative/is/ignored")
    assert desktop.default_data_home() == tmp_path / "home" / ".local" / "share"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert desktop.default_data_home() == tmp_path / "home" / ".local" / "share"


# -- the icon -------------------------------------------------------------------------


def test_svg_icon_renders() -> None:
    from PyQt5.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(resources_dir() / "icons" / "poetry-downloader.svg"))
    assert renderer.isValid()
    assert renderer.defaultSize().width() == renderer.defaultSize().height() == 256


@pytest.mark.parametrize("n", SIZES)
def test_png_icons_have_their_size_and_a_transparent_corner(n: int) -> None:
    from PyQt5.QtGui import QColor, QImage

    png = resources_dir() / "icons" / "hicolor" / f"{n}x{n}" / "apps" / "poetry-downloader.png"
    image = QImage(str(png))
    assert not image.isNull()
    assert (image.width(), image.height()) == (n, n)
    assert image.hasAlphaChannel()
    assert QColor.fromRgba(image.pixel(0, 0)).alpha() == 0
    assert QColor.fromRgba(image.pixel(n // 2, n // 2)).alpha() == 255


def test_icon_files_lists_every_size() -> None:
    found = desktop.icon_files()
    assert set(found) == {"scalable", *(f"{n}x{n}" for n in SIZES)}
    assert all(p.is_file() for p in found.values())


def test_resources_match_the_package_data_globs() -> None:
    """pyproject ships app.data files by "**/*.svg" etc.; ours must be picked up."""
    root = resources_dir()
    shipped = {
        p.relative_to(root)
        for pattern in ("**/*.svg", "**/*.png", "**/*.desktop")
        for p in root.glob(pattern)
    }
    assert Path("poetry-downloader.desktop") in shipped
    assert Path("icons/poetry-downloader.svg") in shipped
    for n in SIZES:
        assert Path(f"icons/hicolor/{n}x{n}/apps/poetry-downloader.png") in shipped


def test_the_entry_speaks_chinese_to_a_chinese_desktop(tmp_path: Path) -> None:
    """An entry carries its own translations: a zh_CN desktop shows Name[zh_CN]."""
    entry = read_entry(install_desktop_entry(tmp_path, executable="/usr/bin/poetry-downloader"))
    assert entry["Name[zh_CN]"] == "诗歌下载器"
    assert entry["GenericName[zh_CN]"] == "诗歌下载客户端"
    assert entry["Comment[zh_CN]"].startswith("同时从多个诗歌服务器下载诗歌")
    keywords = entry["Keywords[zh_CN]"]
    assert keywords.endswith(";") and "诗歌" in keywords.split(";")
