"""The plain words above a failure's details: one hint per cause, from real failures.

Each failure comes from a real socket on 127.0.0.1 where one can be had (a
refused port, a reset, a stall, a flood, an empty close, a full accept
queue, a cancel); name lookups and routes are built, as no test may depend
on the machine's resolver or network.
"""

from __future__ import annotations

import re

import pytest
import pytest_twisted
from twisted.internet import error
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from app.net.address import Address
from app.net.client import get_poetry
from app.net.failures import PoetryError
from app.views.failure_hints import hint, internal_hint
from app.views.failure_report import NETWORK, RECORDED, VERDICT, traceback_text
from tests import hostile

pytestmark = pytest.mark.usefixtures("no_leftover_timers")


async def failure_of(d: Deferred) -> Failure:
    """The Failure exactly as the errback gets it (awaiting would re-raise it, adding frames)."""
    caught: list[Failure] = []
    d.addErrback(caught.append)
    poem = await d
    assert caught, f"expected a failure, got a poem of {poem.size} bytes"
    return caught[0]


def local(port: int) -> Address:
    return Address(hostile.LOCALHOST, port)


@pytest_twisted.ensureDeferred
async def test_refused_says_nothing_listens_there_and_asks_about_the_server(servers):
    port = servers.refused()

    failure = await failure_of(get_poetry(hostile.LOCALHOST, port))

    assert hint(failure, local(port), None) == (
        f"Nothing is listening on 127.0.0.1:{port}. Is the server running, and is the port right?"
    )


@pytest_twisted.ensureDeferred
async def test_a_reset_says_how_much_of_the_poem_came(servers):
    port = servers.hostile(hostile.ResetMidPoem, prefix=b"Half a poem is")

    failure = await failure_of(get_poetry(hostile.LOCALHOST, port))

    known = hint(failure, local(port), 612)
    assert known.startswith(
        f"The connection to 127.0.0.1:{port} was cut off after 14 of 612 bytes, "
        "so the poem is incomplete."
    )
    assert "try again" in known
    # Size unknown (a first download), or the server sent more than last time.
    assert "cut off after 14 bytes," in hint(failure, local(port), None)
    assert "cut off after 14 bytes," in hint(failure, local(port), 10)


@pytest_twisted.ensureDeferred
async def test_a_reset_before_any_byte_says_the_server_hung_up_at_once(servers):
    port = servers.hostile(hostile.ResetMidPoem, prefix=b"")

    failure = await failure_of(get_poetry(hostile.LOCALHOST, port))

    assert hint(failure, local(port), 612).startswith(
        f"127.0.0.1:{port} accepted the connection, then cut it off before sending a byte."
    )


@pytest_twisted.ensureDeferred
async def test_a_connection_that_never_completes_did_not_answer_in_time(servers):
    port = servers.full_backlog()

    failure = await failure_of(get_poetry(hostile.LOCALHOST, port, timeout=0.3))

    words = hint(failure, local(port), None)
    assert words.startswith(f"127.0.0.1:{port} did not answer in time.")
    assert "firewall" in words


@pytest_twisted.ensureDeferred
async def test_a_silent_server_is_idle_for_so_many_seconds(servers):
    port = servers.hostile(hostile.Stall, prefix=b"And then")

    failure = await failure_of(get_poetry(hostile.LOCALHOST, port, idle_timeout=0.3))

    assert hint(failure, local(port), 100).startswith(
        f"127.0.0.1:{port} sent 8 of 100 bytes, then nothing for 0.3 s, "
        "so the download was stopped."
    )


@pytest_twisted.ensureDeferred
async def test_a_server_silent_from_the_start_sent_nothing(servers):
    port = servers.hostile(hostile.Stall, prefix=b"")

    failure = await failure_of(get_poetry(hostile.LOCALHOST, port, idle_timeout=0.3))

    assert hint(failure, local(port), None).startswith(
        f"127.0.0.1:{port} accepted the connection, then sent nothing for 0.3 s"
    )


@pytest_twisted.ensureDeferred
async def test_a_deadline_says_how_much_came_and_where_the_limit_is_changed(servers):
    port = servers.hostile(hostile.Drip, payload=b"drip, drip, drip\n" * 4, gap=0.05)

    failure = await failure_of(get_poetry(hostile.LOCALHOST, port, max_time=0.3))

    words = hint(failure, local(port), 68)
    assert re.match(
        rf"127\.0\.0\.1:{port} had sent \d+ of 68 bytes when the download reached its limit "
        r"of 0\.3 s, so it was given up\.",
        words,
    ), words
    assert words.endswith("raise the limit, or switch it off, in Preferences.")


@pytest_twisted.ensureDeferred
async def test_a_deadline_before_the_connection_says_nothing_came(servers):
    port = servers.full_backlog()

    failure = await failure_of(get_poetry(hostile.LOCALHOST, port, timeout=5, max_time=0.3))

    assert hint(failure, local(port), None).startswith(
        f"127.0.0.1:{port} had sent nothing when the download reached its limit of 0.3 s"
    )


@pytest_twisted.ensureDeferred
async def test_a_flood_is_too_large_for_a_poem(servers):
    port = servers.hostile(hostile.Flood)

    failure = await failure_of(get_poetry(hostile.LOCALHOST, port, max_bytes=100_000))

    assert hint(failure, local(port), None).startswith(
        f"127.0.0.1:{port} sent more than 97.7 KiB, the most one poem may be"
    )


@pytest_twisted.ensureDeferred
async def test_an_empty_close_is_something_that_is_not_a_poetry_server(servers):
    port = servers.hostile(hostile.CloseAtOnce)

    failure = await failure_of(get_poetry(hostile.LOCALHOST, port))

    words = hint(failure, local(port), None)
    assert words.startswith(
        f"127.0.0.1:{port} accepted the connection and closed it without sending anything."
    )
    assert "poetry server" in words


@pytest_twisted.ensureDeferred
async def test_a_cancel_is_not_a_failure(servers):
    port = servers.full_backlog()
    d = get_poetry(hostile.LOCALHOST, port)
    d.cancel()

    failure = await failure_of(d)

    assert hint(failure, local(port), None) == (
        "Cancelled on request: nothing went wrong, and there is nothing to fix."
    )


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (
            error.DNSLookupError("poetry.invalid"),
            "No computer called “poetry.invalid” could be found. Check the spelling",
        ),
        (error.UnknownHostError(), "No computer called “poetry.invalid” could be found."),
        (error.NoRouteError(), "There is no network route to poetry.invalid."),
        (
            error.getConnectError((104, "Connection reset by peer")),
            "Could not connect to poetry.invalid:10000 (connection reset by peer).",
        ),
        (error.ConnectError(), "Could not connect to poetry.invalid:10000 (the connection was"),
        (
            PoetryError("<b>not</b> markup"),
            "The download from poetry.invalid:10000 failed: <b>not</b> markup.",
        ),
        (
            RuntimeError("boom"),
            "The download from poetry.invalid:10000 failed in a way Poetry Downloader does "
            "not recognise (RuntimeError: boom).",
        ),
    ],
)
def test_failures_no_test_can_cause_still_have_their_hint(value, words):
    assert hint(Failure(value), Address("poetry.invalid", 10000), None).startswith(words)


def test_a_bug_of_ours_says_so_and_whether_the_download_went_on():
    address = Address("127.0.0.1", 10000)
    fatal = internal_hint(address, fatal=True)
    assert fatal.startswith("A bug in Poetry Downloader stopped the download from 127.0.0.1:10000")
    assert "not the server" in fatal
    assert "carried on" in internal_hint(address, fatal=False)


# The details under the hint


@pytest_twisted.ensureDeferred
async def test_a_refused_connection_has_no_traceback_and_says_where_it_came_from(servers):
    port = servers.refused()

    failure = await failure_of(get_poetry(hostile.LOCALHOST, port))

    text = traceback_text(failure)
    assert "Traceback (most recent call last):" not in text
    assert text.startswith(NETWORK + "\n\n")
    assert NETWORK == (
        "No Python traceback: this error was reported by the network, not raised by code."
    )
    assert "twisted.internet.error.ConnectionRefusedError: Connection was refused" in text


@pytest_twisted.ensureDeferred
async def test_a_reset_is_the_downloads_verdict_caused_by_what_the_network_did(servers):
    port = servers.hostile(hostile.ResetMidPoem, prefix=b"Half a poem is")

    failure = await failure_of(get_poetry(hostile.LOCALHOST, port))

    verdict, cause = traceback_text(failure).split("\nCaused by:\n")
    assert verdict == (
        f"{VERDICT}\n\napp.net.failures.ConnectionLostError: connection lost after 14 bytes\n"
    )
    assert cause.startswith(NETWORK)
    assert "twisted.internet.error.ConnectionLost: Connection to the other side was lost" in cause


def test_an_exception_that_was_raised_keeps_its_traceback():
    def where_it_broke() -> None:
        raise ValueError("a <long> message " * 20)

    try:
        where_it_broke()
    except ValueError:
        failure = Failure()

    text = traceback_text(failure)
    assert text.startswith("Traceback (most recent call last):\n")
    assert "where_it_broke" in text
    assert "builtins.ValueError: a <long> message" in text


def test_a_recorded_error_that_was_never_raised_says_so():
    text = traceback_text(Failure(KeyError("x")))
    assert text == f"{RECORDED}\n\nKeyError: 'x'\n"
