"""Everything Qt: the main window and its parts. The core never imports this package."""

from app.gui.window import MainWindow

__all__ = ["MainWindow"]
