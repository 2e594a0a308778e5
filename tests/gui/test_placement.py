"""Where the failure window goes: beside the main window, else beside the table, never on it.

Plain geometry (``QRect`` in, ``QRect`` out): a few screens a person has,
then the promises for any screen, window and table.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from PyQt5.QtCore import QRect, QSize

from app.gui.dialogs.placement import GAP, beside_the_work

PREFERRED = QSize(640, 460)
SMALLEST = QSize(360, 240)
SCREEN = QRect(0, 0, 1920, 1080)


def test_beside_a_window_with_room_to_its_right_at_full_size_level_with_it():
    window = QRect(100, 80, 1000, 700)
    table = QRect(110, 150, 980, 400)

    spot = beside_the_work(PREFERRED, SMALLEST, window, table, SCREEN)

    assert spot == QRect(window.right() + 1 + GAP, window.top(), 640, 460)


def test_below_when_the_window_fills_the_width():
    window = QRect(0, 0, 1920, 500)
    table = QRect(10, 60, 1900, 300)

    spot = beside_the_work(PREFERRED, SMALLEST, window, table, SCREEN)

    assert spot.top() == window.bottom() + 1 + GAP
    assert spot.size() == PREFERRED
    assert SCREEN.contains(spot)


def test_shrinks_to_fit_beside_the_window_rather_than_cover_it():
    window = QRect(0, 0, 1500, 900)
    table = QRect(10, 60, 1480, 500)

    spot = beside_the_work(PREFERRED, SMALLEST, window, table, SCREEN)

    assert not spot.intersects(window)
    assert spot.width() >= SMALLEST.width() and spot.height() >= SMALLEST.height()
    assert SCREEN.contains(spot)


def test_a_maximised_window_keeps_its_table_clear_with_the_window_at_the_screen_edge():
    screen = QRect(0, 0, 800, 600)
    window = QRect(0, 0, 800, 600)
    table = QRect(0, 60, 800, 250)

    spot = beside_the_work(PREFERRED, SMALLEST, window, table, screen)

    assert not spot.intersects(table)
    assert spot.bottom() == screen.bottom()  # against the edge farthest from the table
    assert screen.contains(spot)


def test_with_no_room_anywhere_it_overlaps_at_the_edge_farthest_from_the_table():
    screen = QRect(0, 0, 800, 600)
    table = QRect(0, 0, 800, 500)

    spot = beside_the_work(PREFERRED, SMALLEST, screen, table, screen)

    assert spot.bottom() == screen.bottom()
    assert spot.height() == SMALLEST.height()
    assert screen.contains(spot)


def test_a_screen_smaller_than_the_window_still_holds_it():
    screen = QRect(0, 0, 300, 200)

    spot = beside_the_work(PREFERRED, SMALLEST, screen, QRect(0, 0, 300, 100), screen)

    assert screen.contains(spot)


def rects_within(outer: QRect) -> st.SearchStrategy[QRect]:
    """A rectangle of at least a tenth of ``outer`` each way, inside it."""
    share = st.floats(0.0, 1.0)

    def rect(left: float, top: float, wide: float, high: float) -> QRect:
        width = max(outer.width() // 10, round(wide * outer.width()))
        height = max(outer.height() // 10, round(high * outer.height()))
        x = outer.left() + round(left * (outer.width() - width))
        y = outer.top() + round(top * (outer.height() - height))
        return QRect(x, y, width, height)

    return st.builds(rect, share, share, share, share)


def room_beside(rect: QRect, screen: QRect) -> bool:
    """Is there a strip beside ``rect`` that holds the smallest useful window?"""
    return any(
        width >= SMALLEST.width() and height >= SMALLEST.height()
        for width, height in (
            (screen.right() - rect.right() - GAP, screen.height()),
            (rect.left() - screen.left() - GAP, screen.height()),
            (screen.width(), screen.bottom() - rect.bottom() - GAP),
            (screen.width(), rect.top() - screen.top() - GAP),
        )
    )


@given(
    st.sampled_from([QRect(0, 0, 800, 600), QRect(0, 0, 1366, 768), QRect(1920, 24, 2560, 1416)]),
    st.data(),
)
def test_on_screen_and_clear_of_the_window_or_at_least_the_table_whenever_there_is_room(
    screen: QRect, data: st.DataObject
):
    window = data.draw(rects_within(screen))
    table = data.draw(rects_within(window))

    spot = beside_the_work(PREFERRED, SMALLEST, window, table, screen)

    assert screen.contains(spot)
    assert spot.width() >= SMALLEST.width() and spot.height() >= SMALLEST.height()
    if room_beside(window, screen):
        assert not spot.intersects(window)
    elif room_beside(table, screen):
        assert not spot.intersects(table)
