"""``python -m app``: the Poetry Downloader window (placeholder until the GUI lands)."""

from __future__ import annotations

import sys


def main() -> None:
    sys.stderr.write("poetry-downloader: the window is not built yet\n")
    sys.exit(1)


if __name__ == "__main__":
    main()
