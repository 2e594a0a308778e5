"""One window per settings directory: the claim, the socket, the message, both ends."""
