"""Files written whole or not at all, with the permissions they should have, through links.

A settings file kept elsewhere and linked into the config folder (a
dotfiles repository) stays a link: the file it names gets the new content.
A poem saved for the user is created as any new file is (the umask says
who may read it), and one replaced keeps its permissions.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.atomic_file import write_atomically, write_document
from app.net.address import Address
from app.settings.store import FILE_NAME, SavedServer, Settings, load_settings, save_settings


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def names_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_new_document_gets_the_mode_the_umask_gives(tmp_path, umask_022):
    poem = tmp_path / "poem.txt"
    write_document(poem, b"A poem\n")
    assert poem.read_bytes() == b"A poem\n"
    assert mode_of(poem) == 0o644
    assert names_in(tmp_path) == ["poem.txt"]


def test_a_replaced_document_keeps_its_mode(tmp_path, umask_022):
    poem = tmp_path / "poem.txt"
    poem.write_bytes(b"old\n")
    poem.chmod(0o640)
    write_document(poem, b"new\n")
    assert poem.read_bytes() == b"new\n"
    assert mode_of(poem) == 0o640
    assert names_in(tmp_path) == ["poem.txt"]


def test_the_program_s_own_files_stay_private_unless_told(tmp_path, umask_022):
    write_atomically(tmp_path / "private", b"x")
    write_atomically(tmp_path / "public", b"x", mode=0o644)
    assert (mode_of(tmp_path / "private"), mode_of(tmp_path / "public")) == (0o600, 0o644)


@pytest.mark.parametrize("write", [write_atomically, write_document])
def test_a_link_is_written_through_and_stays_a_link(tmp_path, write):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "real.txt").write_bytes(b"old\n")
    (dotfiles / "middle.txt").symlink_to("real.txt")
    here = tmp_path / "here"
    here.mkdir()
    link = here / "link.txt"
    link.symlink_to(Path("..") / "dotfiles" / "middle.txt")  # a chain, relative

    write(link, b"new\n")

    assert link.is_symlink() and os.readlink(link) == str(Path("..") / "dotfiles" / "middle.txt")
    assert (dotfiles / "middle.txt").is_symlink()
    assert (dotfiles / "real.txt").read_bytes() == b"new\n"
    assert names_in(dotfiles) == ["middle.txt", "real.txt"]  # no temporary file left
    assert names_in(here) == ["link.txt"]


def test_a_dangling_link_makes_the_file_it_names(tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "made.txt")
    write_document(link, b"new\n")
    assert link.is_symlink() and (tmp_path / "made.txt").read_bytes() == b"new\n"


def test_a_loop_of_links_is_an_error_and_stays_as_it_was(tmp_path):
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(OSError, match="symbolic links"):
        write_document(tmp_path / "a", b"new\n")
    assert os.readlink(tmp_path / "a") == "b" and os.readlink(tmp_path / "b") == "a"
    assert names_in(tmp_path) == ["a", "b"]


def test_a_linked_settings_file_stays_a_link_when_saved(tmp_path):
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    kept = tmp_path / "dotfiles" / FILE_NAME
    kept.parent.mkdir()
    save_settings(kept.parent, Settings(connection_limit=3))
    (config_dir / FILE_NAME).symlink_to(kept)

    save_settings(config_dir, Settings(servers=[SavedServer(Address("127.0.0.1", 10001))]))

    assert (config_dir / FILE_NAME).is_symlink()
    loaded, message = load_settings(kept.parent)
    assert message is None
    assert [s.address for s in loaded.servers] == [Address("127.0.0.1", 10001)]
    assert names_in(config_dir) == [FILE_NAME] and names_in(kept.parent) == [FILE_NAME]
