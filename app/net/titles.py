"""A poem's title: its first line, as the Poem column shows it and the settings file keeps it.

A title is data from a stranger's server, so it is made safe to show
once, here, whether it comes from a poem just downloaded or from a
settings file someone edited by hand: one line, C0 control characters as
their visible pictures (␛, ␀), other controls and lone surrogates (which
no file could hold as UTF-8) as U+FFFD, runs of white space as one space,
and at most :data:`MAX_TITLE` characters, the last of them "…" when cut.
Applying it twice changes nothing, so a title read back from the settings
is the title that was written.

The bidirectional embeddings, overrides and isolates (U+202A–U+202E,
U+2066–U+2069) become U+FFFD too, so that the title reads in the order it
was sent: ``live\\u202etxt.exe.png`` would otherwise show as
``livegnp.exe.txt``. Wrapping the title in an isolate would not do: that
only keeps the override from reaching past the title, while inside it the
characters would still read backwards. Right-to-left titles (Arabic,
Hebrew) need none of these to read correctly, and the marks that can help
them (U+200E, U+200F, U+061C) only place the punctuation beside them, never
reverse letters, so they stay. The poem itself is shown as it was written.
"""

from __future__ import annotations

import re

from app.i18n.units import shorten
from app.net.poem import Poem

#: The most characters a title keeps (a cut one ends with "…").
MAX_TITLE = 60
#: The bytes of a poem decoded to find its title.
TITLE_BYTES = 4096

_C0 = re.compile("[\x00-\x1f]")
# DEL, the C1 controls, lone surrogates, and the bidi embeddings, overrides and isolates.
_UNSHOWABLE = re.compile("[\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def title_of(poem: Poem) -> str:
    """The title of ``poem``: see :func:`clean_title`; only its first few KiB are decoded."""
    return clean_title(poem.first_line(TITLE_BYTES))


def clean_title(text: str) -> str:
    """``text``'s first non-blank line, made safe to show and at most :data:`MAX_TITLE` long."""
    # Blank lines are white space, so the first line of what strip() leaves is
    # the first line with words in it (less its leading white space, which
    # the join below drops anyway).
    stripped = text.strip()
    line = " ".join(stripped.splitlines()[0].split()) if stripped else ""
    if not line.isprintable():  # else there is no control character or surrogate in it
        line = _C0.sub(lambda m: chr(0x2400 + ord(m.group())), line)
        line = _UNSHOWABLE.sub("\ufffd", line)
    return shorten(line, MAX_TITLE)
