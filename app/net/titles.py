"""A poem's title: its first line, as the Poem column shows it and the settings file keeps it.

A title is data from a stranger's server, so it is made safe to show
once, here, whether it comes from a poem just downloaded or from a
settings file someone edited by hand: one line, C0 control characters as
their visible pictures (␛, ␀), other controls and lone surrogates (which
no file could hold as UTF-8) as U+FFFD, runs of white space as one space,
and at most :data:`MAX_TITLE` characters, the last of them "…" when cut.
Applying it twice changes nothing, so a title read back from the settings
is the title that was written.
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
# DEL, the C1 controls, and lone surrogates.
_UNSHOWABLE = re.compile("[\x7f-\x9f\ud800-\udfff]")


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
