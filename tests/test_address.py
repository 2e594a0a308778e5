"""The one address parser: what people type, and what they are told when it is wrong."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.net.address import Address, parse_address


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10000", Address("127.0.0.1", 10000)),
        ("  10001\n", Address("127.0.0.1", 10001)),
        ("localhost:10002", Address("localhost", 10002)),
        ("poetry.example.org:1", Address("poetry.example.org", 1)),
        ("192.0.2.7:65535", Address("192.0.2.7", 65535)),
        ("[::1]:10003", Address("::1", 10003)),
        ("[2001:DB8:0:0::1]:80", Address("2001:db8::1", 80)),
    ],
)
def test_the_three_spellings_are_understood(text: str, expected: Address) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty address"),
        ("   ", "empty address"),
        ("localhost", "missing port"),
        ("localhost:", "missing port after the colon"),
        (":10000", "missing host"),
        ("[::1]", "missing port after the brackets"),
        ("[::1]:", "missing port after the brackets"),
        ("localhost:http", "port 'http' is not a number"),
        ("localhost:-1", "port '-1' is not a number"),
        ("localhost:١٢٣", "is not a number"),
        ("localhost:0", "port 0 is outside 1-65535"),
        ("localhost:65536", "port 65536 is outside 1-65535"),
        ("99999999999999999999", "outside 1-65535"),
        ("[::1:10000", "unbalanced brackets"),
        ("::1]:10000", "unbalanced brackets"),
        ("[[::1]]:10000", "unbalanced brackets"),
        ("[]:10000", "nothing between the brackets"),
        ("[poetry]:10000", "is not an IPv6 address"),
        ("::1:10000", "needs brackets"),
        ("my host:10000", "cannot contain spaces"),
        ("my host", "cannot contain spaces"),
        ("10 000", "cannot contain spaces"),
        ("poetry/server:10", "not a valid host name"),
        ("-bad:10", "not a valid host name"),
    ],
)
def test_bad_addresses_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_address(text)


_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_host_names = st.lists(_label, min_size=1, max_size=4).map(".".join)
_ipv4 = st.ip_addresses(v=4).map(str)
_ipv6 = st.ip_addresses(v=6).map(str)
_ports = st.integers(min_value=1, max_value=65535)


@given(host=st.one_of(_host_names, _ipv4, _ipv6), port=_ports)
def test_valid_addresses_round_trip_through_str(host: str, port: int) -> None:
    address = Address(host, port)
    assert parse_address(str(address)) == address


@given(st.text())
def test_any_text_parses_or_is_refused_with_a_message(text: str) -> None:
    try:
        address = parse_address(text)
    except ValueError as e:
        assert str(e)
    else:
        assert 1 <= address.port <= 65535
        assert parse_address(str(address)) == address


def test_ipv6_hosts_are_kept_in_canonical_form() -> None:
    address = parse_address("[0:0:0:0:0:0:0:1]:7")
    assert address.host == str(ipaddress.IPv6Address("::1"))
    assert str(address) == "[::1]:7"
