"""Byte counts, rates and durations in the words people read: "16 MiB", "14 B/s", "30 s"."""

from __future__ import annotations

from app.i18n import _, ngettext

_UNITS = ("KiB", "MiB", "GiB", "TiB")


def format_size(count: int | float) -> str:
    """``312 bytes``, ``1 byte``, ``1.2 KiB``, ``16 MiB``: binary units, one decimal at most."""
    if count < 1024:
        return count_bytes(int(count))
    value = float(count)
    for unit in _UNITS:
        value /= 1024
        if value < 1024 or unit == _UNITS[-1]:
            return f"{_one_decimal(value)} {unit}"
    raise AssertionError("unreachable")


def format_size_short(count: int) -> str:
    """``537 B``, ``1.2 KiB``: a size as short as the rate's ``14 B/s``, for a crowded cell."""
    if count < 1024:
        return f"{count} B"
    return format_size(count)


def count_bytes(count: int) -> str:
    """``1 byte``, ``312 bytes``: an exact count, however large (``1048576 bytes``)."""
    return ngettext("{n} byte", "{n} bytes", count).format(n=count)


def size_in_chunks(size: int, chunks: int) -> str:
    """``612 bytes in 2 chunks``: how much came, and in how many pieces."""
    return ngettext("{size} in {n} chunk", "{size} in {n} chunks", chunks).format(
        size=format_size(size), n=chunks
    )


def format_rate(bytes_per_second: float) -> str:
    """A transfer rate, short enough for a table cell: ``14 B/s``, ``2.5 MiB/s``."""
    if bytes_per_second < 1024:
        return f"{bytes_per_second:.0f} B/s"
    return format_size(bytes_per_second) + "/s"


def format_seconds(seconds: float) -> str:
    """``30 s``, ``0.5 s``, ``2 min 05 s``: as precise as a person needs."""
    if seconds < 10:
        return seconds_text(f"{seconds:.3g}" if seconds < 1 else _one_decimal(seconds))
    if seconds < 60:
        return seconds_text(f"{seconds:.0f}")
    minutes, secs = divmod(round(seconds), 60)
    return _("{minutes} min {seconds} s").format(minutes=minutes, seconds=f"{secs:02d}")


def seconds_text(number: str) -> str:
    """A number already written out (``"3.50"``, ``"0.5"``) as seconds: ``3.50 s``, ``3.50 秒``."""
    # TRANSLATORS: a duration in seconds; {seconds} is the number, "3.2 s".
    return _("{seconds} s").format(seconds=number)


def shorten(text: str, limit: int) -> str:
    """``text``, or its first ``limit - 1`` characters and "…".

    A pasted megabyte of junk is named in a message, not shown whole.
    """
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _one_decimal(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
