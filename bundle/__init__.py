"""Build and check the one-folder bundle: the program for people without Python.

``make bundle`` runs :mod:`bundle.build`, which builds in a Debian 11
userland (:mod:`bundle.buildroot`, made and entered by :mod:`bundle.userland`)
so that the bundle runs on glibc 2.31 and newer: PyInstaller with
``bundle/poetry-downloader.spec``, then the ``.tar.gz``. ``make
bundle-check`` runs :mod:`bundle.check` on the result, here and in a bare
Debian 11 desktop userland (:mod:`bundle.oldest`); ``make bundle-startup``
times its start-up beside the virtual environment's (:mod:`bundle.startup`).
Nothing in ``app/`` imports this package.
"""
