"""A poem's title: read from its first few KiB only, one safe line, the same after a round trip."""

from __future__ import annotations

import codecs
import itertools
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from app.net.poem import FIRST_LOOK, Poem
from app.net.titles import MAX_TITLE, TITLE_BYTES, clean_title, title_of


def test_the_title_is_the_first_line_with_words_in_it() -> None:
    poem = Poem(b"\n   \n\t Ozymandias  \nI met a traveller from an antique land\n")
    assert poem.first_line() == "Ozymandias"
    assert title_of(poem) == "Ozymandias"


def test_a_long_first_line_is_shortened_with_an_ellipsis() -> None:
    title = title_of(Poem(("word " * 40).encode()))
    assert len(title) == MAX_TITLE and title.endswith("…")
    assert title.startswith("word word")


def test_only_the_first_few_kib_of_a_big_poem_are_decoded() -> None:
    line = b"The quick brown fox jumps over the lazy dog.\n"
    chunks = [line * 1000 for _ in range(230)]  # about 10 MB, as it arrived
    poem = Poem(chunks)
    assert title_of(poem) == line.decode().strip()
    # The poem's text was never made: reading it later still decodes it whole, once.
    assert poem._decoded is None
    assert poem.text.startswith(line.decode())


def test_no_line_in_the_first_bytes_means_no_title() -> None:
    poem = Poem(b" " * (TITLE_BYTES + 10) + b"Late title\n")
    assert title_of(poem) == ""
    assert title_of(Poem(b"\n\n\n")) == ""


def test_a_character_cut_by_the_prefix_is_left_out_not_garbled() -> None:
    # 4095 bytes of ASCII then a 3-byte character: the prefix ends inside it.
    poem = Poem(b"a" * 4095 + "静夜思".encode())
    assert poem.first_line(4096) == "a" * 4095
    assert poem.first_line(4098) == "a" * 4095 + "静"
    # UTF-7 spells "Ночь ночь" as two runs of base64 (b"+BB0EPgRHBEw +BD0EPgRHBEw\n"):
    # a plain decode of the first 20 bytes would read "но" out of the cut second run.
    assert Poem("Ночь ночь\n".encode("utf-7"), encoding="utf-7").first_line(20) == "Ночь"


def test_the_poem_s_own_encoding_is_used_and_bad_bytes_are_replaced() -> None:
    assert Poem("Stillen Nacht\n".encode("utf-16"), encoding="utf-16").first_line() == (
        "Stillen Nacht"
    )
    assert Poem("Ночь\n".encode("koi8-r"), encoding="koi8_r").first_line() == "Ночь"
    assert Poem(b"bad \xff byte\n").first_line() == "bad \ufffd byte"
    # The whole poem within the prefix: a cut character at its very end is invalid.
    assert Poem(b"ends badly \xe9\x9d").first_line() == "ends badly \ufffd"


def test_a_title_is_shown_safely() -> None:
    assert clean_title("\x1b[31mred\x1b[0m") == "\u241b[31mred\u241b[0m"
    assert clean_title("tab\tand  spaces") == "tab and spaces"
    assert clean_title("C1\x9b control, DEL\x7f") == "C1\ufffd control, DEL\ufffd"
    assert clean_title("lone \ud800 surrogate") == "lone \ufffd surrogate"
    assert clean_title("<b>bold?</b>") == "<b>bold?</b>"  # plain text: shown as written


#: The bidirectional classes of the embeddings, overrides and isolates, and of their end.
BIDI_CONTROLS = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}


def test_a_bidi_override_cannot_turn_a_title_around() -> None:
    # Shown as sent: "live txt.exe.png", never "livegnp.exe.txt".
    assert clean_title("live\u202etxt.exe.png") == "live\ufffdtxt.exe.png"
    every_control = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
    assert clean_title(f"a{every_control}b") == "a" + "\ufffd" * len(every_control) + "b"


def test_right_to_left_titles_are_kept_as_they_are() -> None:
    for title in ("שלום עולם", "قفا نبك من ذكرى حبيب ومنزل", "מזמור 23\u200f: לדוד", "\u061c١٢٣"):
        assert clean_title(title) == title


@given(st.text())
def test_any_text_makes_a_safe_single_line_title_that_cleaning_again_keeps(text: str) -> None:
    title = clean_title(text)
    assert len(title) <= MAX_TITLE
    assert title == title.strip()
    assert len(title.splitlines()) <= 1
    assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in title)
    assert not any(unicodedata.bidirectional(c) in BIDI_CONTROLS for c in title)
    title.encode("utf-8")  # a settings file can hold it
    assert clean_title(title) == title


@given(st.binary(max_size=300), st.sampled_from(["utf-8", "utf-16", "latin-1", "shift_jis"]))
def test_any_bytes_give_a_title_without_an_error(data: bytes, encoding: str) -> None:
    title = title_of(Poem([data[:7], data[7:]], encoding=encoding))
    assert len(title) <= MAX_TITLE


def first_line_decoding_it_all(data: bytes, encoding: str, max_bytes: int) -> str:
    """What :meth:`Poem.first_line` says, the long way: decode the whole prefix, then look."""
    prefix = data[:max_bytes]
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    head = decoder.decode(prefix, final=len(prefix) >= len(data))
    return next((stripped for line in head.splitlines() if (stripped := line.strip())), "")


@given(
    st.text(alphabet=" \t\r\n\x85abc静", max_size=2 * FIRST_LOOK),
    st.sampled_from(["utf-8", "shift_jis", "latin-1"]),
    st.lists(st.integers(min_value=0, max_value=3 * FIRST_LOOK), max_size=6),
    st.sampled_from([TITLE_BYTES, FIRST_LOOK + 3, FIRST_LOOK]),
)
def test_looking_at_the_first_bytes_first_finds_the_line_decoding_it_all_would(
    text: str, encoding: str, cuts: list[int], max_bytes: int
) -> None:
    # Lines cut at the first look's end, characters cut there, blank lines
    # up to it and past it, however the bytes came in chunks.
    data = text.encode(encoding, errors="replace")
    bounds = [0, *sorted(min(cut, len(data)) for cut in cuts), len(data)]
    chunks = [data[a:b] for a, b in itertools.pairwise(bounds)]
    poem = Poem(chunks, encoding=encoding)
    assert poem.first_line(max_bytes) == first_line_decoding_it_all(data, encoding, max_bytes)
