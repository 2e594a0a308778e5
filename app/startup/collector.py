"""The garbage collector, set for a window that holds ten thousand downloads at once.

A full (generation 2) collection walks every object the collector tracks.
With 10,000 downloads in flight that is half a million objects, and each
full collection stops the window for a visible moment; Python starts one
whenever the objects that survived the younger generations grow by a
quarter, which a growing batch of downloads does again and again.

Where those collections came from, and what is done at the source:

- every ended download left a reference cycle (Twisted's ``Connector`` and
  its ``tcp.Client`` point at each other, and our factory and its protocol
  did too), holding the factory, the protocol and their dicts.
  ``app.net.client`` breaks them as each download ends, so they go by
  reference counting;
- the ~60,000 objects of start-up (modules, classes, widgets) live as long
  as the program: :func:`settle_after_start_up` moves them out of the
  collector's sight with ``gc.freeze()``;
- what remains is the objects of live downloads and rows, which are not
  garbage: a full collection is only worth its pause when many ended
  downloads may have left cycles behind, so it waits for
  :data:`FULL_EVERY` collections of generation 1 instead of Python's 10;
- a download's short-lived objects (events, log records, Deferred
  results) are made and freed by the thousand a second. With Python's
  young generation of 700 objects, a young collection comes every few
  milliseconds and hands whatever is alive at that instant to generation
  1, which walks it again. A young generation of :data:`YOUNG` objects
  lets most of them die before any collection looks, at the price of
  young collections that each take a few milliseconds: still well inside
  the window's budget for a pause (the stalls benchmark of ``make bench``
  checks it).
"""

from __future__ import annotations

import gc

#: Allocations (less deallocations) of tracked objects between two young collections
#: (Python's default is 700).
YOUNG = 50_000
#: Generation-1 collections between two full ones (Python's default is 10).
FULL_EVERY = 100


def settle_after_start_up() -> None:
    """Call once the window is built and before the loop runs: what start-up made is
    kept for good, young collections wait for :data:`YOUNG` objects, and full
    collections come ten times less often."""
    gc.freeze()
    _, middle, _ = gc.get_threshold()
    gc.set_threshold(YOUNG, middle, FULL_EVERY)
