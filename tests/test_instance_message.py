"""The launch message and its answer: what a launch writes, the window reads back, and no more."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from app.instance.message import (
    MAX_MESSAGE_BYTES,
    Answer,
    Launch,
    MessageRefused,
    Reply,
    decode_launch,
    encode_launch,
    encode_launches,
)
from app.net.address import Address


def addresses(count: int, host: str = "127.0.0.1") -> tuple[Address, ...]:
    return tuple(Address(host, 1 + n % 65535) for n in range(count))


def test_a_launch_is_one_line_of_json_read_back_as_it_was():
    launch = Launch((Address("127.0.0.1", 10001), Address("::1", 10002)), demo=True)
    message = encode_launch(launch)
    assert message.endswith(b"\n") and message.count(b"\n") == 1
    assert json.loads(message) == {
        "version": 1,
        "addresses": ["127.0.0.1:10001", "[::1]:10002"],
        "demo": True,
    }
    assert decode_launch(message[:-1]) == launch


def test_the_spellings_a_person_types_are_read_as_the_dialog_reads_them():
    line = b'{"version": 1, "addresses": ["10001", " example.org:70 "], "demo": false}'
    assert decode_launch(line).addresses == (
        Address("127.0.0.1", 10001),
        Address("example.org", 70),
    )


def test_a_long_command_line_is_split_in_messages_that_each_fit_and_lose_nothing():
    given_ = addresses(30_000, host="a-rather-long-host-name.example.org")
    messages = encode_launches(given_, demo=True)
    assert len(messages) > 1
    assert all(len(message) <= MAX_MESSAGE_BYTES for message in messages)
    launches = [decode_launch(message[:-1]) for message in messages]
    assert [a for launch in launches for a in launch.addresses] == list(given_)
    assert [launch.demo for launch in launches] == [True] + [False] * (len(launches) - 1)


def test_an_address_given_twice_is_sent_once_and_none_is_one_message():
    twice = (Address("127.0.0.1", 1), Address("127.0.0.1", 2), Address("127.0.0.1", 1))
    (message,) = encode_launches(twice, demo=False)
    assert decode_launch(message[:-1]).addresses == twice[:2]
    assert encode_launches((), demo=False) == [encode_launch(Launch())]


@given(st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_with_a_reason(data: bytes):
    try:
        decode_launch(data)
    except MessageRefused as e:
        assert str(e)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(), st.lists))
def test_any_json_value_as_addresses_is_read_or_refused_with_a_reason(value: object):
    line = json.dumps({"version": 1, "addresses": value, "demo": False}).encode()
    try:
        launch = decode_launch(line)
    except MessageRefused as e:
        assert str(e)
    else:
        assert isinstance(value, list) and len(launch.addresses) == len(value)


def test_answers_are_one_short_line_and_read_back():
    for reply in (
        Reply(Answer.OK),
        Reply(Answer.BUSY, "the window is closing"),
        Reply(Answer.REFUSED, "address 2: 'x': missing port, as in x:10000"),
    ):
        line = reply.encode()
        assert line.endswith(b"\n") and line.count(b"\n") == 1
        assert Reply.decode(line[:-1]) == reply
    long = Reply(Answer.REFUSED, "why\n" * 1000).encode()
    assert len(long) < 300 and long.count(b"\n") == 1


def test_an_unexpected_answer_is_a_refusal_quoting_it():
    assert Reply.decode(b"okay then") == Reply(Answer.REFUSED, "unexpected answer 'okay then'")
    assert Reply.decode(b"ok: but").answer is Answer.REFUSED
