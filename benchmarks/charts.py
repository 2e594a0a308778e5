"""The benchmarks' pictures: PNG charts drawn with matplotlib from the numbers just measured.

The scale and burst benchmarks call these with the same medians their
tables print, so a chart and its table always come from one run; nothing
here is ever drawn from typed-in numbers. matplotlib comes from the
project's ``bench`` extra (``make bench`` installs it).

The window and the bare client share each chart: the same colour means
the same client, the line style the measure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: The clients as the charts name and colour them.
CLIENT_STYLE = {
    "window": ("the window (MainWindow)", "tab:blue"),
    "bare": ("bare Twisted Protocol, no window", "tab:orange"),
}
LAG_STYLE = {
    "lag_p50": ("p50", ":", "o"),
    "lag_p99": ("p99", "-", "s"),
    "lag_max": ("max", "--", "^"),
}
DPI = 110


def _figure(title: str) -> Any:
    """A figure and its one axes, drawn off-screen (no pyplot, no display needed)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.8), layout="constrained")
    axes = figure.subplots()
    axes.set_title(title, fontsize=11)
    axes.grid(True, which="both", alpha=0.3)
    return figure, axes


def _count_axis(axes: Any, counts: Sequence[int]) -> None:
    from matplotlib.ticker import FuncFormatter, NullFormatter

    axes.set_xscale("log")
    axes.set_xlabel("concurrent slow downloads (N, log scale)")
    axes.set_xticks(counts)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
    axes.xaxis.set_minor_formatter(NullFormatter())


def lag_chart(medians: Mapping[str, Mapping[int, Mapping[str, float]]], path: Path) -> Path:
    """Heartbeat lag p50, p99 and max (ms, log scale) against N, for each client.

    ``medians[client][N][measure]`` in seconds, as the scale table has them.
    """
    figure, axes = _figure("Heartbeat lag: how late a 10 ms timer fires (median of runs)")
    counts = sorted({n for by_count in medians.values() for n in by_count})
    for client, by_count in medians.items():
        label, colour = CLIENT_STYLE[client]
        ns = sorted(by_count)
        for measure, (name, line, marker) in LAG_STYLE.items():
            # Sub-millisecond p50s would sink out of sight on the log axis: floor them at 0.01 ms.
            values = [max(by_count[n][measure] * 1000, 0.01) for n in ns]
            axes.plot(ns, values, line, marker=marker, color=colour, label=f"{label}: {name}")
    _count_axis(axes, counts)
    axes.set_yscale("log")
    axes.set_ylabel("lag, ms (log scale)")
    axes.legend(fontsize=8, ncol=2)
    figure.savefig(path, dpi=DPI)
    return path


def cpu_chart(medians: Mapping[str, Mapping[int, float]], path: Path) -> Path:
    """CPU seconds per 10,000 poems against N, for each client (``medians[client][N]``)."""
    figure, axes = _figure("CPU time per 10,000 poems, client process only (median of runs)")
    counts = sorted({n for by_count in medians.values() for n in by_count})
    for client, by_count in medians.items():
        label, colour = CLIENT_STYLE[client]
        ns = sorted(by_count)
        axes.plot(ns, [by_count[n] for n in ns], "-", marker="o", color=colour, label=label)
    _count_axis(axes, counts)
    axes.set_ylim(bottom=0)
    axes.set_ylabel("CPU seconds per 10,000 poems")
    axes.legend(fontsize=8)
    figure.savefig(path, dpi=DPI)
    return path


def trace_chart(
    traces: Mapping[str, Sequence[Sequence[float]]],
    title: str,
    path: Path,
    first_bytes: Mapping[str, float | None] | None = None,
) -> Path:
    """Lag (ms) against seconds since the downloads began: ``traces[client]`` = [[t, lag s]...].

    ``first_bytes[client]``, if given, is marked with a dashed line: when bytes began to flow.
    """
    figure, axes = _figure(title)
    for client, trace in traces.items():
        label, colour = CLIENT_STYLE[client]
        first_byte = (first_bytes or {}).get(client)
        if first_byte is not None:
            axes.axvline(first_byte, linestyle="--", linewidth=0.8, color=colour)
        axes.plot(
            [t for t, _ in trace],
            [lag * 1000 for _, lag in trace],
            "-",
            linewidth=0.7,
            color=colour,
            label=label,
        )
    axes.set_xlabel("seconds since the downloads were started")
    axes.set_ylabel("heartbeat lag, ms")
    axes.set_ylim(bottom=0)
    axes.legend(fontsize=8)
    figure.savefig(path, dpi=DPI)
    return path
