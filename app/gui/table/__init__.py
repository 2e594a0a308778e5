"""The server table: its model and the Progress column's delegate."""
