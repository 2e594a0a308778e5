"""The command lines, one module per program: ``poetry-get`` downloads, ``poetry-server`` serves.

:mod:`app.cli.get` and :mod:`app.cli.serve` are the programs;
:mod:`app.cli.arguments` turns their command-line words into values (the
window's ``ADDR`` arguments too). Both programs run on Twisted's default
reactor. Usage mistakes exit with status 2 and one line saying what is wrong.
"""
