"""The bundle's build rules, without building it (``make bundle-check`` checks the real one)."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import PyQt5
import pytest

from bundle import buildroot, libraries, oldest, trim, userland, xlibs
from bundle.build import archive_name, pack
from bundle.checking import Bundle, Failed
from bundle.userland import Bind, Recipe

QT = Path(PyQt5.__file__).parent / "Qt5"


def binary(relative: str) -> trim.Entry:
    return (f"PyQt5/Qt5/{relative}", str(QT / relative), "BINARY")


def test_only_what_the_kept_plugins_link_is_kept() -> None:
    libs = [binary(f"lib/{p.name}") for p in sorted((QT / "lib").glob("libQt5*.so.5"))]
    plugins = [binary("plugins/platforms/libqxcb.so"), binary("plugins/platforms/libqwebgl.so")]
    stdcxx = ("libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "BINARY")

    kept = {Path(dest).name for dest, _, _ in trim.trim_binaries([*libs, *plugins, stdcxx])}

    assert {"libqxcb.so", "libQt5XcbQpa.so.5", "libQt5Gui.so.5", "libQt5Core.so.5"} <= kept
    # WebGL's platform plugin is dropped, and with it what only it linked.
    assert not kept & {"libqwebgl.so", "libQt5Quick.so.5", "libQt5Qml.so.5"}
    assert not kept & {"libQt5WebSockets.so.5", "libstdc++.so.6"}


def test_translations_and_links_follow_what_is_kept() -> None:
    kept_binary = binary("lib/libQt5Core.so.5")
    datas = [
        ("PyQt5/Qt5/translations/qtbase_zh_CN.qm", "/x/qtbase_zh_CN.qm", "DATA"),
        ("PyQt5/Qt5/translations/qtbase_en.qm", "/x/qtbase_en.qm", "DATA"),
        ("PyQt5/Qt5/translations/qtbase_de.qm", "/x/qtbase_de.qm", "DATA"),
        ("libQt5Core.so.5", "PyQt5/Qt5/lib/libQt5Core.so.5", "SYMLINK"),
        ("libQt5Quick.so.5", "PyQt5/Qt5/lib/libQt5Quick.so.5", "SYMLINK"),
        ("app/data/poems/jingyesi.txt", "/r/jingyesi.txt", "DATA"),
    ]
    kept = [dest for dest, _, _ in trim.trim_datas(datas, [kept_binary])]
    assert kept == [
        "PyQt5/Qt5/translations/qtbase_zh_CN.qm",
        "PyQt5/Qt5/translations/qtbase_en.qm",
        "libQt5Core.so.5",
        "app/data/poems/jingyesi.txt",
    ]


def test_the_system_list_is_the_x_base_gl_glibc_and_cxx_runtime() -> None:
    for soname in ("libc.so.6", "libGL.so.1", "libX11.so.6", "libxcb.so.1", "libstdc++.so.6"):
        assert libraries.is_system(soname)
    for soname in ("libxcb-icccm.so.4", "libxkbcommon-x11.so.0", "libfontconfig.so.1"):
        assert not libraries.is_system(soname)


def test_only_soname_links_of_the_fetched_libraries_are_taken(tmp_path: Path) -> None:
    for name in ("libxcb-icccm.so.4.0.0", "libxcb-icccm.so.4", "libxcb-icccm.so"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in xlibs.libraries(tmp_path)] == ["libxcb-icccm.so.4"]


def test_the_archive_unpacks_to_one_folder_with_its_links(tmp_path: Path) -> None:
    folder = tmp_path / "poetry-downloader"
    (folder / "_internal").mkdir(parents=True)
    (folder / "poetry-downloader").write_bytes(b"\x7fELF")
    (folder / "poetry-downloader").chmod(0o755)
    (folder / "poetry-get").symlink_to("poetry-downloader")
    archive = tmp_path / archive_name()

    pack(folder, archive)

    assert archive.name.startswith("poetry-downloader-") and archive.name.endswith(".tar.gz")
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert set(members) == {
        "poetry-downloader",
        "poetry-downloader/_internal",
        "poetry-downloader/poetry-downloader",
        "poetry-downloader/poetry-get",
    }
    assert members["poetry-downloader/poetry-get"].issym()
    assert members["poetry-downloader/poetry-downloader"].mode & 0o111
    assert {m.uid for m in members.values()} == {0}


def test_the_glibc_floor_lists_each_file_and_fails_on_one_newer_than_debian_11(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "poetry-downloader"
    (folder / "_internal").mkdir(parents=True)
    shutil.copy(QT / "lib" / "libQt5Core.so.5", folder / "_internal")  # manylinux2014: 2.17
    bundle = Bundle(folder, tmp_path)

    said = oldest.check_glibc_floor(bundle)
    assert said.startswith("1 ELF files need at most glibc 2.17 (floor 2.31), set by _internal/")
    assert "GLIBC 2.17 (1): _internal/libQt5Core.so.5" in said

    # This machine's own programs ask for the glibc they were built on (Debian 12: 2.34).
    shutil.copy("/usr/bin/true", folder / "true")
    with pytest.raises(Failed) as failed:
        oldest.check_glibc_floor(bundle)
    assert "need at most glibc 2.34 (floor 2.31), set by true\n" in str(failed.value)
    assert "GLIBC 2.17 (1): _internal/libQt5Core.so.5" in str(failed.value)


def test_a_recipe_is_cached_under_a_key_that_changes_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POETRY_BUNDLE_CACHE", str(tmp_path))
    desktop = oldest.DESKTOP
    other = Recipe(desktop.name, desktop.suite, (*desktop.include, "xkb-data"))
    assert desktop.cached() == tmp_path / f"bullseye-desktop-{desktop.key()}.tar.zst"
    assert other.key() != desktop.key()
    assert (
        buildroot.RECIPE.key()
        != Recipe("bullseye-build", "bullseye", buildroot.RECIPE.include).key()
    )
    monkeypatch.setenv("POETRY_BUNDLE_CACHE", "")
    assert desktop.cached() is None


def test_the_build_userland_installs_the_dependencies_and_pyinstaller_not_the_test_tools() -> None:
    wanted = buildroot.requirements()
    assert any(r.startswith("PyQt5") for r in wanted)
    assert any(r.startswith("twisted") for r in wanted)
    assert any(r.startswith("pyinstaller") for r in wanted)
    assert not any(r.startswith(("pytest", "matplotlib", "mypy")) for r in wanted)


@pytest.mark.skipif(not userland.is_possible(), reason="entering a userland takes root")
def test_a_userland_sees_its_binds_as_its_user_and_leaves_no_mount_behind(tmp_path: Path) -> None:
    # A userland made of this machine's /usr, read-only: enough for a shell, quick to make.
    root = tmp_path / "root"
    for folder in ("dev", "proc"):
        (root / folder).mkdir(parents=True)
    for link in ("bin", "lib", "lib64"):
        (root / link).symlink_to(f"usr/{link}")
    poems = tmp_path / "poems"
    poems.mkdir()
    (poems / "jingyesi.txt").write_text("床前明月光\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o777)
    script = (
        "cat poems/jingyesi.txt; id -u; pwd; "
        "(echo x > poems/new) 2>/dev/null || echo poems read-only; "
        "echo written > /out/note; grep -c . /proc/self/mountinfo >/dev/null && echo proc"
    )
    binds = [
        Bind(Path("/usr"), "/usr", read_only=True),
        Bind(poems, "/home/reader/poems", read_only=True),
        Bind(out, "/out"),
    ]

    said = userland.run(
        root, ["/bin/sh", "-c", script], {"PATH": "/usr/bin"}, binds, "/home/reader", 1000
    )

    assert said.splitlines() == ["床前明月光", "1000", "/home/reader", "poems read-only", "proc"]
    assert (out / "note").read_text() == "written\n"
    assert (out / "note").stat().st_uid == 1000
    assert not (poems / "new").exists()
    # The mounts lived in the child's own namespace and went with it.
    assert str(tmp_path) not in Path("/proc/self/mountinfo").read_text()
