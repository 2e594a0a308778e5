"""A desktop notification for a start that failed where no terminal shows it.

Started from the application menu the program has no terminal, so when it
cannot even open its window a notification is how a person learns why. The
desktop's notification server listens on the session bus as
``org.freedesktop.Notifications``; jeepney, pure Python, speaks D-Bus to it,
because Qt (and its D-Bus module) may be the very thing that cannot load,
and because starting ``notify-send`` would make the program one that starts
other programs.

Everything has a deadline and every failure is swallowed: a missing
notification never costs more than a moment, nor hides the message on
stderr and in the log. jeepney's blocking calls take timeouts, but not all
of them (saying ``Hello`` to the bus waits as long as the bus likes), so the
exchange runs on a short-lived thread that the caller waits for no longer
than :data:`TIMEOUT`; a thread still stuck then ends with the process, which
is on its way out.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from urllib.parse import quote

from app.startup.deadline import within

#: The longest the whole exchange may take.
TIMEOUT = 0.5


def notify(
    summary: str,
    body: str,
    *,
    app_name: str,
    icon: str = "",
    environ: Mapping[str, str] | None = None,
) -> bool:
    """Show a notification; ``True`` if the notification server took it. Never raises."""
    address = session_bus_address(os.environ if environ is None else environ)
    if address is None:
        return False

    def exchange() -> bool:
        try:
            return _call_notify(address, app_name, icon, summary, body)
        except Exception:  # a courtesy: no bus, no server, a bus that is not D-Bus
            return False

    taken = within(TIMEOUT, exchange, "desktop notification")  # untranslated: a thread's name
    return taken is not None and taken[0]


def session_bus_address(environ: Mapping[str, str]) -> str | None:
    """The session bus's D-Bus address, or ``None`` if there is none to try.

    ``DBUS_SESSION_BUS_ADDRESS``, else ``$XDG_RUNTIME_DIR/bus`` if it exists,
    as libdbus and sd-bus do. jeepney then takes the first ``unix:`` address
    in it; an ``autolaunch:`` one is never used, as it would start a bus.
    """
    address = environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if address:
        return address
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    bus = os.path.join(runtime, "bus")
    if os.path.isabs(runtime) and os.path.exists(bus):
        return "unix:path=" + quote(bus, safe="/-_.")
    return None


def _call_notify(address: str, app_name: str, icon: str, summary: str, body: str) -> bool:
    """Ask the bus's notification server to show one; blocking, with jeepney's timeouts."""
    from jeepney import DBusAddress, MessageType, new_method_call
    from jeepney.bus import get_bus
    from jeepney.io.blocking import DBusConnection, prep_socket

    deadline = time.monotonic() + TIMEOUT
    notifications = DBusAddress(
        "/org/freedesktop/Notifications",
        bus_name="org.freedesktop.Notifications",
        interface="org.freedesktop.Notifications",
    )
    call = new_method_call(
        notifications,
        "Notify",  # untranslated: a D-Bus method
        "susssasa{sv}i",
        # No earlier notification replaced, no actions, no hints, and the
        # server's own display time.
        (app_name, 0, icon, summary, body, [], {}, -1),
    )
    sock = prep_socket(get_bus(address), timeout=TIMEOUT)
    with DBusConnection(sock) as bus:  # says Hello to the bus
        reply = bus.send_and_get_reply(call, timeout=max(deadline - time.monotonic(), 0.001))
    return bool(reply.header.message_type is MessageType.method_return)
