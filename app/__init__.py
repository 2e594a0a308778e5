"""Poetry Downloader: download poems from many poetry servers at once, and watch it happen.

The core (:mod:`app.address`, :mod:`app.client`, :mod:`app.server`) knows
nothing of Qt; the window lives in :mod:`app.gui` and builds on the core.
"""

__version__ = "0.1.0"
