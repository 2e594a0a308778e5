"""``poetry-downloader`` and ``python -m app``: open the Poetry Downloader window.

Start-up order matters (ARCHITECTURE.md, the reactor integration's traps):
the ``QApplication`` first, then the qt5reactor
(``app.gui.qt_reactor.install()``, qt5reactor's ``QtReactor`` with a
lighter per-socket path), then anything that imports the reactor, then
``reactor.run()`` (never ``app.exec_()``). Every way out (closing the
window, Quit, Ctrl+Q, SIGINT, SIGTERM) goes through ``MainWindow.close()``,
which cancels downloads, stops the demo servers and saves the settings; the
window's ``closed`` signal then stops the reactor on its next turn.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from app import APP_NAME, DISPLAY_NAME, __version__
from app.cli.arguments import address_argument
from app.display_check import start_problem
from app.file_limit import raise_open_file_limit


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=APP_NAME,
        description="Download poems from many poetry servers at once, and watch it happen.",
        epilog="ADDR is PORT (on 127.0.0.1), HOST:PORT or [IPv6]:PORT; "
        "addresses given are added and downloaded at once.",
    )
    parser.add_argument("addresses", metavar="ADDR", nargs="*", type=address_argument)
    parser.add_argument(
        "--config-dir",
        type=Path,
        metavar="DIR",
        help="keep settings in DIR instead of the user's config directory",
    )
    parser.add_argument(
        "--demo", action="store_true", help="start the embedded demo servers and list them"
    )
    parser.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="install the application menu entry and icon for this user, then exit",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: exit 0 after a normal quit, 1 without a display, 2 on bad usage."""
    options = _parser().parse_args(argv)
    if options.install_desktop_entry:
        from app.desktop import install_desktop_entry

        try:
            entry = install_desktop_entry()
        except (OSError, ValueError) as e:
            sys.stderr.write(f"{APP_NAME}: cannot install the desktop entry: {e}\n")
            sys.exit(1)
        print(f"Installed {entry}; Poetry Downloader is now in the application menu.")
        sys.exit(0)
    # Room for a socket per download, as many as the hard limit allows (app/file_limit.py).
    raise_open_file_limit()
    # One window per settings directory: a later launch hands its addresses to
    # the window already open and exits here, before any Qt (app/instance.py).
    from app.instance import claim_or_exit

    instance = claim_or_exit(options.config_dir, options.addresses, options.demo)

    # Qt aborts when the window cannot open; find out first, and say why.
    problem = start_problem()
    if problem is not None:
        from app.start_failure import report_start_failure

        report_start_failure(problem)
        sys.exit(1)

    from PyQt5.QtWidgets import QApplication

    from app.gui.platform_guard import platform_guard
    from app.start_failure import report_start_failure

    # argv[0] names the X11 window class, which the desktop entry's
    # StartupWMClass matches, whether started as a script or `python -m app`.
    # What the check could not foresee, Qt would abort on: say it instead.
    with platform_guard(report_start_failure):
        app = QApplication([APP_NAME])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_NAME)
    # Under reactor.run() Qt's own "quit on last window" would leave the
    # reactor half-stopped (ARCHITECTURE.md, the reactor integration's trap
    # "Quitting"); the window's closed signal quits.
    app.setQuitOnLastWindowClosed(False)

    from app.gui import qt_reactor

    reactor = qt_reactor.install()
    from app.gui import MainWindow
    from app.gui.quit_signals import QuitSignals
    from app.gui.window import application_icon
    from app.log import log_uncaught, start_file_log
    from app.lookups import install_abandonable_resolver

    log_file, log_problem = start_file_log()
    # PyQt aborts on an exception escaping a slot; log it and keep the downloads going.
    sys.excepthook = log_uncaught
    install_abandonable_resolver(reactor)
    app.setWindowIcon(application_icon())
    window = MainWindow(options.config_dir)
    instance.serve(window.take_launch)
    window.log_dock.set_log_file(log_file)
    if log_problem is not None:
        window.statusBar().showMessage(f"No log file: {log_problem}", 15_000)
    signals = QuitSignals()
    signals.received.connect(lambda _signum: window.close())
    # A bare reactor.stop() from a Qt slot can stall (same trap): stop on the next turn.
    window.closed.connect(lambda: reactor.callLater(0, reactor.stop))
    reactor.addSystemEventTrigger("before", "shutdown", window.shutdown)

    def begin() -> None:
        if window.shut_down:  # a signal arrived before the reactor got going
            return
        if options.addresses:
            window.add_servers(options.addresses, start=True)
        if options.demo or not (options.addresses or window.saved_servers_found):
            window.start_demo()

    window.show()
    reactor.callWhenRunning(begin)
    reactor.run(installSignalHandlers=False)
    signals.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
