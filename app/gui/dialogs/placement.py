"""Where a window that reports on the work goes: beside it, never on top of it.

A dialog that opens over the table hides the very rows it talks about, and
Qt's default puts a parented dialog in the middle of its parent. Here the
screen is cut into the free strips around what must stay visible, and the
window goes into the first strip it fits, in the order right, below, left,
above: first around the main window's frame (the whole work stays
visible), then, when the screen has no room for that, around the table
alone, pushed to the screen's edge. It shrinks down to ``minimum`` to fit;
only when nothing fits does it overlap, at the screen edge farthest from
the table. :func:`beside_the_work` is plain geometry: no widget is
touched, so it is tested as is; :func:`screen_of` and
:func:`frame_margins` read the rectangles it needs off real windows.
"""

from __future__ import annotations

from PyQt5.QtCore import QMargins, QPoint, QRect, QSize
from PyQt5.QtWidgets import QApplication, QWidget

#: Space left between the window and what it stays clear of.
GAP = 8

_SIDES = ("right", "below", "left", "above")


def beside_the_work(
    preferred: QSize, minimum: QSize, window: QRect, work: QRect, screen: QRect
) -> QRect:
    """The frame rectangle for a window of ``preferred`` size (frames included) on ``screen``.

    ``window`` is the main window's frame, ``work`` what must stay visible
    above all (the table); both in global coordinates.
    """
    minimum = minimum.boundedTo(screen.size())
    preferred = preferred.expandedTo(minimum).boundedTo(screen.size())
    for avoid, at_screen_edge in ((window, False), (work, True)):
        spot = _best_side(preferred, minimum, avoid, screen, at_screen_edge)
        if spot is not None:
            return spot
    return _farthest_edge(preferred, minimum, work, screen)


def _free_strip(side: str, avoid: QRect, screen: QRect) -> QRect:
    """The part of ``screen`` on ``side`` of ``avoid``, ``GAP`` away; may be empty."""
    top_left, bottom_right = screen.topLeft(), screen.bottomRight()
    if side == "right":
        top_left = QPoint(avoid.right() + 1 + GAP, screen.top())
    elif side == "below":
        top_left = QPoint(screen.left(), avoid.bottom() + 1 + GAP)
    elif side == "left":
        bottom_right = QPoint(avoid.left() - 1 - GAP, screen.bottom())
    else:
        bottom_right = QPoint(screen.right(), avoid.top() - 1 - GAP)
    return QRect(top_left, bottom_right).intersected(screen)


def _place(side: str, size: QSize, strip: QRect, avoid: QRect, at_screen_edge: bool) -> QRect:
    """``size`` inside ``strip``: next to ``avoid`` (or at the screen's edge), level with it."""

    def clamp(value: int, low: int, high: int) -> int:
        return max(low, min(value, high))

    x = clamp(avoid.left(), strip.left(), strip.right() - size.width() + 1)
    y = clamp(avoid.top(), strip.top(), strip.bottom() - size.height() + 1)
    near_right, near_bottom = strip.right() - size.width() + 1, strip.bottom() - size.height() + 1
    if side == "right":
        x = near_right if at_screen_edge else strip.left()
    elif side == "left":
        x = strip.left() if at_screen_edge else near_right
    elif side == "below":
        y = near_bottom if at_screen_edge else strip.top()
    else:
        y = strip.top() if at_screen_edge else near_bottom
    return QRect(QPoint(x, y), size)


def _best_side(
    preferred: QSize, minimum: QSize, avoid: QRect, screen: QRect, at_screen_edge: bool
) -> QRect | None:
    """The first side where ``preferred`` fits, else the roomiest where ``minimum`` does."""
    roomiest: tuple[int, QRect] | None = None
    for side in _SIDES:
        strip = _free_strip(side, avoid, screen)
        if strip.isEmpty():
            continue
        size = preferred.boundedTo(strip.size())
        if size.width() < minimum.width() or size.height() < minimum.height():
            continue
        spot = _place(side, size, strip, avoid, at_screen_edge)
        if size == preferred:
            return spot
        area = size.width() * size.height()
        if roomiest is None or area > roomiest[0]:
            roomiest = (area, spot)
    return roomiest[1] if roomiest is not None else None


def _farthest_edge(preferred: QSize, minimum: QSize, work: QRect, screen: QRect) -> QRect:
    """No room anywhere: ``minimum`` or more, against the screen edge farthest from ``work``.

    Farthest means with the most free screen between it and ``work``; on a
    tie, the farther from ``work``'s centre.
    """
    centre = work.center()

    def room(side: str) -> tuple[int, int]:
        strip = _free_strip(side, work, screen)
        across = strip.width() if side in ("right", "left") else strip.height()
        from_centre = {
            "right": screen.right() - centre.x(),
            "below": screen.bottom() - centre.y(),
            "left": centre.x() - screen.left(),
            "above": centre.y() - screen.top(),
        }[side]
        return (0 if strip.isEmpty() else across, from_centre)

    side = max(_SIDES, key=room)
    strip = _free_strip(side, work, screen)
    if side in ("right", "left"):
        width = max(minimum.width(), min(preferred.width(), strip.width()))
        size = QSize(width, preferred.height())
    else:
        height = max(minimum.height(), min(preferred.height(), strip.height()))
        size = QSize(preferred.width(), height)
    return _place(side, size, screen, work, at_screen_edge=True)


def screen_of(widget: QWidget) -> QRect:
    """The available area of the screen ``widget``'s window is on."""
    handle = widget.window().windowHandle()
    screen = handle.screen() if handle is not None else None
    if screen is None:
        screen = QApplication.primaryScreen()
    return screen.availableGeometry()


def frame_margins(widget: QWidget) -> QMargins | None:
    """The window manager's frame around ``widget``'s window; ``None`` before it has one."""
    frame, inside = widget.frameGeometry(), widget.geometry()
    margins = QMargins(
        inside.left() - frame.left(),
        inside.top() - frame.top(),
        frame.right() - inside.right(),
        frame.bottom() - inside.bottom(),
    )
    return None if margins.isNull() else margins
