"""Labels that show text as it is: a poem's name, a reason, a path are data, never markup.

A bare ``QLabel`` guesses (``Qt.AutoText``) and renders anything that looks
like HTML; every label in the window is made here instead.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QLabel


def plain_label(text: str = "", name: str | None = None) -> QLabel:
    """A ``QLabel`` in ``Qt.PlainText``, with ``name`` as its object name if given."""
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)
    if name is not None:
        label.setObjectName(name)
    return label
