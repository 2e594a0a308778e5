"""The bundle's one executable: it is whichever program it was started as.

The one-folder bundle (``make bundle``) ships one frozen executable,
``poetry-downloader``, and two symbolic links to it, ``poetry-get`` and
``poetry-server``. Three separate executables would each carry their own
copy of the Python code; one executable sharing it keeps the download
smaller. So the name in ``argv[0]`` chooses the program, as a multi-call
binary does; any other name opens the window, since the window is what a
renamed launcher or a desktop entry means.

Each program's module is imported only once chosen, so ``poetry-get`` never
loads Qt. The imports are written out (not looked up by name) so that the
bundler's analysis sees all three.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from app import APP_NAME

GET = "poetry-get"
SERVE = "poetry-server"
#: The names the bundle's executable answers to; the first is the executable itself.
PROGRAMS = (APP_NAME, GET, SERVE)


def program_name(argv0: str) -> str:
    """The program ``argv0`` names: ``poetry-get``, ``poetry-server``, or else the window."""
    name = os.path.basename(argv0)
    return name if name in PROGRAMS else APP_NAME


def entry_point(name: str) -> Callable[[], None]:
    """The ``main`` of the program called ``name`` (one of :data:`PROGRAMS`)."""
    if name == GET:
        from app.cli.get import main as get_main

        return get_main
    if name == SERVE:
        from app.cli.serve import main as serve_main

        return serve_main
    from app.__main__ import main as window_main

    return window_main


def main() -> None:
    """Run the program named by ``sys.argv[0]`` with the rest of the command line."""
    entry_point(program_name(sys.argv[0]))()


if __name__ == "__main__":
    main()
