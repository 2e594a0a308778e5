"""One server's row: what the table shows and what a download leaves behind.

A :class:`ServerRow` is plain data. The download controller writes to it as
events arrive; the table model reads from it when the view asks. Keeping the
two apart lets the network go as fast as it likes while the view repaints
on its own timer.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field

from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from app.address import Address
from app.client import Poem, describe_failure


class Status(enum.Enum):
    """The words a person reads in the Status column; the value is the word."""

    IDLE = "Idle"
    QUEUED = "Queued"
    CONNECTING = "Connecting"
    DOWNLOADING = "Downloading"
    DONE = "Done"
    FAILED = "Failed"
    CANCELLED = "Cancelled"

    @property
    def active(self) -> bool:
        """Queued or on the wire: Start does nothing to it, Cancel stops it."""
        return self in (Status.QUEUED, Status.CONNECTING, Status.DOWNLOADING)


@dataclass(eq=False)
class ServerRow:
    """A server in the list and the state of its latest download.

    ``expected_size`` is what the progress bar measures against: the size
    of the last poem this server sent, or the embedded demo poem's size;
    ``None`` means the bar can only be busy. ``demo`` rows point at servers
    that live only as long as this process, so they are never saved.
    """

    address: Address
    encoding: str = "utf-8"
    expected_size: int | None = None
    demo: bool = False
    note: str = ""  # shown as the Server cell's tooltip
    status: Status = Status.IDLE
    received: int = 0
    started: float | None = None  # time.monotonic() when the connection attempt began
    finished: float | None = None
    poem: Poem | None = None
    failure: Failure | None = None
    deferred: Deferred[Poem] | None = field(default=None, repr=False)

    def reset_for_download(self) -> None:
        """Forget the previous attempt's bytes and verdict; keep the poem until a new one comes."""
        self.received = 0
        self.started = None
        self.finished = None
        self.failure = None

    @property
    def elapsed(self) -> float | None:
        """Seconds the latest download ran (so far, while it runs)."""
        if self.started is None:
            return None
        end = self.finished if self.finished is not None else time.monotonic()
        return max(end - self.started, 0.0)

    @property
    def rate(self) -> float | None:
        """Average bytes per second of the latest download."""
        elapsed = self.elapsed
        if not elapsed or not self.received:
            return None
        return self.received / elapsed

    @property
    def fraction(self) -> float | None:
        """Received share of the expected size, in [0, 1]; ``None`` if the size is unknown."""
        if self.status is Status.DONE:
            return 1.0
        if not self.expected_size:
            return None
        return min(self.received / self.expected_size, 1.0)

    @property
    def reason(self) -> str | None:
        """The failure in a few plain words, for the tooltip and the failure list."""
        return None if self.failure is None else describe_failure(self.failure)
