"""Downloads as events: the controller, the event stream, the rows, the Deferred's steps,
the download log, the demo servers.
"""
