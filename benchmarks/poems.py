"""Poem files of any size for the servers to serve, made from the bundled poems.

Real verse (short lines, mostly ASCII, some UTF-8) rather than random bytes,
so decoding and the poem pane's layout cost what they cost for real poems.
"""

from __future__ import annotations

from pathlib import Path

from app.resources import bundled_poems


def poem_bytes(size: int, *, ascii_only: bool = False) -> bytes:
    """Exactly ``size`` bytes of verse (the bundled poems repeated, cut on a character).

    All the bundled poems hold characters beyond Latin-1 (em dashes, Chinese),
    which Python keeps as 2 bytes per character once decoded; ``ascii_only``
    uses only the pure-ASCII poems, to tell the client's own memory cost
    apart from that of ``str``.
    """
    texts = [path.read_bytes() for path in bundled_poems()]
    if ascii_only:
        texts = [text for text in texts if text.isascii()]
    verse = b"\n".join(texts) + b"\n"
    repeated = verse * (size // len(verse) + 1)
    # Cut back to a character boundary so the poem stays valid UTF-8.
    end = size
    while end > 0 and (repeated[end] & 0xC0) == 0x80:
        end -= 1
    return repeated[:end] + b"\n" * (size - end)


def write_poem(directory: Path, size: int, *, ascii_only: bool = False) -> Path:
    """Write a ``size``-byte poem file into ``directory`` and return its path."""
    path = directory / f"poem-{size}{'-ascii' if ascii_only else ''}.txt"
    path.write_bytes(poem_bytes(size, ascii_only=ascii_only))
    return path
