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

Times count from the start of the connection attempt. Everything here is
data turned into text (an address, a reason, a handler's name), never
markup; the widget shows it with ``setPlainText``.
"""

from __future__ import annotations

from app.row_story import RowStory, Step
from app.rows import ServerRow, Status
from app.units import format_rate, format_size

NO_ROW = "No server selected"
_WIDTH = 12  # the labels' column


#: A shorter wait for a connection slot is the same reactor turn, not waiting.
QUEUE_WORTH_SAYING = 0.05


def story_text(row: ServerRow | None, story: RowStory | None, now: float) -> str:
    """The story of ``row``'s latest attempt (``story``), as it stands at ``now``."""
    if row is None:
        return NO_ROW
    status = row.status.value
    if story is not None and story.batch is not None:
        status += f" (batch {story.batch})"
    lines = [_fact("Address", str(row.address)), _fact("Encoding", row.encoding)]
    lines.append(_fact("Status", status))
    if story is None:
        lines += ["", "No download from this server since it was listed."]
        return "\n".join(lines)
    lines += ["", *_times(story, row.status, now), _fact("Received", _received(story, now))]
    lines += ["", "Log", *_log(story)]
    lines += ["", "The Deferred's path", *_path(story, row.status)]
    return "\n".join(lines)


def _fact(label: str, value: str) -> str:
    return f"{label:<{_WIDTH}}{value}"


def _at(story: RowStory, moment: float | None, missing: str) -> str:
    origin = story.origin
    if moment is None or origin is None:
        return missing
    return f"{moment - origin:+.3f} s"


def _times(story: RowStory, status: Status, now: float) -> list[str]:
    over = story.ended is not None or not status.active
    missing = "never" if over else "not yet"
    lines: list[str] = []
    if story.queued is not None:
        if story.connecting is None:
            lines.append(_fact("Queued", _at(story, story.queued, missing)))
        elif story.connecting - story.queued >= QUEUE_WORTH_SAYING:
            waited = f"{_at(story, story.queued, missing)} (waited for a free connection)"
            lines.append(_fact("Queued", waited))
    lines += [
        _fact("Connecting", _at(story, story.connecting, missing)),
        _fact("Connected", _at(story, story.connected, missing)),
        _fact("First byte", _at(story, story.first_byte, missing)),
    ]
    if story.ended is not None:
        ended = f"{_at(story, story.ended, '')}, {story.ending}"
    elif story.origin is not None and status.active:
        ended = f"not yet ({now - story.origin:.1f} s so far)"
    else:
        ended = missing
    lines.append(_fact("Ended", ended))
    return lines


def _received(story: RowStory, now: float) -> str:
    if not story.chunks and not story.received:
        return "nothing"
    chunks = "1 chunk" if story.chunks == 1 else f"{story.chunks} chunks"
    text = f"{format_size(story.received)} in {chunks}"
    if story.connecting is not None:
        elapsed = (story.ended if story.ended is not None else now) - story.connecting
        if elapsed > 0:
            text += f", {format_rate(story.received / elapsed)}"
    return text


def _log(story: RowStory) -> list[str]:
    lines = [f"  ({story.log_dropped} earlier lines not kept)"] if story.log_dropped else []
    lines += [f"  {_at(story, at, '')}  {words}" for at, words in story.log]
    return lines or ["  (nothing yet)"]


def _path(story: RowStory, status: Status) -> list[str]:
    lines = [f"  ({story.steps_dropped} earlier steps not kept)"] if story.steps_dropped else []
    lines += [f"  {_step(step)}" for step in story.steps]
    if lines:
        return lines
    if story.ended is None and status.active:
        return ["  not fired yet: it fires once, when the poem is whole or the download fails"]
    if story.connecting is None:
        return ["  none: it ended while queued, before a Deferred was made"]
    return ["  none: the download could not begin, so no Deferred was made"]


def _step(step: Step) -> str:
    text = f"{step.kind} → {step.handler}({step.result})"
    return f"{text} → {step.outcome}" if step.outcome else text
