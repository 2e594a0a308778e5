"""The Timeline dock: the lanes widget, its painting, the dock around it."""
