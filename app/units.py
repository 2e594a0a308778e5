"""Byte counts, rates and durations in the words people read: "16 MiB", "14 B/s", "30 s"."""

from __future__ import annotations

_UNITS = ("KiB", "MiB", "GiB", "TiB")


def format_size(count: int | float) -> str:
    """``312 bytes``, ``1 byte``, ``1.2 KiB``, ``16 MiB``: binary units, one decimal at most."""
    if count < 1024:
        count = int(count)
        return "1 byte" if count == 1 else f"{count} bytes"
    value = float(count)
    for unit in _UNITS:
        value /= 1024
        if value < 1024 or unit == _UNITS[-1]:
            return f"{_one_decimal(value)} {unit}"
    raise AssertionError("unreachable")


def format_rate(bytes_per_second: float) -> str:
    """A transfer rate, short enough for a table cell: ``14 B/s``, ``2.5 MiB/s``."""
    if bytes_per_second < 1024:
        return f"{bytes_per_second:.0f} B/s"
    return format_size(bytes_per_second) + "/s"


def format_seconds(seconds: float) -> str:
    """``30 s``, ``0.5 s``, ``2 min 05 s``: as precise as a person needs."""
    if seconds < 10:
        return f"{seconds:.3g} s" if seconds < 1 else f"{_one_decimal(seconds)} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s"


def shorten(text: str, limit: int) -> str:
    """``text``, or its first ``limit - 1`` characters and "…".

    A pasted megabyte of junk is named in a message, not shown whole.
    """
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _one_decimal(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
