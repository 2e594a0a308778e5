"""Every sentence the timeline shows a person, in one place and with nothing Qt in it.

The words are kept apart from the widget and from the record so they read
as one voice, and so their tests need no screen.
"""

from __future__ import annotations

from app.timeline import BatchSummary, Mode


def _seconds(seconds: float) -> str:
    """Tenths are what the comparison needs: "0.35 s", "4.2 s", "12.6 s"."""
    return f"{seconds:.2f} s" if seconds < 1 else f"{seconds:.1f} s"


def batch_summary(summary: BatchSummary) -> str:
    """The sentence under the timeline and in the status bar after a batch.

    "3 poems in 4.2 s; one at a time would take 12.6 s — 3.0× faster", or
    for a one-at-a-time batch, what all at once would have taken (the
    longest single download, since they would all have overlapped).
    """
    count = summary.poems + summary.failed
    what = f"{count} poem{'s' if count != 1 else ''}"
    if summary.failed:
        what += f" ({summary.failed} failed)"
    elapsed = _seconds(summary.elapsed)
    if summary.mode is Mode.ONE_AT_A_TIME:
        ratio = summary.elapsed / summary.longest if summary.longest > 0 else 1.0
        return (
            f"{what} one at a time in {elapsed}; all at once would take about "
            f"{_seconds(summary.longest)} — {ratio:.1f}× faster"
        )
    ratio = summary.individual_sum / summary.elapsed if summary.elapsed > 0 else 1.0
    verdict = f"{ratio:.1f}× faster" if ratio >= 1.05 else "the downloads did not overlap"
    return (
        f"{what} in {elapsed}; one at a time would take "
        f"{_seconds(summary.individual_sum)} — {verdict}"
    )
