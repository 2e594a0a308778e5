"""The bundle's build rules, without building it (``make bundle-check`` checks the real one)."""

from __future__ import annotations

import tarfile
from pathlib import Path

import PyQt5

from bundle import libraries, trim, xlibs
from bundle.build import archive_name, pack

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
