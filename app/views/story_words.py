"""A row's story in words, as the Story tab shows it: plain text, one fact a line.

::

    Address       127.0.0.1:10001
    Encoding      utf-8
    Status        Done (batch 2)

    Connecting    +0.000 s
    Connected     +0.002 s
    First byte    +0.004 s
    Ended         +1.412 s, done
    Received      612 bytes in 62 chunks, 433 B/s

    What Twisted called
      +0.002 s    connectionMade
      +0.004 s    dataReceived ×62 (612 bytes)
      +1.412 s    connectionLost(ConnectionDone)
    Gathered in the protocol: 612 bytes in 62 chunks → poem whole at connectionLost → …

    The Deferred's chain (PoetryClientFactory fires it; ● ran, ○ did not)
                  callbacks                     errbacks
      ...         (drawn by app.views.story_chain)

    The Deferred's path
      callback → _succeeded(Poem, 612 bytes) → poem pane

Times count from the start of the connection attempt. The words are in
the language spoken when the text is made; Twisted's and the program's
names (``connectionMade``, ``_succeeded``, ``ConnectionDone``) are code and
stay as they are. The log's lines are not repeated here (the log dock has
them, in English); a bug of ours met on the way is, in words. Columns are
separated by one tab (:data:`~app.views.story_chain.COLUMN`), and the
widget puts its tab stops past the widest cell of each column, so labels
and values line up in any font, Chinese characters included. Everything
here is data turned into text (an address, a reason, a handler's name),
never markup; the widget shows it with ``setPlainText``.
"""

from __future__ import annotations

from app.downloads.events import Cancelled, Done, Mode
from app.downloads.rows import ServerRow, Status
from app.i18n import N_, _, ngettext, pgettext
from app.i18n.units import format_rate, format_size, seconds_text, size_in_chunks
from app.views.story import RowStory, Step
from app.views.story_chain import COLUMN, chain_lines

NO_ROW = N_("No server selected")

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
    lines += ["", _("What Twisted called"), *_calls(story, row.status), *_gathered(story)]
    if chain := chain_lines(story):
        lines += ["", _chain_heading(story), *chain]
    lines += ["", _("The Deferred's path"), *_path(story, row.status)]
    lines += _internal_errors(story)
    return "\n".join(lines)


def _fact(label: str, value: str) -> str:
    return f"{label}{COLUMN}{value}"


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
        elif (waited := story.connecting - story.queued) >= QUEUE_WORTH_SAYING:
            lines.append(_fact(queued, _waited(story.mode, waited)))
    lines += [
        _fact(pgettext("story", "Connecting"), _at(story, story.connecting, missing)),
        _fact(pgettext("story", "Connected"), _at(story, story.connected, missing)),
        _fact(pgettext("story", "First byte"), _at(story, story.first_byte, missing)),
    ]
    if story.ended is not None:
        # TRANSLATORS: {at} is a moment ("+3.540 s"), not a duration.
        ended = _("{at}, {ending}").format(at=_at(story, story.ended, ""), ending=story.ending)
    elif story.origin is not None and status.active:
        so_far = seconds_text(f"{now - story.origin:.1f}")
        ended = _("not yet ({seconds} so far)").format(seconds=so_far)
    else:
        ended = missing
    lines.append(_fact(pgettext("story", "Ended"), ended))
    return lines


def _waited(mode: Mode | None, seconds: float) -> str:
    """How long a row waited in the queue, and what for: that depends on its batch's mode."""
    waited = seconds_text(f"{seconds:.3f}")
    if mode is Mode.ONE_AT_A_TIME:
        return _("waited {seconds} (for the previous download, one at a time)").format(
            seconds=waited
        )
    return _("waited {seconds} (for a free connection)").format(seconds=waited)


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


def _calls(story: RowStory, status: Status) -> list[str]:
    """The protocol's and the factory's methods Twisted called, in order, with their times.

    ``dataReceived`` is one line for all its calls: the row counts them,
    and the story reads the count when shown, never a line a chunk.
    """
    running = story.ended is None and status.active
    lines = []
    if story.connected is not None:
        lines.append(_call(story, story.connected, "connectionMade"))
    if story.chunks:
        size = format_size(story.received)
        words = _("{method} ×{n} ({size} so far)") if running else _("{method} ×{n} ({size})")
        method = words.format(method="dataReceived", n=story.chunks, size=size)
        lines.append(_call(story, story.first_byte, method))
    if story.closing is not None:
        method, reason = story.closing
        lines.append(_call(story, story.ended, f"{method}({reason})"))
    elif isinstance(story.ended_by, Cancelled) and story.chain:
        # The cancel fired the Deferred; the aborted connection's connectionLost comes after.
        lines.append(_call(story, story.ended, "Deferred.cancel()"))  # untranslated: code
    if lines:
        return lines
    if running:
        waits = _("nothing yet: {made} or {failed} comes first")
        return ["  " + waits.format(made="connectionMade", failed="clientConnectionFailed")]
    return ["  " + _("nothing: no connection was attempted")]


def _call(story: RowStory, moment: float | None, method: str) -> str:
    return f"  {_at(story, moment, '')}{COLUMN}{method}"


def _gathered(story: RowStory) -> list[str]:
    """Where the bytes waited until the poem was whole: the protocol's buffer (the tutorial's)."""
    if not story.chunks:
        return []
    received = size_in_chunks(story.received, story.chunks)
    if isinstance(story.ended_by, Done):
        words = _("Gathered in the protocol: {received} → poem whole at {lost} → Deferred fired")
    elif story.ended_by is None:
        words = _(
            "Gathered in the protocol so far: {received} "
            "({data} only appends; the poem is handed on at {lost})"
        )
    else:
        words = _("Gathered in the protocol: {received} → no whole poem ({ending}), dropped")
    return [
        words.format(
            received=received, lost="connectionLost", data="dataReceived", ending=story.ending
        )
    ]


def _chain_heading(story: RowStory) -> str:
    if not story.steps and story.ended is None:
        return _(
            "The Deferred's chain ({factory} fires it once; not fired yet, {not_run} all)"
        ).format(factory="PoetryClientFactory", not_run="\u25cb")
    return _("The Deferred's chain ({factory} fires it; {ran} ran, {not_run} did not)").format(
        factory="PoetryClientFactory", ran="\u25cf", not_run="\u25cb"
    )


def _internal_errors(story: RowStory) -> list[str]:
    """Our own bugs met while this download was handled: rare, and worth reading here."""
    errors = story.internal_errors
    if not errors:
        return []
    lines = ["", _("Errors in the program while handling it")]
    if story.log_dropped:
        dropped = ngettext(
            "({n} earlier line not kept)", "({n} earlier lines not kept)", story.log_dropped
        )
        lines.append("  " + dropped.format(n=story.log_dropped))
    lines += [f"  {_at(story, at, '')}{COLUMN}{words}" for at, words in errors]
    return lines


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
