"""A private X server (Xvfb) for the checks and the start-up measurement.

Xvfb picks a free display number itself (``-displayfd``), so it never
collides with another X server on the machine, and it listens on no TCP port.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

#: The screen the window is measured on: larger than the window's default size.
SCREEN = "1280x800x24"


def available() -> bool:
    return shutil.which("Xvfb") is not None


@contextmanager
def xvfb(timeout: float = 10.0) -> Iterator[str]:
    """Run Xvfb for the duration of the ``with``; yield its ``DISPLAY`` (``":N"``)."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", SCREEN, "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as announced:
            number = announced.readline().strip()  # written once the server is ready
        if not number:
            raise RuntimeError(f"Xvfb did not start (exit status {server.poll()})")
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(timeout)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
