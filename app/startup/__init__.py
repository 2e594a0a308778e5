"""Before and around the window: can it open here, why it did not, the desktop entry,
process limits.
"""
