"""What a measured client process knows about itself, and how it reports it.

A client process prints exactly one ``RESULT {json}`` line, last; the
orchestrator (:func:`benchmarks.processes.run_client`) reads it back.
"""

from __future__ import annotations

import json
import os
import resource
from typing import Any

RESULT_PREFIX = "RESULT "


def report_result(result: dict[str, Any]) -> None:
    """Print the client's one ``RESULT`` line (the last thing a client process does)."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def peak_rss_bytes() -> int:
    """This process's peak resident set size so far: ``VmHWM`` from /proc.

    Not ``ru_maxrss``: Linux carries that across ``exec`` from the parent,
    so a child of a big orchestrator would report the parent's peak.
    Falls back to it only where /proc is missing.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def current_rss_bytes() -> int:
    """This process's resident set size now, from /proc (0 where there is none)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def cpu_seconds() -> float:
    """User plus system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
