"""A row's story in words, as the Story tab shows it: plain text, one fact a line.

::

    Address     127.0.0.1:10001
    Encoding    utf-8
    Status      Done (batch 2)

    Connecting  +0.000 s
    Connected   +0.002 s
    First byte  +0.004 s
    Ended       +1.412 s, done
    Received    612 bytes in 62 chunks, 433 B/s

    Log
      +0.000 s  127.0.0.1:10001: connecting
      ...

    The Deferred's path
      callback → _succeeded(Poem, 612 bytes) → poem pane

Times count from the start of the connection attempt. The words are in
the language spoken when the text is made; the log's lines stay English,
as the log is. Labels are padded to one column by their width on screen, so
Chinese labels (two columns a character) line up too. Everything here is
data turned into text (an address, a reason, a handler's name), never
markup; the widget shows it with ``setPlainText``.
"""

from __future__ import annotations

import unicodedata

from app.downloads.rows import ServerRow, Status
from app.i18n import N_, _, ngettext, pgettext
from app.i18n.units import format_rate, seconds_text, size_in_chunks
from app.views.story import RowStory, Step

NO_ROW = N_("No server selected")
_WIDTH = 12  # the labels' column, in columns of a fixed-width font


#: A shorter wait for a connection slot is the same reactor turn, not waiting.
QUEUE_WORTH_SAYING = 0.05


def story_text(row: ServerRow | None, story: RowStory | None, now: float) -> str:
    """The story of ``row``'s latest attempt (``story``), as it stands at ``now``."""
    if row is None:
        return _(NO_ROW)
    status = row.status.words
    if story is not None and story.batch is not None:
        status = _("{status} (batch {batch})").format(status=status, batch=story.batch)
    lines = [
        _fact(pgettext("story", "Address"), str(row.address)),
        _fact(pgettext("story", "Encoding"), row.encoding),
        _fact(pgettext("story", "Status"), status),
    ]
    if story is None:
        lines += ["", _("No download from this server since it was listed.")]
        return "\n".join(lines)
    received = _fact(pgettext("story", "Received"), _received(story, now))
    lines += ["", *_times(story, row.status, now), received]
    lines += ["", pgettext("story", "Log"), *_log(story)]
    lines += ["", _("The Deferred's path"), *_path(story, row.status)]
    return "\n".join(lines)


def _fact(label: str, value: str) -> str:
    return f"{label}{' ' * max(_WIDTH - _columns(label), 1)}{value}"


def _columns(text: str) -> int:
    """How many columns of a fixed-width font ``text`` takes: wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _at(story: RowStory, moment: float | None, missing: str) -> str:
    origin = story.origin
    if moment is None or origin is None:
        return missing
    return seconds_text(f"{moment - origin:+.3f}")


def _times(story: RowStory, status: Status, now: float) -> list[str]:
    over = story.ended is not None or not status.active
    missing = pgettext("story", "never") if over else pgettext("story", "not yet")
    lines: list[str] = []
    if story.queued is not None:
        queued = pgettext("story", "Queued")
        if story.connecting is None:
            lines.append(_fact(queued, _at(story, story.queued, missing)))
        elif story.connecting - story.queued >= QUEUE_WORTH_SAYING:
            waited = _("{at} (waited for a free connection)").format(
                at=_at(story, story.queued, missing)
            )
            lines.append(_fact(queued, waited))
    lines += [
        _fact(pgettext("story", "Connecting"), _at(story, story.connecting, missing)),
        _fact(pgettext("story", "Connected"), _at(story, story.connected, missing)),
        _fact(pgettext("story", "First byte"), _at(story, story.first_byte, missing)),
    ]
    if story.ended is not None:
        ended = _("{at}, {ending}").format(at=_at(story, story.ended, ""), ending=story.ending)
    elif story.origin is not None and status.active:
        so_far = seconds_text(f"{now - story.origin:.1f}")
        ended = _("not yet ({seconds} so far)").format(seconds=so_far)
    else:
        ended = missing
    lines.append(_fact(pgettext("story", "Ended"), ended))
    return lines


def _received(story: RowStory, now: float) -> str:
    if not story.chunks and not story.received:
        return pgettext("story", "nothing")
    text = size_in_chunks(story.received, story.chunks)
    if story.connecting is not None:
        elapsed = (story.ended if story.ended is not None else now) - story.connecting
        if elapsed > 0:
            rate = format_rate(story.received / elapsed)
            text = _("{received}, {rate}").format(received=text, rate=rate)
    return text


def _log(story: RowStory) -> list[str]:
    lines = []
    if story.log_dropped:
        dropped = ngettext(
            "({n} earlier line not kept)", "({n} earlier lines not kept)", story.log_dropped
        )
        lines.append("  " + dropped.format(n=story.log_dropped))
    lines += [f"  {_at(story, at, '')}  {words}" for at, words in story.log]
    return lines or ["  " + _("(nothing yet)")]


def _path(story: RowStory, status: Status) -> list[str]:
    lines = []
    if story.steps_dropped:
        dropped = ngettext(
            "({n} earlier step not kept)", "({n} earlier steps not kept)", story.steps_dropped
        )
        lines.append("  " + dropped.format(n=story.steps_dropped))
    lines += [f"  {_step(step)}" for step in story.steps]
    if lines:
        return lines
    if story.ended is None and status.active:
        return [
            "  " + _("not fired yet: it fires once, when the poem is whole or the download fails")
        ]
    if story.connecting is None:
        return ["  " + _("none: it ended while queued, before a Deferred was made")]
    return ["  " + _("none: the download could not begin, so no Deferred was made")]


def _step(step: Step) -> str:
    # callback, errback, the handler and its result are the code's own names.
    text = f"{step.kind} → {step.handler}({step.result})"
    return f"{text} → {step.outcome_words}" if step.outcome else text
