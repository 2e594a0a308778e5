"""The network: the poetry protocol's client and server, addresses, host lookups, titles."""
