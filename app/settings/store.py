"""Settings kept between runs: one JSON file in the config directory, written atomically.

The file holds the server list (address, encoding, last known poem size
and title), the connection limit, the whole-download deadline, the language chosen in Preferences
(:func:`saved_language` reads it before the window exists, so the window is
built in it) and the window's geometry, state and
splitter (Qt's own blobs, base64). Writing goes to a temporary file in the same directory,
is fsynced, then renamed over the old one, so a crash leaves either the old
settings or the new, never half of each.

A file that cannot be read as settings (bad JSON, wrong types, binary junk,
no permission to read it) is renamed aside, not deleted nor overwritten, and
:func:`load_settings` says so in a message for the user; the program then
starts with defaults. Loading never raises.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import reprlib
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import APP_NAME
from app.atomic_file import write_atomically
from app.downloads.controller import DEFAULT_CONNECTION_LIMIT, MAX_CONNECTION_LIMIT
from app.downloads.events import Mode
from app.downloads.rows import ServerRow
from app.i18n import LANGUAGES, _
from app.i18n.units import shorten
from app.net.address import Address, parse_address
from app.net.deadline import LONGEST_MAX_TIME
from app.net.poem import check_encoding
from app.net.titles import clean_title
from app.places import config_home

FILE_NAME = "settings.json"
# Far more than any server list needs; a bigger file is not ours, and reading
# it whole could exhaust the memory.
MAX_FILE_SIZE = 16 * 2**20
FORMAT_VERSION = 1
#: The most of a damaged file's own words quoted in the message about it.
MAX_MESSAGE_PART = 200
#: Servers encoded between pauses, see :func:`settings_bytes`: few enough that
#: the window's thread never waits long for its turn.
SERVERS_PER_CALL = 500


@dataclass(frozen=True)
class SavedServer:
    address: Address
    encoding: str = "utf-8"
    last_size: int | None = None
    #: The last poem's title; "" when none came yet (or the file predates titles).
    title: str = ""

    def row(self) -> ServerRow:
        """The row this server is listed as, knowing its last size and title."""
        return ServerRow(
            self.address, self.encoding, expected_size=self.last_size, title=self.title
        )


@dataclass
class Settings:
    servers: list[SavedServer] = field(default_factory=list)
    connection_limit: int = DEFAULT_CONNECTION_LIMIT
    #: Seconds after which a download is given up (Preferences); None: no limit.
    max_time: float | None = None
    #: How Start and Start All run a batch, as last chosen.
    mode: Mode = Mode.REACTOR
    #: The language chosen in Preferences (``"zh_CN"``); None: follow the locale.
    language: str | None = None
    geometry: bytes = b""
    window_state: bytes = b""
    splitter: bytes = b""
    header: bytes = b""


class CorruptSettings(ValueError):
    """The file exists but does not hold settings this program wrote."""


def default_config_dir() -> Path:
    """``$XDG_CONFIG_HOME/poetry-downloader``, or ``~/.config/poetry-downloader``.

    The XDG rule: a relative ``XDG_CONFIG_HOME`` is ignored, as if unset.
    """
    return config_home() / APP_NAME


def load_settings(config_dir: Path) -> tuple[Settings, str | None]:
    """Read the settings. Never raises.

    Returns the saved settings and ``None``; the defaults and ``None`` when
    there is no file yet; or, when the file cannot be read or does not hold
    settings, the defaults and a message for the user. Such a file (or
    whatever else sits at its name: a directory, a pipe) is first renamed
    aside to ``settings.json.corrupt-<time>`` (with ``-2``, ``-3``... when
    that name is taken), so nothing of the user's is lost or overwritten.
    """
    path = config_dir / FILE_NAME
    try:
        return _parse(_read(path)), None
    except FileNotFoundError:
        return Settings(), None
    except CorruptSettings as e:
        damaged, reason = True, shorten(str(e), MAX_MESSAGE_PART)
    except (OSError, ValueError) as e:  # ValueError: e.g. a NUL in the directory's name
        damaged, reason = False, shorten(_reason(e), MAX_MESSAGE_PART)
    try:
        aside = _set_aside(path)
    except (OSError, ValueError) as e:
        kept = (
            _(
                "The settings file {path} is damaged ({reason}) and could not be moved "
                "aside ({error}); starting with default settings."
            )
            if damaged
            else _(
                "The settings file {path} could not be read ({reason}) and could not be "
                "moved aside ({error}); starting with default settings."
            )
        )
        return Settings(), kept.format(path=path, reason=reason, error=_reason(e))
    moved = (
        _(
            "The settings file {path} is damaged ({reason}). It was kept as {aside}; "
            "starting with default settings."
        )
        if damaged
        else _(
            "The settings file {path} could not be read ({reason}). It was kept as "
            "{aside}; starting with default settings."
        )
    )
    return Settings(), moved.format(path=path, reason=reason, aside=aside)


def saved_language(config_dir: Path) -> str | None:
    """The language saved in Preferences, or None; read before the window exists. Never raises.

    Only a look: a file that cannot be read is left where it is, for
    :func:`load_settings` to set aside and report once the window is up.
    """
    try:
        data = json.loads(_read(config_dir / FILE_NAME).decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # CorruptSettings is a ValueError
        return None
    return _language(data.get("language")) if isinstance(data, dict) else None


def read_settings_file(path: Path) -> Settings:
    """The settings in the file at ``path``, whatever its name; nothing is moved aside.

    Raises ``OSError`` when it cannot be read, :class:`CorruptSettings` (a
    ``ValueError``) when it does not hold settings.
    """
    return _parse(_read(path))


def save_settings(config_dir: Path, settings: Settings) -> None:
    """Write atomically (see :mod:`app.atomic_file`). Raises ``OSError``."""
    write_atomically(config_dir / FILE_NAME, settings_bytes(settings))


def settings_bytes(settings: Settings, pause: Callable[[], None] | None = None) -> bytes:
    """What the file holds for ``settings``: one line of JSON, UTF-8.

    No indent: only then does json use its C encoder, which a long server
    list needs (the list is saved the moment it changes). The servers are
    encoded :data:`SERVERS_PER_CALL` at a time, with ``pause()`` called
    between: a worker thread passes a function that lets the window's
    thread run (the GIL allows one thread at a time).
    """
    pieces = []
    for first in range(0, len(settings.servers), SERVERS_PER_CALL):
        servers = [_server_json(s) for s in settings.servers[first : first + SERVERS_PER_CALL]]
        pieces.append(json.dumps(servers, ensure_ascii=False)[1:-1])
        if pause is not None:
            pause()
    others = json.dumps(_others_json(settings), ensure_ascii=False)
    # The same text json.dumps() gives for the whole document.
    text = f'{{"version": {FORMAT_VERSION}, "servers": [{", ".join(pieces)}], {others[1:]}\n'
    return text.encode("utf-8")


def _server_json(server: SavedServer) -> dict[str, Any]:
    return {
        "address": str(server.address),
        "encoding": server.encoding,
        "last_size": server.last_size,
        "title": server.title,
    }


def _others_json(settings: Settings) -> dict[str, Any]:
    """Everything but the version and the servers."""
    return {
        "connection_limit": settings.connection_limit,
        "max_time": settings.max_time,
        "mode": settings.mode.name.lower(),
        "language": settings.language,
        "geometry": base64.b64encode(settings.geometry).decode("ascii"),
        "window_state": base64.b64encode(settings.window_state).decode("ascii"),
        "splitter": base64.b64encode(settings.splitter).decode("ascii"),
        "header": base64.b64encode(settings.header).decode("ascii"),
    }


def _read(path: Path) -> bytes:
    # Non-blocking, so a named pipe in the file's place cannot hang the start-up.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise CorruptSettings(_("not a regular file"))
        with open(fd, "rb", closefd=False) as file:
            raw = file.read(MAX_FILE_SIZE + 1)
    finally:
        os.close(fd)
    if len(raw) > MAX_FILE_SIZE:
        raise CorruptSettings(_("larger than {size} MiB").format(size=MAX_FILE_SIZE // 2**20))
    return raw


def _set_aside(path: Path) -> Path:
    """Rename ``path`` to a ``.corrupt-`` name no earlier copy has; return the new path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{FILE_NAME}.corrupt-{stamp}")
    number = 1
    while os.path.lexists(aside):
        number += 1
        aside = path.with_name(f"{FILE_NAME}.corrupt-{stamp}-{number}")
    os.replace(path, aside)
    return aside


def _reason(error: BaseException) -> str:
    return (isinstance(error, OSError) and error.strerror) or str(error)


def _parse(raw: bytes) -> Settings:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise CorruptSettings(_("not JSON text")) from e
    if not isinstance(data, dict):
        raise CorruptSettings(_("not a JSON object"))
    version = data.get("version", FORMAT_VERSION)
    if type(version) is not int or version != FORMAT_VERSION:
        raise CorruptSettings(_("unknown version {version}").format(version=reprlib.repr(version)))
    servers = _expect(data, "servers", list, [])
    limit = _expect(data, "connection_limit", int, DEFAULT_CONNECTION_LIMIT)
    if isinstance(limit, bool) or not 1 <= limit <= MAX_CONNECTION_LIMIT:
        raise CorruptSettings(
            _("connection_limit {limit} is out of range").format(limit=reprlib.repr(limit))
        )
    return Settings(
        servers=_parse_servers(servers),
        connection_limit=limit,
        max_time=_max_time(data.get("max_time")),
        mode=_mode(data.get("mode")),
        language=_language(data.get("language")),
        geometry=_blob(data, "geometry"),
        window_state=_blob(data, "window_state"),
        splitter=_blob(data, "splitter"),
        header=_blob(data, "header"),
    )


def _mode(value: object) -> Mode:
    """The saved batch mode; a value this version does not know means the default.

    A preference, not data: a mode written by a newer version, or mangled,
    costs the user one click, not the whole settings file.
    """
    if isinstance(value, str):
        return Mode.__members__.get(value.upper(), Mode.REACTOR)
    return Mode.REACTOR


def _max_time(value: object) -> float | None:
    """The saved deadline in seconds; a value that is not one (text, 0, -1, NaN) means none.

    A preference, as the mode is: a mangled value switches the limit off
    rather than costing the whole settings file.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 < value <= LONGEST_MAX_TIME else None


def _language(value: object) -> str | None:
    """The saved language; one this version does not speak (or a mangled value) means None.

    As with the mode, a preference: an unknown language follows the locale
    instead of costing the whole settings file.
    """
    return value if isinstance(value, str) and value in LANGUAGES else None


def _parse_servers(entries: list[Any]) -> list[SavedServer]:
    servers: list[SavedServer] = []
    seen: set[Address] = set()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise CorruptSettings(_("server {number} is not an object").format(number=number))
        try:
            address = parse_address(_expect(entry, "address", str, ""))
            encoding = check_encoding(_expect(entry, "encoding", str, "utf-8"))
        except ValueError as e:
            raise CorruptSettings(
                _("server {number}: {reason}").format(number=number, reason=e)
            ) from None
        size = entry.get("last_size")
        if size is not None and (type(size) is not int or size < 1):
            raise CorruptSettings(
                _("server {number}: last_size {size} is not a size").format(
                    number=number, size=reprlib.repr(size)
                )
            )
        title = entry.get("title", "")
        if not isinstance(title, str):
            raise CorruptSettings(
                _("server {number}: title {title} is not text").format(
                    number=number, title=reprlib.repr(title)
                )
            )
        if address not in seen:
            seen.add(address)
            # Cleaned as a downloaded title is: the file may have been edited by hand.
            servers.append(SavedServer(address, encoding, size, clean_title(title)))
    return servers


def _expect(data: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    value = data.get(key, default)
    if not isinstance(value, kind):
        raise CorruptSettings(
            _("{key} should be {expected}, not {actual}").format(
                key=key, expected=kind.__name__, actual=type(value).__name__
            )
        )
    return value


def _blob(data: dict[str, Any], key: str) -> bytes:
    text = _expect(data, key, str, "")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as e:
        raise CorruptSettings(_("{key} is not base64").format(key=key)) from e
