"""What a later launch tells the open window, and what the window answers: one line each way.

A second ``poetry-downloader`` for the same settings directory does not open
a window; it connects to the open window's socket (:mod:`app.instance.claim`) and
sends one line of JSON, UTF-8, ending in a newline::

    {"version": 1, "addresses": ["127.0.0.1:10002"], "demo": false}

The window answers with one line: ``ok``, ``busy: REASON`` (try again: the
window is closing, or too many launches at once) or ``refused: REASON`` (the
message was wrong; trying again will not help).

Anyone who can reach the socket can send anything, so the reading is strict:
at most :data:`MAX_MESSAGE_BYTES`, exactly these three keys with exactly these
types, and every address read the way the Add Servers dialog reads one
(:class:`app.net.address_list.AddressReader`). Any fault refuses the whole
message, so a half-valid message never adds half its servers. The version
lets a later release change the message without an older window misreading it.
"""

from __future__ import annotations

import json
import reprlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from app.i18n import N_, _
from app.i18n.units import shorten
from app.net.address import Address
from app.net.address_list import AddressReader

VERSION = 1
#: The longest message, newline included: room for about ten thousand addresses.
#: A longer command line is sent as several messages (:func:`encode_launches`).
MAX_MESSAGE_BYTES = 256 * 1024
#: The longest answer a launch reads.
MAX_REPLY_BYTES = 1024
#: The most of a refusal's reason sent back or logged.
MAX_REASON = 200

_KEYS = frozenset({"version", "addresses", "demo"})


class MessageRefused(ValueError):
    """The bytes are not a launch message this window understands; ``str()`` says why."""


@dataclass(frozen=True)
class Launch:
    """What a later launch asks of the open window: add and start these, maybe the demo."""

    addresses: tuple[Address, ...] = ()
    demo: bool = False


def encode_launch(launch: Launch) -> bytes:
    """The message for ``launch``: one line of JSON and its newline."""
    data = {
        "version": VERSION,
        "addresses": [str(address) for address in launch.addresses],
        "demo": launch.demo,
    }
    # Compact, and JSON escapes every control character: the newline ends it.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def encode_launches(addresses: Sequence[Address], demo: bool) -> list[bytes]:
    """The messages that carry ``addresses`` in order, each within :data:`MAX_MESSAGE_BYTES`.

    Usually one; a command line of more addresses than one message holds is
    split, so nothing given is dropped. The first message carries ``demo``.
    A launch with no address is one message: it only brings the window up.
    """
    messages: list[bytes] = []
    batch: list[Address] = []
    size = len(encode_launch(Launch((), demo)))
    for address in _once_each(addresses):
        cost = len(json.dumps(str(address), ensure_ascii=False).encode("utf-8")) + 1
        if batch and size + cost > MAX_MESSAGE_BYTES:
            messages.append(encode_launch(Launch(tuple(batch), demo and not messages)))
            batch, size = [], len(encode_launch(Launch((), False)))
        batch.append(address)
        size += cost
    messages.append(encode_launch(Launch(tuple(batch), demo and not messages)))
    return messages


def decode_launch(line: bytes) -> Launch:
    """Read one message (without its newline); raise :class:`MessageRefused` saying why not."""
    if len(line) >= MAX_MESSAGE_BYTES:
        raise MessageRefused(_("larger than {size} KiB").format(size=MAX_MESSAGE_BYTES // 1024))
    try:
        data = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise MessageRefused(_("not UTF-8 text")) from None
    except (ValueError, RecursionError):
        raise MessageRefused(_("not JSON")) from None
    if not isinstance(data, dict):
        raise MessageRefused(_("not a JSON object but {kind}").format(kind=_kind(data)))
    version = data.get("version")
    if type(version) is not int or version != VERSION:
        raise MessageRefused(_("unknown version {version}").format(version=reprlib.repr(version)))
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise MessageRefused(_("unknown key {key}").format(key=reprlib.repr(unknown[0])))
    demo = data.get("demo", False)
    if type(demo) is not bool:
        raise MessageRefused(_("demo should be true or false, not {kind}").format(kind=_kind(demo)))
    return Launch(_addresses(data.get("addresses", [])), demo)


def _addresses(items: Any) -> tuple[Address, ...]:
    if not isinstance(items, list):
        raise MessageRefused(_("addresses should be a list, not {kind}").format(kind=_kind(items)))
    for number, item in enumerate(items, start=1):
        if not isinstance(item, str):
            raise MessageRefused(
                _("address {number} should be text, not {kind}").format(
                    number=number, kind=_kind(item)
                )
            )
    # One address a line, so the reader's "line N" is the message's address N.
    reader = AddressReader("\n".join(items))
    reader.read()
    if reader.problems:
        problem = _("address {number}: {reason}").format(
            number=reader.problem_lines[0], reason=reader.reasons[0]
        )
        raise MessageRefused(shorten(problem, MAX_REASON))
    if len(reader.addresses) != len(items):
        raise MessageRefused(_("an address is empty or holds a separator"))
    return tuple(reader.addresses)


_KINDS = {
    type(None): "null",
    bool: N_("true or false"),
    int: N_("a number"),
    float: N_("a number"),
    str: N_("text"),
    list: N_("a list"),
    dict: N_("an object"),
}


def _kind(value: object) -> str:
    """The JSON kind of ``value`` in the installed language (``null`` is JSON's word)."""
    kind = _KINDS.get(type(value))
    return type(value).__name__ if kind is None else _(kind)


def _once_each(addresses: Iterable[Address]) -> list[Address]:
    """In order, without repeats: ``poetry-downloader 10001 10001`` means one server."""
    return list(dict.fromkeys(addresses))


# The answer


class Answer(Enum):
    OK = "ok"
    BUSY = "busy"
    REFUSED = "refused"


@dataclass(frozen=True)
class Reply:
    """The window's answer to one message."""

    answer: Answer
    reason: str = ""

    def encode(self) -> bytes:
        if self.answer is Answer.OK:
            return b"ok\n"
        reason = shorten(" ".join(self.reason.split()), MAX_REASON)
        return f"{self.answer.value}: {reason}\n".encode()

    @classmethod
    def decode(cls, line: bytes) -> Reply:
        """Read an answer; anything unexpected is a refusal quoting it."""
        text = line.decode("utf-8", "replace").strip()
        word, _colon, reason = text.partition(":")
        for answer in Answer:
            if word == answer.value and (answer is Answer.OK) == (text == "ok"):
                return cls(answer, reason.strip())
        return cls(
            Answer.REFUSED, _("unexpected answer {text}").format(text=repr(shorten(text, 80)))
        )
