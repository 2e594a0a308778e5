"""Watch an X server from outside for a program's window: when it is mapped, when it is painted.

The start-up measurement must time the virtual environment's program and the
frozen bundle alike, and the bundle cannot be instrumented from inside (its
Python ignores ``PYTHONPATH`` and its modules are frozen). So the clock is
read from outside, at the X server, which is also what a user sees: the
window is *mapped* when it appears, and *painted* once its top strip (menu
bar and toolbar) holds many colours, not the one or two of an unpainted
window (Xvfb's root pattern, or black).

It talks to the X server through ``libX11`` with :mod:`ctypes`, so it needs
no Qt platform plugin of its own and no X library beyond ``libX11``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

# From X.h.
_MAP_NOTIFY = 19
_SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
_Z_PIXMAP = 2
_ALL_PLANES = 0xFFFFFFFFFFFFFFFF

#: The strip examined for paint, from the window's top left corner.
STRIP = (480, 64)
#: Distinct pixel values that mean drawn text and icons rather than a fill.
PAINTED_COLOURS = 8


class _XMapEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("event", ctypes.c_ulong),
        ("window", ctypes.c_ulong),
        ("override_redirect", ctypes.c_int),
    ]


class _XEvent(ctypes.Union):
    _fields_ = [("type", ctypes.c_int), ("xmap", _XMapEvent), ("pad", ctypes.c_long * 24)]


class _XImage(ctypes.Structure):
    """The leading fields of Xlib's ``XImage``: all that is read here."""

    _fields_ = [
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("xoffset", ctypes.c_int),
        ("format", ctypes.c_int),
        ("data", ctypes.c_void_p),
        ("byte_order", ctypes.c_int),
        ("bitmap_unit", ctypes.c_int),
        ("bitmap_bit_order", ctypes.c_int),
        ("bitmap_pad", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("bytes_per_line", ctypes.c_int),
        ("bits_per_pixel", ctypes.c_int),
    ]


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


def _load_x11() -> Any:
    name = ctypes.util.find_library("X11")
    if name is None:
        raise OSError("libX11 not found")
    x11 = ctypes.CDLL(name)
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XSelectInput.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_long]
    x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XPending.argtypes = [ctypes.c_void_p]
    x11.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.POINTER(_XEvent)]
    x11.XGetImage.restype = ctypes.POINTER(_XImage)
    x11.XGetImage.argtypes = [
        ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
        ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int,
    ]  # fmt: skip
    x11.XFree.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    x11.XSetErrorHandler.argtypes = [_ERROR_HANDLER]
    return x11


def _ignore_error(display: int | None, error: int | None) -> int:
    """A window can vanish between its map event and a look at it; Xlib would exit."""
    return 0


_ignore_errors = _ERROR_HANDLER(_ignore_error)


class WindowWatch:
    """Sees top-level windows mapped on ``display`` after it was made."""

    def __init__(self, display: str) -> None:
        self._x = _load_x11()
        self._x.XSetErrorHandler(_ignore_errors)
        self._display = self._x.XOpenDisplay(display.encode())
        if not self._display:
            raise OSError(f"cannot open X display {display}")
        root = self._x.XDefaultRootWindow(self._display)
        self._x.XSelectInput(self._display, root, _SUBSTRUCTURE_NOTIFY_MASK)
        self._x.XSync(self._display, 0)

    def mapped_window(self) -> int | None:
        """The first ordinary window mapped since the last call, if any (never waits)."""
        event = _XEvent()
        found = None
        while self._x.XPending(self._display):
            self._x.XNextEvent(self._display, ctypes.byref(event))
            is_map = event.type == _MAP_NOTIFY and not event.xmap.override_redirect
            if is_map and found is None:
                found = int(event.xmap.window)
        return found

    def is_painted(self, window: int) -> bool:
        """Whether the window's top strip shows at least :data:`PAINTED_COLOURS` colours."""
        image = self._x.XGetImage(self._display, window, 0, 0, *STRIP, _ALL_PLANES, _Z_PIXMAP)
        if not image:
            return False  # not viewable yet, or smaller than the strip
        try:
            picture = image.contents
            if picture.bits_per_pixel != 32:
                raise OSError(f"{picture.bits_per_pixel} bits per pixel: use a 24-bit screen")
            size = picture.bytes_per_line * picture.height
            pixels = memoryview(ctypes.string_at(picture.data, size)).cast("I")
            return len(set(pixels)) >= PAINTED_COLOURS
        finally:
            self._x.XFree(image.contents.data)
            self._x.XFree(image)

    def close(self) -> None:
        self._x.XCloseDisplay(self._display)
