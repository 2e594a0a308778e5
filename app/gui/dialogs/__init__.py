"""The window's dialogs, none modal, and where they are placed."""
