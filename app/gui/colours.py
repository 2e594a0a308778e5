"""The two colours the palette has no role for: a failed download's red, a cancelled one's grey.

They read on light and dark bases alike, and the table's bars and the
timeline's lanes use the same ones, so a failure looks the same in both.
"""

from __future__ import annotations

from PyQt5.QtGui import QColor

FAILED_COLOUR = QColor(222, 56, 43)
CANCELLED_COLOUR = QColor(136, 136, 136)
