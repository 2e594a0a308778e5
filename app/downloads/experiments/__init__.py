"""The experiments of the Tutorial menu: the Twisted Introduction's ideas, run on the real reactor.

Each module is one experiment (a callback that raises, a Deferred fired
twice, a cancel, a factory without ``clientConnectionFailed``, a blocked
reactor); :mod:`app.downloads.experiments.experiment` holds what they share.
Each starts its own poetry server on 127.0.0.1 and stops it after. Qt-free: the
window's experiment window shows their reports.
"""
