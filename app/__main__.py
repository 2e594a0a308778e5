"""``poetry-downloader`` and ``python -m app``: open the Poetry Downloader window.

Start-up order matters (ARCHITECTURE.md, the reactor integration's traps):
the ``QApplication`` first, then the qt5reactor
(``app.gui.reactor.qt_reactor.install()``, qt5reactor's ``QtReactor`` with a
lighter per-socket path), then anything that imports the reactor, then
``reactor.run()`` (never ``app.exec_()``). Every way out (closing the
window, Quit, Ctrl+Q, SIGINT, SIGTERM) goes through ``MainWindow.close()``,
which cancels downloads, stops the demo servers and saves the settings; the
window's ``closed`` signal then stops the reactor on its next turn.

The language is chosen before anything is said: ``--language`` (looked for
in the arguments before the parser exists, so that ``--help`` is already in
that language), then the one saved in Preferences, then the locale. The
Qt-free :func:`app.i18n.install` serves the help and the start-up failures;
once the ``QApplication`` exists, :func:`app.gui.i18n.install_language` adds
Qt's own words, before the window is built.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from app import APP_NAME, __version__, i18n
from app.cli.arguments import add_version, address_argument
from app.i18n import _, display_name
from app.i18n.argparse_words import HelpFormatter, speak_ours
from app.startup.display_check import start_problem
from app.startup.file_limit import raise_open_file_limit

LANGUAGE_OPTION = "--language"


def _parser() -> argparse.ArgumentParser:
    """The command line, in the language installed when it is built."""
    parser = argparse.ArgumentParser(
        prog=APP_NAME,
        formatter_class=HelpFormatter,
        description=_("Download poems from many poetry servers at once, and watch it happen."),
        epilog=_(
            "ADDR is PORT (on 127.0.0.1), HOST:PORT or [IPv6]:PORT; "
            "addresses given are added and downloaded at once."
        ),
    )
    parser.add_argument(
        "addresses",
        metavar="ADDR",
        nargs="*",
        type=address_argument,
        help=_("a poetry server to add to the list and download from"),
    )
    parser.add_argument(
        "--config-dir",
        type=Path,
        metavar="DIR",
        help=_("keep settings in DIR instead of the user's config directory"),
    )
    parser.add_argument(
        "--demo", action="store_true", help=_("start the embedded demo servers and list them")
    )
    parser.add_argument(
        LANGUAGE_OPTION,
        choices=i18n.LANGUAGES,
        help=_(
            "speak LANGUAGE ({choices}) instead of the one chosen in Preferences or the locale's"
        ).format(choices=", ".join(i18n.LANGUAGES)),
        metavar="LANGUAGE",
    )
    parser.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help=_("install the application menu entry and icon for this user, then exit"),
    )
    add_version(parser)
    return parser


def language_asked(argv: Sequence[str]) -> str | None:
    """The language ``--language`` names in ``argv``, read before the parser exists; or None.

    A value the program does not speak is None here: the parser then says
    what is wrong, in the locale's language.
    """
    for number, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == LANGUAGE_OPTION and number + 1 < len(argv):
            value = argv[number + 1]
        elif arg.startswith(LANGUAGE_OPTION + "="):
            value = arg.split("=", 1)[1]
        else:
            continue
        return value if value in i18n.LANGUAGES else None
    return None


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: exit 0 after a normal quit, 1 without a display, 2 on bad usage."""
    args = sys.argv[1:] if argv is None else list(argv)
    explicit = language_asked(args)
    i18n.install(i18n.choose(explicit, None, os.environ))
    speak_ours()
    options = _parser().parse_args(args)
    if options.install_desktop_entry:
        from app.startup.desktop_entry import install_desktop_entry

        try:
            entry = install_desktop_entry()
        except (OSError, ValueError) as e:
            sys.stderr.write(
                _("{program}: cannot install the desktop entry: {reason}").format(
                    program=APP_NAME, reason=e
                )
                + "\n"
            )
            sys.exit(1)
        print(
            _("Installed {entry}; {name} is now in the application menu.").format(
                entry=entry, name=display_name()
            )
        )
        sys.exit(0)
    # Room for a socket per download, as many as the hard limit allows (app/startup/file_limit.py).
    raise_open_file_limit()
    # One window per settings directory: a later launch hands its addresses to
    # the window already open and exits here, before any Qt (app/instance/claim.py).
    from app.instance.claim import claim_or_exit

    instance = claim_or_exit(options.config_dir, options.addresses, options.demo)

    # The language chosen in Preferences, from here on (read only now: a later
    # launch has handed over and gone by this point, without the settings' imports).
    from app.settings.store import default_config_dir, saved_language

    config_dir = options.config_dir if options.config_dir is not None else default_config_dir()
    saved = saved_language(config_dir)
    language = i18n.choose(explicit, saved, os.environ)
    i18n.install(language)

    # Qt aborts when the window cannot open; find out first, and say why.
    problem = start_problem()
    if problem is not None:
        from app.startup.start_failure import report_start_failure

        report_start_failure(problem)
        sys.exit(1)

    from PyQt5.QtCore import Qt
    from PyQt5.QtWidgets import QApplication

    from app.gui.platform_guard import platform_guard
    from app.startup.start_failure import report_start_failure

    # Icons drawn for the screen's pixels, not scaled up from one size (HiDPI, QT_SCALE_FACTOR).
    QApplication.setAttribute(Qt.AA_UseHighDpiPixmaps)
    # argv[0] names the X11 window class, which the desktop entry's
    # StartupWMClass matches, whether started as a script or `python -m app`.
    # What the check could not foresee, Qt would abort on: say it instead.
    with platform_guard(report_start_failure):
        app = QApplication([APP_NAME])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    from app.gui.i18n import can_draw, install_language, no_font_message, window_language

    language = window_language(explicit, saved)  # no LANG from Finder or Explorer: ask the system
    font_problem = None if can_draw(language) else no_font_message(language)
    install_language(language if font_problem is None else i18n.SOURCE_LANGUAGE)
    app.setApplicationDisplayName(display_name())
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_NAME)
    # Under reactor.run() Qt's own "quit on last window" would leave the
    # reactor half-stopped (ARCHITECTURE.md, the reactor integration's trap
    # "Quitting"); the window's closed signal quits.
    app.setQuitOnLastWindowClosed(False)

    from app.gui.reactor import qt_reactor

    reactor = qt_reactor.install()
    from app.gui import MainWindow
    from app.gui.quit_signals import QuitSignals
    from app.gui.window import application_icon
    from app.log import log_uncaught, start_file_log
    from app.net.lookups import install_abandonable_resolver
    from app.startup.collector import settle_after_start_up

    log_file, log_problem = start_file_log()
    # PyQt aborts on an exception escaping a slot; log it and keep the downloads going.
    sys.excepthook = log_uncaught
    install_abandonable_resolver(reactor)
    app.setWindowIcon(application_icon())
    window = MainWindow(options.config_dir)
    instance.serve(window.take_launch, reactor)
    window.log_dock.set_log_file(log_file)
    if log_problem is not None:
        window.statusBar().showMessage(
            _("No log file: {reason}").format(reason=log_problem), 15_000
        )
    if font_problem is not None:
        from twisted.python import log

        log.msg(font_problem)
        window.statusBar().showMessage(font_problem, 30_000)
    signals = QuitSignals()
    # Through close() as every way out, but nobody is there to answer a question.
    signals.received.connect(window.close_for_signal)
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
    settle_after_start_up()
    reactor.callWhenRunning(begin)
    reactor.run(installSignalHandlers=False)
    signals.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
