"""Save Poem As suggests one safe file name, whatever title a server sent."""

from __future__ import annotations

import os
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.net.address import Address
from app.views.file_names import MAX_CHARACTERS, poem_file_name

HOME = Address("127.0.0.1", 10001)
BIDI = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F]}
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{device}{n}" for device in ("COM", "LPT") for n in range(10)
}


def assert_safe(name: str) -> None:
    """One plain component on POSIX and Windows, readable and of a usual length."""
    assert name.endswith(".txt")
    assert name not in (".", "..") and not name.startswith(".")
    assert PurePosixPath(name).name == name and PureWindowsPath(name).name == name
    assert os.path.basename(name) == name
    assert not set(name) & set('/\\<>:"|?*\0')
    assert not set(name) & BIDI
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in name)
    assert len(name) <= MAX_CHARACTERS and len(name.encode("utf-8")) <= 255
    stem = name[: -len(".txt")]
    assert stem and stem == stem.rstrip(". ")
    assert stem.split(".")[0].strip().upper() not in WINDOWS_RESERVED


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Ozymandias", "Ozymandias.txt"),
        ("静夜思", "静夜思.txt"),
        ("Ozymandias: A Sonnet", "Ozymandias A Sonnet.txt"),
        ("../../etc/passwd", "etc passwd.txt"),
        ("/etc/passwd", "etc passwd.txt"),
        ("C:\\Windows\\System32\\cmd.exe", "C Windows System32 cmd.exe.txt"),
        (".bashrc", "bashrc.txt"),
        ("...", "127.0.0.1-10001.txt"),
        (".", "127.0.0.1-10001.txt"),
        ("..", "127.0.0.1-10001.txt"),
        ("", "127.0.0.1-10001.txt"),
        ("/", "127.0.0.1-10001.txt"),
        ("\u202e\u200f\x00\x1b", "127.0.0.1-10001.txt"),
        ("poem\u202etxt.exe", "poemtxt.exe.txt"),  # no "poem‮txt.exe" reading as "poemexe.txt"
        ("\u2066evil\u2069 \u200ename", "evil name.txt"),
        ("line one\u2028line two", "line oneline two.txt"),
        ("tab\there\nnewline", "tabherenewline.txt"),
        ("CON", "_CON.txt"),
        ("nul", "_nul.txt"),
        ("Com1.tar.gz", "_Com1.tar.gz.txt"),
        ("LPT9 ", "_LPT9.txt"),
        ("CONSTANT", "CONSTANT.txt"),
        ("poem.txt", "poem.txt"),
        ("POEM.TXT", "POEM.txt"),
        ("trailing dots...", "trailing dots.txt"),
        ("<b>x</b>", "b x b.txt"),
        ('"quoted" | piped * starred?', "quoted piped starred.txt"),
    ],
)
def test_hostile_titles_make_safe_names(title: str, expected: str) -> None:
    name = poem_file_name(title, HOME)
    assert name == expected
    assert_safe(name)


def test_long_titles_are_cut_to_a_usual_length_in_characters_and_bytes() -> None:
    assert len(poem_file_name("a" * 500, HOME)) == MAX_CHARACTERS
    wide = poem_file_name("😀" * 300, HOME)  # four bytes each
    assert len(wide.encode("utf-8")) <= 255 and wide.startswith("😀")
    assert_safe(wide)


def test_an_ipv6_address_is_the_fallback_without_its_colons() -> None:
    assert poem_file_name("", Address("::1", 7)) == "__1-7.txt"


@given(title=st.text(), port=st.integers(1, 65535))
@example(title="\x00", port=1)
@example(title=".\u202e.", port=1)
@example(title="\ud800", port=1)
def test_any_title_makes_a_single_safe_path_component(title: str, port: int) -> None:
    assert_safe(poem_file_name(title, Address("127.0.0.1", port)))


@given(
    title=st.lists(
        st.sampled_from([*"./\\: \u202e\u200f\x00\u2028", "..", "CON", "com1", "txt"])
    ).map("".join)
)
def test_titles_made_of_separators_dots_and_device_names_make_safe_names(title: str) -> None:
    assert_safe(poem_file_name(title, Address("fe80::1", 10001)))
