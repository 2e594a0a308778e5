"""The words on a row's progress bar: the whole of them, and a short form that always fits.

The Progress column is narrow, and a failed row's words are long
("66 % · connection lost after 537 bytes"): cut at the column's edge they
read as "66 % · connection lo…", which keeps the least useful half. So
each row has a short form too, the numbers without the words
("66 % · 537 B", "1.2 KiB"), which the bar shows when the whole
does not fit; the reason stays in the row's tooltip and the Status column.
"""

from __future__ import annotations

from app.downloads.rows import ServerRow, Status
from app.i18n import _
from app.i18n.units import format_rate, format_size, format_size_short


def progress_text(row: ServerRow) -> str:
    """The words on the bar: a percentage when the size is known, else bytes and rate."""
    if row.started is None and row.status is not Status.DONE:
        return ""
    text = _numbers(row)
    if row.fraction is None and (rate := row.rate) is not None:
        text = _("{size} · {rate}").format(size=text, rate=format_rate(rate))
    if row.status is Status.FAILED:
        return _("{progress} · {reason}").format(progress=text, reason=row.reason)
    return text


def progress_short_text(row: ServerRow) -> str:
    """What the bar shows when :func:`progress_text` does not fit: "66 % · 537 B", "1.2 KiB"."""
    if row.started is None and row.status is not Status.DONE:
        return ""
    if row.fraction is None:
        return format_size_short(row.received)
    text = _numbers(row)
    if row.status is Status.FAILED:
        # How far it got, and how much that was: the reason is in the tooltip.
        return _("{progress} · {size}").format(progress=text, size=format_size_short(row.received))
    return text


def _numbers(row: ServerRow) -> str:
    """The percentage when the size is known, else the bytes received."""
    fraction = row.fraction
    if fraction is not None:
        return _("{percent} %").format(percent=int(fraction * 100))
    return format_size(row.received)
