"""Throughput: one big poem from a full-speed server, through each kind of client.

Every client downloads from the same ``poetry-server --delay 0`` process
in the same run, in turn (run 1: every client, run 2: every client...), so
background noise spreads over all of them alike. The bare Twisted client
(c) is the yardstick: the project's client (a) and the window (b) are
judged by their speed relative to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from benchmarks.poems import write_poem
from benchmarks.processes import ClientTimeout, poetry_servers, run_client
from benchmarks.report import Table, median, verdict
from benchmarks.run_options import RunOptions

#: 256 MiB: at 64 MiB the window's download took only 45-80 ms, and noise
#: decided (b)/(c).
FULL_SIZE = 256 * 2**20
QUICK_SIZE = 2**20
TUTORIAL_FULL_SIZE_TIMEOUT = 60.0  # the quadratic client takes ~20 s at 64 MiB on 2 cores
CLIENT_TIMEOUT = 60.0
MIB = 2**20


@dataclass(frozen=True)
class Client:
    key: str  # the letter the issue gives it, for the ratios
    label: str
    kind: str  # the argument to benchmarks.throughput_clients
    ascii_poem: bool = False
    size_divisor: int = 1
    once: bool = False  # too slow to repeat: one run, capped
    timeout: float = CLIENT_TIMEOUT


CLIENTS = (
    Client("a", "(a) get_poetry", "get_poetry"),
    Client("a_text", "(a) get_poetry, then `poem.text` decoded", "get_poetry_text"),
    Client("a_ascii", "(a) get_poetry, ASCII poem", "get_poetry", ascii_poem=True),
    Client("a_qt", "(a′) get_poetry on qt5reactor, no window", "get_poetry_qt"),
    Client("b", "(b) MainWindow, shown, row + delegate", "window"),
    Client("c", "(c) bare Twisted Protocol, list of chunks", "twisted"),
    Client("c_text", '(c′) the same, then `b"".join` + decode', "twisted_text"),
    # Quadratic: a quarter of the poem already takes ~20 s, the whole would take ~5 minutes.
    Client(
        "d",
        "(d) tutorial `self.poem += data`, ¼ size",
        "tutorial",
        size_divisor=4,
        once=True,
        timeout=TUTORIAL_FULL_SIZE_TIMEOUT,
    ),
    Client("d_small", "(d) tutorial `self.poem += data`, 1/32 size", "tutorial", size_divisor=32),
    Client("e", "(e) blocking socket recv loop", "socket"),
)


def run(options: RunOptions) -> list[Table]:
    size = QUICK_SIZE if options.quick else FULL_SIZE
    files = {
        (ascii_poem, divisor): write_poem(options.workdir, size // divisor, ascii_only=ascii_poem)
        for ascii_poem, divisor in {(c.ascii_poem, c.size_divisor) for c in CLIENTS}
    }
    keys = list(files)
    results: dict[Client, list[dict[str, Any]]] = {client: [] for client in CLIENTS}
    timeouts: dict[Client, float] = {}
    with poetry_servers([files[key] for key in keys], delay=0) as addresses:
        server = dict(zip(keys, addresses, strict=True))
        for number in range(options.runs):
            for client in CLIENTS:
                if (client.once and number > 0) or client in timeouts:
                    continue
                address = server[(client.ascii_poem, client.size_divisor)]
                args = [
                    client.kind,
                    address.host,
                    str(address.port),
                    str(size // client.size_divisor),
                ]
                try:
                    results[client].append(
                        run_client("throughput_clients", args, timeout=client.timeout)
                    )
                except ClientTimeout as e:
                    timeouts[client] = e.seconds
    return [_table(size, results, timeouts)]


def _table(
    size: int, results: dict[Client, list[dict[str, Any]]], timeouts: dict[Client, float]
) -> Table:
    by_key = {client.key: client for client in results}

    def rate(client: Client) -> float:
        runs = results[client]
        return median([r["bytes"] / r["seconds"] / 1e6 for r in runs])

    def rate_of(key: str) -> float:
        return rate(by_key[key])

    baseline = rate_of("c")
    table = Table(
        f"Throughput: one {_mib(size)} poem from a full-speed server (delay 0)",
        [
            "Client",
            "Reactor",
            "Poem",
            "Runs",
            "Median s",
            "MB/s",
            "÷ (c)",
            "Peak RSS MiB",
            "RSS Δ MiB",
            "Peak ÷ poem",
        ],
    )
    for client in CLIENTS:
        runs = results[client]
        poem_size = size // client.size_divisor
        poem = _mib(poem_size) + (" ASCII" if client.ascii_poem else "")
        if client in timeouts and not runs:
            cap = timeouts[client]
            table.rows.append(
                [
                    client.label,
                    "EPollReactor",
                    poem,
                    "1",
                    f"> {cap:g}",
                    f"< {poem_size / cap / 1e6:.3g}",
                    f"< {poem_size / cap / 1e6 / baseline:.2g}",
                    "",
                    "",
                    "",
                ]
            )
            continue
        peak = median([r["peak_rss"] for r in runs])
        delta = median([r["peak_rss"] - r["baseline_rss"] for r in runs])
        table.rows.append(
            [
                client.label,
                runs[0]["reactor"],
                poem,
                len(runs),
                median([r["seconds"] for r in runs]),
                rate(client),
                rate(client) / baseline,
                peak / MIB,
                delta / MIB,
                peak / poem_size,
            ]
        )
    a, b = rate_of("a"), rate_of("b")
    peak_a = median([r["peak_rss"] for r in results[by_key["a"]]])
    delta_a = median([r["peak_rss"] - r["baseline_rss"] for r in results[by_key["a"]]])
    peak_ascii = median([r["peak_rss"] for r in results[by_key["a_ascii"]]])
    peak_text = median([r["peak_rss"] for r in results[by_key["a_text"]]])
    window_runs = results[by_key["b"]]
    # Run i of (b) and of (c) ran one after the other: their ratio sees the same moment.
    paired = [
        (rb["bytes"] / rb["seconds"]) / (rc["bytes"] / rc["seconds"])
        for rb, rc in zip(window_runs, results[by_key["c"]], strict=False)
    ]
    table.notes += [
        f"a/c = {a / baseline:.2f} (target ≥ 0.9: {verdict(a / baseline >= 0.9)}); "
        f"b/c = {b / baseline:.2f} (target ≥ 0.95: {verdict(b / baseline >= 0.95)}; "
        f"run by run {_spread(paired)}); "
        f"e/c = {rate_of('e') / baseline:.2f}; c′/c = {rate_of('c_text') / baseline:.2f} "
        "((c) plus the naive way to get text: every client that hands back a `str` pays for "
        "assembling and decoding, which (c) skips); "
        f"d/c = {_ratio(rate_of('d'), baseline, timeouts.get(by_key['d']), size // 4)} "
        f"(¼ size; 1/32 size: {rate_of('d_small') / baseline:.2g}).",
        f"Peak RSS of (a) = {peak_a / size:.2f} × the poem (target ≤ 3: "
        f"{verdict(peak_a <= 3 * size)}); its growth over the process's baseline = "
        f"{delta_a / size:.2f} ×; with an ASCII poem {peak_ascii / size:.2f} ×. `Poem.text` is "
        "decoded on first use, so (a) ends when the poem is whole; with the text decoded too "
        f"({rate_of('a_text') / baseline:.2f} × (c), peak {peak_text / size:.2f} × the poem) "
        "a poem with any character beyond Latin-1 (an em dash will do) becomes a "
        "2-byte-per-character `str` (PEP 393), which alone is 2 × the poem.",
        "Each client runs in its own process (peak RSS is that process's `VmHWM`; Δ is over "
        "its RSS just before connecting). (a) runs on the default reactor, as `poetry-get` does; "
        "(a′) and (b) on qt5reactor, as the window does.",
        f"(b): the table's viewport painted {median([r['paints'] for r in window_runs]):.0f} "
        "times per download (median), so the progress delegate ran.",
    ]
    return table


def _spread(values: list[float]) -> str:
    """The median of ``values`` and their range, as "0.97 (0.91-1.02)"."""
    if not values:
        return "n/a"
    return f"{median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def _ratio(rate: float, baseline: float, cap: float | None, size: int) -> str:
    if cap is not None and math.isnan(rate):
        return f"< {size / cap / 1e6 / baseline:.2g}"
    return f"{rate / baseline:.2g}"


def _mib(size: int) -> str:
    return f"{size / MIB:g} MiB"
