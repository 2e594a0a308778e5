"""Poetry Downloader: download poems from many poetry servers at once, and watch it happen.

The core (:mod:`app.net.address`, :mod:`app.net.client`, :mod:`app.net.server`) knows
nothing of Qt; the window lives in :mod:`app.gui` and builds on the core.
"""

__version__ = "0.1.0"
#: The program's name wherever a machine reads it: command, config and log
#: directories, desktop entry, icon, X11 window class.
APP_NAME = "poetry-downloader"
#: The name a person reads in title bars and menus, in English; in the
#: current language it is :func:`app.i18n.display_name` (诗歌下载器).
DISPLAY_NAME = "Poetry Downloader"  # untranslated: the source; display_name() translates it
