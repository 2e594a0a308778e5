"""Benchmarks: how fast and how smooth the client and the window are, against bare baselines.

Run them with ``python -m benchmarks`` (``make bench``). They print numbers;
the test suite only checks that they still run (``tests/test_benchmarks_smoke.py``).
Every server, and every measured client, runs in its own process, so the
orchestrating process never competes with what it measures.

This package imports nothing heavy at import time: the start-up probe runs
under ``python -m benchmarks.startup_probe`` and must not skew what it times.
"""
