"""Whatever sits in the settings file, the program starts, and the user's file is never lost.

Hypothesis writes junk, truncated files and JSON of every shape into a fresh
directory per example (function-scoped fixtures would be shared between
examples), next to files that are none of the loader's business. Every load
must return; a file that holds settings gives exactly those settings and stays
where it is; anything else gives the defaults and a message, and is renamed
aside with its bytes intact.
"""

from __future__ import annotations

import base64
import binascii
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.downloads.controller import MAX_CONNECTION_LIMIT
from app.net.address import Address, parse_address
from app.net.poem import check_encoding
from app.net.titles import clean_title
from app.settings.store import FILE_NAME, SavedServer, Settings, load_settings, save_settings

ASIDE_PREFIX = f"{FILE_NAME}.corrupt-"

# Files the loader must leave alone, among them an earlier set-aside copy
# whose name a new one could collide with.
BYSTANDERS = {
    "notes.txt": b"the user's own file\n",
    f"{ASIDE_PREFIX}20000101-000000": b"{an older damaged file",
    f".{FILE_NAME}.k3j2h1g0.tmp": b"a half-written temporary file",
}

# Hypothesis runs each test body many times; fsync makes saving slow enough
# that the default deadline would flake on a busy machine.
fuzz = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Shapes are many and cheap to try (nothing is saved first): try more.
fuzz_shapes = settings(fuzz, max_examples=300)


# Strategies


_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_hosts = st.one_of(
    st.lists(_label, min_size=1, max_size=4).map(".".join),
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda ip: f"[{ip}]"),
)
addresses = st.builds(
    lambda host, port: parse_address(f"{host}:{port}"), _hosts, st.integers(1, 65535)
)
ENCODINGS = ["utf-8", "latin-1", "cp1252", "koi8-r", "shift_jis", "utf-16-le", "gb18030"]
saved_servers = st.builds(
    SavedServer,
    address=addresses,
    encoding=st.sampled_from(ENCODINGS).map(check_encoding),
    last_size=st.none() | st.integers(min_value=1),
    # Titles as the program makes them: from any text, however odd.
    title=st.text(max_size=90).map(clean_title),
)
valid_settings = st.builds(
    Settings,
    servers=st.lists(saved_servers, max_size=6, unique_by=lambda s: s.address),
    connection_limit=st.integers(1, MAX_CONNECTION_LIMIT),
    geometry=st.binary(max_size=200),
    window_state=st.binary(max_size=200),
    splitter=st.binary(max_size=40),
    header=st.binary(max_size=100),
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
# Values that are almost right are where a loader's checks slip.
NEAR_MISSES = [
    *[0, 1, -1, 7, MAX_CONNECTION_LIMIT, MAX_CONNECTION_LIMIT + 1, 2**70, True, False, 1.0, 0.5],
    *["", "1", "utf-8", "base64", "rot13", "idna", "unicode_escape", "no-such-codec"],
    *["127.0.0.1:0", "127.0.0.1:10000"],
    *["[::1]:10000", "::1:10000", "localhost", "AAAA", "AAA", "A===", "////", "\u00e9", "\ud800"],
    *[[], {}, [1], {"address": "127.0.0.1:10001"}, {"address": 10001}, None],
]
near_misses = st.sampled_from(NEAR_MISSES)
junk = json_values | near_misses


# Running the loader and checking its promises


@contextmanager
def config_dir_holding(content: bytes | None) -> Iterator[Path]:
    """A fresh config directory with the bystanders and, unless None, ``content`` as the file."""
    with tempfile.TemporaryDirectory() as tmp:
        config_dir = Path(tmp)
        for name, data in BYSTANDERS.items():
            (config_dir / name).write_bytes(data)
        if content is not None:
            (config_dir / FILE_NAME).write_bytes(content)
        yield config_dir


def files_in(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir()}


def load_and_check(config_dir: Path) -> tuple[Settings, str | None]:
    """Load, and check what loading did to the directory, whichever way it went."""
    before = files_in(config_dir)
    loaded, message = load_settings(config_dir)
    after = files_in(config_dir)
    if message is None:
        assert after == before, "a file that loads is left as it is"
        return loaded, message
    assert loaded == Settings(), "a file that does not load gives the defaults"
    new = set(after) - set(before)
    assert len(new) == 1, f"exactly one set-aside copy, not {sorted(new)}"
    (aside,) = new
    assert aside.startswith(ASIDE_PREFIX)
    assert after[aside] == before[FILE_NAME], "the set-aside copy holds the file's bytes"
    assert FILE_NAME not in after
    unchanged = {name: data for name, data in before.items() if name != FILE_NAME}
    assert {name: data for name, data in after.items() if name != aside} == unchanged
    assert str(config_dir / aside) in message, "the message says where the file went"
    assert len(message) < 2 * len(str(config_dir / aside)) + 300, "a message, not a dump"
    return loaded, message


def saved_bytes(value: Settings) -> bytes:
    """The bytes the program itself writes for ``value``."""
    with tempfile.TemporaryDirectory() as tmp:
        save_settings(Path(tmp), value)
        return (Path(tmp) / FILE_NAME).read_bytes()


BLOBS = ["geometry", "window_state", "splitter", "header"]
TOP_LEVEL = ["version", "servers", "connection_limit", *BLOBS]
PER_SERVER = ["address", "encoding", "last_size", "title"]
MISSING = object()


def read_document(document: Any) -> Settings:
    """What a settings document means to a careful reader; ValueError if it is damaged.

    Written from the file format, not from the loader, so the two can disagree.
    """
    if not isinstance(document, dict):
        raise ValueError("not an object")
    if "version" in document and (type(document["version"]) is not int or document["version"] != 1):
        raise ValueError("not version 1")
    servers = document.get("servers", [])
    if not isinstance(servers, list):
        raise ValueError("servers is not a list")
    limit = document.get("connection_limit", Settings().connection_limit)
    if type(limit) is not int or not 1 <= limit <= MAX_CONNECTION_LIMIT:
        raise ValueError("limit out of range")
    blobs = {key: read_blob(document.get(key, "")) for key in BLOBS}
    kept: dict[Address, SavedServer] = {}
    for server in map(read_server, servers):
        kept.setdefault(server.address, server)  # listed twice: the first one counts
    return Settings(servers=list(kept.values()), connection_limit=limit, **blobs)


def read_server(entry: Any) -> SavedServer:
    if not isinstance(entry, dict):
        raise ValueError("a server is not an object")
    address = entry.get("address")
    encoding = entry.get("encoding", "utf-8")
    size = entry.get("last_size")
    title = entry.get("title", "")  # files from before titles have none
    if not isinstance(address, str) or not isinstance(encoding, str):
        raise ValueError("address and encoding are text")
    if not isinstance(title, str):
        raise ValueError("a title is text")
    if size is not None and (type(size) is not int or size < 1):
        raise ValueError("a size is a positive whole number")
    # Address and encoding: whatever the window's Add dialog accepts, spelled its way;
    # a title as the Poem column would show it.
    return SavedServer(parse_address(address), check_encoding(encoding), size, clean_title(title))


def read_blob(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ValueError("a blob is text")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise ValueError("not base64") from None


def expected_settings(content: bytes) -> Settings | None:
    """The settings a file holds, or None if it is damaged."""
    try:
        return read_document(json.loads(content.decode("utf-8")))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError too
        return None


def check_file(content: bytes) -> None:
    """Load ``content``: it gives exactly the settings it holds, or is set aside as damaged."""
    expected = expected_settings(content)
    with config_dir_holding(content) as config_dir:
        loaded, message = load_and_check(config_dir)
    if expected is None:
        assert message is not None and "damaged" in message
    else:
        assert (loaded, message) == (expected, None)


def check_document(document: Any) -> None:
    # ASCII JSON, so lone surrogates and other odd text reach the loader as escapes.
    check_file(json.dumps(document).encode("ascii"))


# (a) Arbitrary bytes


@fuzz
@given(content=st.binary(max_size=3000))
def test_any_bytes_load_right_or_are_set_aside(content: bytes) -> None:
    check_file(content)


@fuzz
@given(original=valid_settings, data=st.data())
def test_a_saved_file_with_flipped_bytes_loads_right_or_is_set_aside(
    original: Settings, data
) -> None:
    raw = bytearray(saved_bytes(original))
    for position in data.draw(st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=4)):
        raw[position] = data.draw(st.integers(0, 255))
    check_file(bytes(raw))


def test_nesting_deeper_than_python_recurses_is_damage_not_a_crash() -> None:
    check_file(b"[" * 100_000 + b"]" * 100_000)
    check_file(b'{"servers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")


# (b) Truncated files, as a crash in a non-atomic writer would leave them

RICH = Settings(
    servers=[
        SavedServer(Address("127.0.0.1", 10000), "utf-8", 3051, "Ozymandias"),
        SavedServer(Address("::1", 10001), "iso8859-1", None, "<b>静夜思</b> \u2421 \ufffd"),
        SavedServer(Address("poetry.example.org", 7), "koi8-r", 2**40),
        SavedServer(Address("10.0.0.2", 65535), "shift_jis", 1),
    ],
    connection_limit=13,
    geometry=bytes(range(256)),
    window_state=b"\x00\xff" * 40,
    splitter=b"\x01\x02",
    header=b"",
)


def check_truncation(raw: bytes, length: int, original: Settings) -> None:
    with config_dir_holding(raw[:length]) as config_dir:
        loaded, message = load_and_check(config_dir)
    # The file ends with "}\n": without its newline it is still whole, with less it is not.
    if length >= len(raw) - 1:
        assert (loaded, message) == (original, None), length
    else:
        assert message is not None and "damaged" in message, length


def test_every_truncation_of_a_saved_file_is_set_aside_and_only_the_whole_loads() -> None:
    raw = saved_bytes(RICH)
    assert raw.endswith(b"}\n")
    for length in range(len(raw) + 1):
        check_truncation(raw, length, RICH)


@fuzz
@given(original=valid_settings, data=st.data())
def test_a_truncated_saved_file_is_set_aside(original: Settings, data) -> None:
    raw = saved_bytes(original)
    check_truncation(raw, data.draw(st.integers(0, len(raw)), label="length"), original)


@fuzz
@given(original=valid_settings)
def test_a_saved_file_loads_as_it_was_saved(original: Settings) -> None:
    with config_dir_holding(saved_bytes(original)) as config_dir:
        assert load_and_check(config_dir) == (original, None)


# (c) Valid JSON of the wrong shape


@fuzz_shapes
@given(document=json_values)
def test_json_of_any_shape_loads_right_or_is_set_aside(document: Any) -> None:
    check_document(document)


@fuzz_shapes
@given(
    document=st.fixed_dictionaries({}, optional={key: junk for key in TOP_LEVEL}),
    servers=st.lists(st.fixed_dictionaries({}, optional={key: junk for key in PER_SERVER})),
)
def test_objects_with_the_right_keys_and_wrong_values_load_right_or_are_set_aside(
    document: dict[str, Any], servers: list[dict[str, Any]]
) -> None:
    check_document({"servers": servers, **document})


@fuzz
@given(original=valid_settings, value=junk | st.just(MISSING), data=st.data())
def test_a_saved_file_with_one_field_replaced_loads_it_right_or_is_set_aside(
    original: Settings, value: Any, data
) -> None:
    document = json.loads(saved_bytes(original))
    places: list[tuple[Any, ...]] = [(key,) for key in TOP_LEVEL]
    places += [("servers", n, key) for n in range(len(original.servers)) for key in PER_SERVER]
    where = data.draw(st.sampled_from(places), label="where")
    holder = document["servers"][where[1]] if len(where) == 3 else document
    if value is MISSING:
        del holder[where[-1]]
    else:
        holder[where[-1]] = value
    check_document(document)


# Several damaged files in one second


def test_damaged_files_in_the_same_second_each_keep_their_own_copy() -> None:
    contents = [f"{{damaged file number {n}".encode() for n in range(6)]
    with config_dir_holding(None) as config_dir:
        for content in contents:
            (config_dir / FILE_NAME).write_bytes(content)
            load_and_check(config_dir)
        kept = {
            data
            for name, data in files_in(config_dir).items()
            if name.startswith(ASIDE_PREFIX) and name not in BYSTANDERS
        }
        assert kept == set(contents)
        assert files_in(config_dir).items() >= BYSTANDERS.items()
