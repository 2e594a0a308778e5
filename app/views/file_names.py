"""The file name *Save Poem As…* suggests: the poem's title, made into one safe file name.

A title is whatever a stranger's server sent first, and the suggested name
is a path the user may accept with one key press, so it must be a single
plain component on any system the file may be copied to:

- no path separators, nor the characters Windows refuses (``<>:"|?*``):
  each becomes a space, and runs of white space one space;
- no control or format characters (among them the bidirectional
  overrides U+202A–U+202E, U+2066–U+2069 and the marks U+200E/U+200F,
  which can make ``txt.exe`` read backwards) and no line separators;
- no leading dots (a hidden file, or ``.`` and ``..``), no trailing dots or
  spaces (Windows drops them);
- not a name Windows reserves for a device (``CON``, ``NUL``, ``COM1``…,
  whatever follows the first dot): such a name gets a leading ``_``;
- at most :data:`MAX_CHARACTERS` characters and 255 bytes of UTF-8 (the
  usual limit of one component), ending ``.txt``.

When nothing usable is left, the name is the server's address, as before
titles: ``127.0.0.1-10001.txt``.
"""

from __future__ import annotations

import re
import unicodedata

from app.net.address import Address

SUFFIX = ".txt"
#: The most characters a suggested name has, ``.txt`` included.
MAX_CHARACTERS = 100
#: The most bytes of UTF-8 one path component may take on common file systems.
MAX_BYTES = 255

# Separators on any system, and what Windows forbids in a name.
_FORBIDDEN = re.compile(r'[/\\<>:"|?*]')
# Control (Cc), format (Cf: the bidi controls, zero-width characters, BOM),
# lone surrogates (Cs), and line and paragraph separators (Zl, Zp).
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})  # untranslated: Unicode names
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{device}{n}" for device in ("COM", "LPT") for n in [*"0123456789", "¹", "²", "³"]}
)


def poem_file_name(title: str, address: Address) -> str:
    """A safe ``NAME.txt`` made from ``title``; from ``address`` when the title leaves nothing."""
    name = safe_stem(title)
    if not name:
        # Host names are letters, digits, dots and hyphens; IPv6 brings colons.
        name = safe_stem(f"{address.host}-{address.port}".replace(":", "_")) or "poem"
    return name + SUFFIX


def safe_stem(text: str) -> str:
    """``text`` as the part of a file name before ``.txt``; "" if nothing usable is left."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if unicodedata.category(c) not in _DROPPED_CATEGORIES)
    text = " ".join(_FORBIDDEN.sub(" ", text).split())
    if text.casefold().endswith(SUFFIX):
        text = text[: -len(SUFFIX)]
    stem = _trimmed(text)
    if _reserved(stem):
        stem = _trimmed("_" + stem)
    return stem


def _trimmed(text: str) -> str:
    """Without leading dots, trailing dots and spaces, and within the length limits."""
    text = text.lstrip(". ")[: MAX_CHARACTERS - len(SUFFIX)]
    room = MAX_BYTES - len(SUFFIX)
    while len(text.encode("utf-8")) > room:
        text = text[:-1]
    return text.rstrip(". ")


def _reserved(stem: str) -> bool:
    """True for ``CON``, ``nul.tar.gz``, ``COM1 ``…: Windows takes them for devices."""
    return stem.split(".", 1)[0].rstrip(" ").upper() in _RESERVED
