"""The window and its dialogs on the screen they open on: whole, title bar to bottom edge.

Qt sizes and places a window's inside; the window manager then adds a
frame (a title bar, borders) whose size nobody knows until the window is
mapped, and Qt reads it only when asked. So each window is fitted twice:
before it shows, as well as can be without its frame (a first start with
the frame guessed, :data:`GUESSED_FRAME`; a dialog no larger than the
screen), so it opens where it belongs; and once the real frame is known,
when a window that does not fit after all is moved, and shrunk if need
be, into the screen's available area (the screen less any panels).

- A first start (no saved geometry, or one Qt will not restore because
  it was saved on a screen of another size) fills the screen under the
  cursor up to a comfortable size, centred (:func:`first_frame`).
- A saved geometry is brought onto the screens present now
  (:func:`onto_screens`): a monitor unplugged since leaves no window on it,
  and a maximized window's normal size comes back on screen too.
- Every dialog the main window owns (its children: Add Servers, Preferences,
  the message boxes, the file dialogs, the failure window) stays inside
  the available area of the main window's screen.

:func:`first_frame` and :func:`onto_screens` are plain geometry, tested as
they are; :class:`ScreenFit` applies them to real windows.
"""

from __future__ import annotations

from collections.abc import Sequence

from PyQt5 import sip
from PyQt5.QtCore import QChildEvent, QEvent, QMargins, QObject, QPoint, QRect, QSize, Qt, QTimer
from PyQt5.QtGui import QCursor, QGuiApplication, QRegion, QScreen
from PyQt5.QtWidgets import QDialog, QWidget

from app.gui.dialogs.placement import frame_margins, screen_of

#: A window manager's frame before the real one is known: a title bar and thin
#: borders, guessed on the large side (a window a little too small is corrected
#: up at once; one too large would first show past the screen's edge).
GUESSED_FRAME = QMargins(8, 40, 8, 8)
#: The first window's frame when the screen has room: the table, the timeline
#: and the poem side by side.
COMFORTABLE = QSize(1280, 800)
#: On a larger screen the first window takes this share of it, up to LARGEST:
#: a window 2560 wide is mostly empty columns.
SHARE = 0.8
LARGEST = QSize(1600, 1000)
#: How often, and how long, to ask for the frame once the window is shown.
FRAME_POLL_MS = 40
FRAME_WAIT_MS = 2000


def first_frame(available: QRect) -> QRect:
    """The first window's frame on a screen whose available area is ``available``: centred.

    Comfortable where there is room, the whole area where there is less,
    and a share of a large screen rather than all of it.
    """
    share = QSize(round(available.width() * SHARE), round(available.height() * SHARE))
    size = share.expandedTo(COMFORTABLE).boundedTo(LARGEST).boundedTo(available.size())
    left = available.left() + (available.width() - size.width()) // 2
    top = available.top() + (available.height() - size.height()) // 2
    return QRect(QPoint(left, top), size)


def onto_screens(frame: QRect, screens: Sequence[QRect]) -> QRect:
    """``frame`` moved, and shrunk if need be, to lie whole on ``screens`` (available areas).

    A frame already on them (across two of them, too) stays as it is.
    Otherwise it goes onto the screen it overlaps most, or, when it is on
    none, the nearest one, as little moved as it can be.
    """
    if not screens:
        return QRect(frame)
    covered = QRegion()
    for screen in screens:
        covered = covered.united(QRegion(screen))
    if QRegion(frame).subtracted(covered).isEmpty():
        return QRect(frame)

    def overlap(screen: QRect) -> int:
        shared = screen.intersected(frame)
        return shared.width() * shared.height() if not shared.isEmpty() else 0

    def distance(screen: QRect) -> int:
        return (screen.center() - frame.center()).manhattanLength()

    target = max(screens, key=lambda screen: (overlap(screen), -distance(screen)))
    size = frame.size().boundedTo(target.size())
    x = max(target.left(), min(frame.left(), target.right() - size.width() + 1))
    y = max(target.top(), min(frame.top(), target.bottom() - size.height() + 1))
    return QRect(QPoint(x, y), size)


def screen_under_cursor() -> QScreen:
    """Where a window opened by a person belongs: the screen the pointer is on, else the primary."""
    screen = QGuiApplication.screenAt(QCursor.pos())
    return screen if screen is not None else QGuiApplication.primaryScreen()


def available_areas() -> list[QRect]:
    """The available area of each screen present now."""
    return [screen.availableGeometry() for screen in QGuiApplication.screens()]


class ScreenFit(QObject):
    """Fits ``window`` and its dialogs to their screen: before each shows, and once framed.

    The window calls :meth:`first_start` or :meth:`restored` after it has
    restored its settings, before it is shown.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        #: The first start's frame: given again once the real frame is known.
        self._first: QRect | None = None
        #: The size this gave the window before it showed: if it has another
        #: once framed, someone else chose it (a person, a test), and it stays.
        self._given: QSize | None = None
        #: Each window still waiting for its frame, and how long it has waited.
        self._waiting: dict[QWidget, int] = {}
        self._poll = QTimer(self)
        self._poll.setInterval(FRAME_POLL_MS)
        self._poll.timeout.connect(self._look_at_frames)
        window.installEventFilter(self)

    def first_start(self) -> None:
        """Nothing (usable) saved: fill the screen under the cursor up to a comfortable size."""
        frame = first_frame(screen_under_cursor().availableGeometry())
        self._apply(self._window, frame, GUESSED_FRAME)
        self._first, self._given = frame, self._window.size()

    def restored(self) -> None:
        """A saved geometry was restored (not shown yet): bring it whole onto a present screen.

        Before it shows only its inside is brought onto a screen, and only
        if it is off them: the frame is then fitted once known (a guess
        would shrink a window that fits exactly). A maximized window is left
        to the window manager, on the screen its normal geometry is brought
        to, with room for a frame: that is what it comes back to un-maximized.
        """
        window, screens = self._window, available_areas()
        full = window.windowState() & (Qt.WindowMaximized | Qt.WindowFullScreen)
        if full:
            # Qt gave the hidden maximized window its normal geometry, inside coordinates.
            inside = window.normalGeometry()
            if onto_screens(inside, screens) != inside:
                window.setWindowState(window.windowState() & ~full)
                fitted = onto_screens(inside.marginsAdded(GUESSED_FRAME), screens)
                self._apply(window, fitted, GUESSED_FRAME)
                window.setWindowState(window.windowState() | full)
        else:
            # Another it moved by its frame's corner, to where it was saved.
            inside = QRect(window.pos(), window.size())
            fitted = onto_screens(inside, screens)
            if fitted != inside:
                window.resize(fitted.size())
                window.move(fitted.topLeft())
        self._given = window.size()

    # Watching the windows

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._window and kind == QEvent.ChildPolished:
            assert isinstance(event, QChildEvent)
            child = event.child()
            if isinstance(child, QDialog) and child.isWindow():
                child.installEventFilter(self)  # again for the same dialog replaces, not adds
        elif kind == QEvent.Show and isinstance(watched, QWidget) and watched.isWindow():
            if watched is not self._window:
                self._fit_dialog(watched)
            self._wait_for_frame(watched)
        elif kind == QEvent.Hide and isinstance(watched, QWidget):
            self._waiting.pop(watched, None)
        return super().eventFilter(watched, event)

    def _fit_dialog(self, dialog: QWidget) -> None:
        """A dialog about to be mapped: no larger than its main window's screen.

        Only its size: where it goes is still to be decided by the dialog
        (Qt centres it over its parent, inside the screen, as it shows),
        and a move now would stop that.
        """
        margins = frame_margins(self._window) or GUESSED_FRAME
        room = screen_of(self._window).marginsRemoved(margins).size()
        if dialog.width() > room.width() or dialog.height() > room.height():
            dialog.resize(dialog.size().boundedTo(room))

    def _wait_for_frame(self, window: QWidget) -> None:
        """Look at ``window``'s frame soon: once it is mapped, after its own ``showEvent``."""
        self._waiting[window] = 0
        if not self._poll.isActive():
            self._poll.start()

    def _look_at_frames(self) -> None:
        """Has the window manager framed each window shown lately? (Qt reads it when asked.)"""
        for window, waited in list(self._waiting.items()):
            if sip.isdeleted(window):  # a dialog deleted while still shown
                del self._waiting[window]
                continue
            margins = frame_margins(window)
            waited += FRAME_POLL_MS
            if margins is not None or waited >= FRAME_WAIT_MS:
                del self._waiting[window]
                self._framed(window, margins or QMargins())  # never framed: no frame at all
            else:
                self._waiting[window] = waited
        if not self._waiting:
            self._poll.stop()

    def _framed(self, window: QWidget, margins: QMargins) -> None:
        """The real frame is known: the first window takes its frame; any window fits whole."""
        if window is self._window:
            first, self._first = self._first, None
            given, self._given = self._given, None
            if given is None or window.size() != given.expandedTo(window.minimumSize()):
                return  # sized since by someone else, or shown again: theirs
            screens = available_areas()
        else:
            first, screens = None, [screen_of(self._window)]
        if window.windowState() & (Qt.WindowMaximized | Qt.WindowFullScreen | Qt.WindowMinimized):
            return  # the window manager's to fit
        if first is not None:
            # As it was opened, now that the frame it was guessed with is known.
            screen = screen_of(window)
            self._apply(window, first if screen.contains(first) else first_frame(screen), margins)
            return
        frame = window.geometry().marginsAdded(margins)
        fitted = onto_screens(frame, screens)
        if fitted != frame:
            self._apply(window, fitted, margins)

    @staticmethod
    def _apply(window: QWidget, frame: QRect, margins: QMargins) -> None:
        """Give ``window`` the frame ``frame``, its frame being ``margins`` thick.

        A window whose inside cannot be that small stays at its minimum: it
        then hangs over the right and bottom edges, its title bar on screen.
        """
        window.setGeometry(frame.marginsRemoved(margins))
