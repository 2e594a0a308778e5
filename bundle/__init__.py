"""Build and check the one-folder bundle: the program for people without Python.

``make bundle`` runs :mod:`bundle.build` (PyInstaller with
``bundle/poetry-downloader.spec``, then the ``.tar.gz``); ``make
bundle-check`` runs :mod:`bundle.check` on the result; ``make
bundle-startup`` times its start-up beside the virtual environment's
(:mod:`bundle.startup`). Nothing in ``app/`` imports this package.
"""
