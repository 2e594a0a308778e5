"""The window's first size and a restored one: the geometry, then the window offscreen.

Plain geometry first (``QRect`` in, ``QRect`` out): the screens people have,
then the promises for any screen and any saved frame. Then the window
itself on Qt's offscreen screen (800 x 600, a 2-pixel frame): a first
start fills it, and a geometry saved on a monitor unplugged since comes back on it.
tests/test_screens.py shows the same with real frames, on Xvfb with openbox.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from PyQt5.QtCore import QRect, QSize, Qt
from PyQt5.QtWidgets import QApplication, QWidget

from app.gui import MainWindow
from app.gui.screen_fit import COMFORTABLE, LARGEST, first_frame, onto_screens
from app.settings.store import FILE_NAME, Settings, settings_bytes


def test_a_small_screen_is_filled_and_a_large_one_gets_a_centred_share():
    assert first_frame(QRect(0, 0, 1024, 600)) == QRect(0, 0, 1024, 600)
    assert first_frame(QRect(0, 0, 1366, 740)).size() == QSize(1280, 740)
    assert first_frame(QRect(0, 0, 1920, 1050)) == QRect(192, 105, 1536, 840)
    assert first_frame(QRect(0, 0, 3840, 2160)).size() == LARGEST


def test_a_panel_on_the_left_moves_the_first_window_beside_it():
    available = QRect(64, 0, 1920 - 64, 1080)
    frame = first_frame(available)
    assert available.contains(frame)
    assert frame.center() == available.center()


@given(
    st.integers(-3000, 3000),
    st.integers(-3000, 3000),
    st.integers(320, 5000),
    st.integers(240, 3000),
)
def test_the_first_frame_is_always_whole_on_its_screen_and_centred(x, y, width, height):
    available = QRect(x, y, width, height)
    frame = first_frame(available)
    assert available.contains(frame)
    assert abs(frame.center().x() - available.center().x()) <= 1
    assert frame.width() <= LARGEST.width() and frame.height() <= LARGEST.height()
    if width >= COMFORTABLE.width():
        assert frame.width() >= COMFORTABLE.width()


LAPTOP = QRect(0, 0, 1366, 768)
MONITOR = QRect(1366, 0, 1920, 1080)


def test_a_window_on_screen_stays_exactly_where_it_is():
    frame = QRect(100, 50, 900, 600)
    assert onto_screens(frame, [LAPTOP]) == frame


def test_a_window_across_two_monitors_stays_across_them():
    frame = QRect(1000, 100, 900, 600)
    assert onto_screens(frame, [LAPTOP, MONITOR]) == frame


def test_a_window_left_on_a_monitor_unplugged_since_comes_back_whole_on_the_nearest():
    frame = QRect(2000, 300, 1200, 700)  # it was on MONITOR
    back = onto_screens(frame, [LAPTOP])
    assert LAPTOP.contains(back)
    assert back.size() == QSize(1200, 700)
    assert back.right() == LAPTOP.right()  # as little moved as it could be


def test_a_window_bigger_than_the_screen_is_shrunk_to_it():
    assert onto_screens(QRect(-40, -30, 1600, 900), [LAPTOP]) == LAPTOP


def test_a_title_bar_above_the_screen_comes_down():
    back = onto_screens(QRect(200, -25, 800, 500), [LAPTOP])
    assert back == QRect(200, 0, 800, 500)


@given(
    st.integers(-5000, 5000),
    st.integers(-5000, 5000),
    st.integers(1, 4000),
    st.integers(1, 3000),
    st.lists(
        st.tuples(
            st.integers(-3000, 3000),
            st.integers(-3000, 3000),
            st.integers(320, 3000),
            st.integers(240, 2000),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_a_restored_frame_always_ends_up_whole_on_a_present_screen(x, y, width, height, screens):
    areas = [QRect(*screen) for screen in screens]
    frame = QRect(x, y, width, height)
    back = onto_screens(frame, areas)
    covered = [area.intersected(back) for area in areas]
    on_one = any(area.contains(back) for area in areas)
    if not on_one:  # then it is where it was, because the screens together cover it
        assert back == frame
        assert sum(c.width() * c.height() for c in covered if not c.isEmpty()) >= (width * height)
    if any(area.contains(frame) for area in areas):
        assert back == frame


#: A saved window's inside: as large as the window can be small, and fits the screen.
SAVED = QSize(780, 480)


def saved_far_right(*, maximized: bool = False, screen_width: int | None = None) -> bytes:
    """A window's saved geometry, last on a monitor to the right of the offscreen screen.

    ``screen_width``: the width of the screen it says it was saved on, if not this one's.
    """
    widget = QWidget()
    widget.setGeometry(QRect(1900, 200, SAVED.width(), SAVED.height()))  # hidden: nothing clamps it
    if maximized:
        widget.setWindowState(widget.windowState() | Qt.WindowMaximized)
    geometry = bytearray(widget.saveGeometry())
    widget.deleteLater()
    if screen_width is not None:
        # After the magic number, the version, two rectangles, the screen's
        # number and two flags (QWidget::saveGeometry's format 3.0).
        geometry[46:50] = screen_width.to_bytes(4, "big")
    return bytes(geometry)


def opened_with(qtbot, config_dir, geometry: bytes) -> MainWindow:
    config_dir.mkdir(parents=True)
    (config_dir / FILE_NAME).write_bytes(settings_bytes(Settings(geometry=geometry)))
    window = MainWindow(config_dir=config_dir)
    qtbot.addWidget(window)
    return window


def offscreen_screen() -> QRect:
    screen = QApplication.primaryScreen().availableGeometry()
    assert (screen.width(), screen.height()) == (800, 600)  # what the tests are measured against
    return screen


def test_a_first_start_fills_the_offscreen_screen(qtbot, config_dir):
    window = MainWindow(config_dir=config_dir)
    qtbot.addWidget(window)
    window.show()
    # Once its frame is known (here at once), the window is given the rest.
    qtbot.waitUntil(lambda: window.frameGeometry() == offscreen_screen(), timeout=1000)
    window.close()


def test_a_window_saved_on_a_monitor_unplugged_since_opens_whole_on_this_screen(qtbot, config_dir):
    window = opened_with(qtbot, config_dir, saved_far_right())
    window.show()
    qtbot.waitUntil(lambda: offscreen_screen().contains(window.frameGeometry()), timeout=1000)
    assert window.size() == SAVED  # the size it had: it only moved
    window.close()


def test_a_maximized_window_from_an_unplugged_monitor_un_maximizes_onto_this_screen(
    qtbot, config_dir
):
    window = opened_with(qtbot, config_dir, saved_far_right(maximized=True))
    assert window.isMaximized()
    assert offscreen_screen().contains(window.normalGeometry())
    window.show()
    window.showNormal()
    qtbot.waitUntil(lambda: not window.isMaximized(), timeout=1000)
    qtbot.waitUntil(lambda: offscreen_screen().contains(window.frameGeometry()), timeout=1000)
    assert window.size() == SAVED
    window.close()


def test_geometry_saved_on_a_screen_of_another_size_opens_as_a_first_start(qtbot, config_dir):
    # Qt will not restore it (a screen a quarter wider or narrower): the window
    # must still get a size, the first start's.
    window = opened_with(qtbot, config_dir, saved_far_right(screen_width=2560))
    window.show()
    # Once its frame is known (here at once), the window is given the rest.
    qtbot.waitUntil(lambda: window.frameGeometry() == offscreen_screen(), timeout=1000)
    window.close()


def test_a_dialog_too_large_for_the_screen_opens_whole_inside_it(qtbot, window):
    dialog = window.open_add_dialog()
    qtbot.waitExposed(dialog)
    dialog.hide()
    dialog.resize(2000, 1500)  # as a long list of addresses or a large font might make it
    dialog.show()
    qtbot.waitUntil(lambda: offscreen_screen().contains(dialog.frameGeometry()), timeout=1000)
    dialog.close()
