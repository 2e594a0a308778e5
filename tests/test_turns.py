"""The reactor's turns as data and as words: bounded, ordered, worded when shown.

The record is fed here by hand, on a fake clock, as the reactor and the
protocol feed it; the window tests (tests/gui/test_reactor_dock.py) watch
real turns of the real reactor.
"""

from __future__ import annotations

import importlib
import itertools

import pytest

from app.gui.reactor.pause import HeldClock
from app.net import turns
from app.net.turns import Call, Ready, TurnRecord
from app.views.reactor_turns import TIMER_NAMES, calls_words, turn_words


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_turn_is_one_batch_and_its_timers_and_knows_how_long_the_loop_waited():
    clock = FakeClock()
    record = TurnRecord(clock=clock)
    record.sockets_ready([Ready("client", "127.0.0.1:10001"), Ready("client", "127.0.0.1:10002")])
    record.ran("dataReceived", 10)
    record.ran("dataReceived", 10)
    record.timers_due()
    record.ran("timer", "PoetryProtocol._idle_timer_due")
    clock.now += 0.002
    first = record.turn_ended()
    clock.now += 0.012
    record.timers_due()
    record.ran("callback", "_succeeded")
    second = record.turn_ended()
    assert first is not None and second is not None
    assert (first.number, second.number) == (1, 2)
    assert second.waited == pytest.approx(0.012)
    assert turn_words(first) == (
        "#1 · waited 0 ms · ready: 127.0.0.1:10001, 127.0.0.1:10002 · "
        "dataReceived(10 bytes) ×2, idle check"
    )
    assert turn_words(second) == "#2 · waited 12 ms · callback _succeeded"


def test_a_second_batch_before_the_timers_is_the_next_turn():
    record = TurnRecord(clock=FakeClock())
    record.sockets_ready([Ready("client", "127.0.0.1:1")])
    record.sockets_ready([Ready("server", "127.0.0.1:2")])
    record.turn_ended()
    assert [turn.number for turn in record.turns] == [1, 2]
    assert "server 127.0.0.1:2" in turn_words(record.turns[1])


def test_a_turn_in_which_nothing_happened_is_not_kept():
    record = TurnRecord(clock=FakeClock())
    record.timers_due()
    assert record.turn_ended() is None
    assert not record.turns and record.count == 0


def test_memory_is_bounded_in_turns_and_in_calls_per_turn():
    record = TurnRecord(keep=3, calls_per_turn=2, clock=FakeClock())
    for _ in range(5):
        record.timers_due()
        for size in range(6):
            record.ran("dataReceived", size)
        record.turn_ended()
    assert [turn.number for turn in record.turns] == [3, 4, 5]
    assert len(record.turns[0].calls) == 2
    assert record.turns[0].more == 4
    assert turn_words(record.turns[0]).endswith("… and 4 more")
    assert [turn.number for turn in record.since(3)] == [4, 5]
    assert [turn.number for turn in record.since(0)] == [3, 4, 5]


def test_what_ran_outside_a_turn_is_not_kept():
    record = TurnRecord(clock=FakeClock())
    record.ran("callback", "_succeeded")
    assert record.turn_ended() is None


def test_the_methods_and_reasons_stay_as_code():
    words = calls_words(
        [
            Call("connectionMade"),
            Call("connectionLost", "ConnectionDone"),
            Call("clientConnectionFailed", "ConnectionRefusedError"),
            Call("errback", "_failed"),
            Call("timer", "Thing.unnamed_function"),
        ]
    )
    assert words == (
        "connectionMade, connectionLost(ConnectionDone), "
        "clientConnectionFailed(ConnectionRefusedError), errback _failed, Thing.unnamed_function"
    )


@pytest.mark.parametrize("qualname", sorted(TIMER_NAMES))
def test_every_named_timer_is_a_real_function(qualname):
    """A renamed function would silently lose its name in the dock."""
    owners = [
        "app.net.client",
        "app.net.server",
        "app.downloads.controller",
        "app.gui.commands.paced_starts",
        "app.log",
        "app.instance.server",
        "app.gui.reactor.qt_reactor",
        "twisted.internet.base",
        "twisted.internet.tcp",
    ]
    cls_name, function = qualname.split(".")
    found = [
        getattr(getattr(module, cls_name), function, None)
        for module in map(importlib.import_module, owners)
        if hasattr(module, cls_name)
    ]
    assert any(f is not None and f.__qualname__ == qualname for f in found), qualname


def test_a_timer_notes_that_it_ran_only_while_somebody_listens():
    calls = []
    fired = turns.timed(lambda: calls.append("ran"))
    fired()  # nobody listens: it only runs
    record = turns.listen()
    try:
        record.timers_due()
        fired()
        turn = record.turn_ended()
    finally:
        turns.stop_listening()
    assert calls == ["ran", "ran"]
    assert turn is not None and [call.kind for call in turn.calls] == ["timer"]
    assert turns.recording is None


def test_the_held_clock_stands_still_while_held_and_loses_that_time_for_good():
    now = itertools.count(10.0, 1.0)  # each reading is one second later
    times = iter(now)
    clock = HeldClock(lambda: next(times))
    assert clock.seconds() == 10.0
    clock.hold()  # at 11
    assert clock.seconds() == 11.0
    assert clock.seconds() == 11.0
    clock.release()  # at 12: one second held
    assert clock.lost == 1.0
    assert clock.seconds() == 12.0  # 13 on the wall, less the second held
