"""The core's words under zh_CN: failures from real servers, summaries, sizes, addresses.

Each Chinese test installs the language with the ``chinese`` fixture, which
puts English back afterwards, so the rest of the suite reads English. The
English tests at the end check that the plurals the catalogue brought are
still right in the source language.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_twisted
from twisted.internet.defer import Deferred
from twisted.internet.error import ConnectionRefusedError
from twisted.python.failure import Failure

from app import i18n
from app.downloads.controller import DownloadController
from app.downloads.download_log import log_download_event, log_line
from app.downloads.events import (
    BatchEnded,
    BatchStarted,
    BatchSummary,
    Closing,
    Connecting,
    DeferredStep,
    DownloadEvent,
    EventStream,
    Failed,
    Mode,
    Queued,
)
from app.downloads.rows import ServerRow, Status
from app.i18n.units import format_rate, format_seconds, format_size, size_in_chunks
from app.log import LogRecord, record_hub
from app.net.address import Address, parse_address
from app.net.address_list import AddressReader
from app.net.client import get_poetry
from app.net.failures import describe_failure
from app.views.failure_hints import hint
from app.views.failure_report import traceback_text
from app.views.story import RowStories
from app.views.story_words import story_text
from app.views.timeline.axis import TimeAxis, tick_label
from app.views.timeline.record import Ending, Lane, Timeline
from app.views.timeline.words import batch_summary, dock_summary, lane_tooltip
from tests import hostile
from tests.conftest import failure_of
from tests.hostile import LOCALHOST
from tests.test_timeline import Clock


@pytest.fixture
def chinese() -> Iterator[None]:
    assert i18n.install("zh_CN") == "zh_CN", "run make: the .mo is built from the .po"
    try:
        yield
    finally:
        i18n.install("en")


# Failures from real servers on 127.0.0.1


@pytest_twisted.ensureDeferred
async def test_a_reset_mid_poem_reads_in_chinese_with_its_byte_count(servers, chinese):
    port = servers.hostile(hostile.ResetMidPoem, prefix=b"Half a poem is")

    failure = await failure_of(get_poetry(LOCALHOST, port))

    assert describe_failure(failure) == "收到 14 字节后连接中断"
    # The exception's own message stays English: it is what a traceback and the log read.
    assert str(failure.value) == "connection lost after 14 bytes"
    address = Address(LOCALHOST, port)
    assert hint(failure, address, 612) == (
        f"与 {address} 的连接在收到 14/612 字节后被切断，这首诗不完整。"
        "服务器可能在发送途中停止或重启了，请按“开始”重试。"
    )
    # Under the traceback, what the network did: it has none of its own, and says why.
    report = traceback_text(failure)
    assert "\n起因：\n没有 Python 跟踪栈：这个错误由网络报告，并不是由代码抛出的。" in report


@pytest_twisted.ensureDeferred
async def test_a_stalled_server_and_a_closed_port_read_in_chinese(servers, chinese):
    stalled = servers.hostile(hostile.Stall, prefix=b"And then")
    refused = servers.refused()

    stall = await failure_of(get_poetry(LOCALHOST, stalled, idle_timeout=0.5))
    refusal = await failure_of(get_poetry(LOCALHOST, refused))

    assert describe_failure(stall) == "0.5 秒内没有收到数据"
    assert hint(stall, Address(LOCALHOST, stalled), None).startswith(
        f"{LOCALHOST}:{stalled} 发送了 8 字节后，0.5 秒内再没有数据，因此下载已停止。"
    )
    assert describe_failure(refusal) == "连接被拒绝"
    assert hint(refusal, Address(LOCALHOST, refused), None) == (
        f"{LOCALHOST}:{refused} 上没有程序在监听。服务器在运行吗？端口对吗？"
    )


@pytest_twisted.ensureDeferred
async def test_the_window_reads_chinese_while_the_log_stays_english(servers, chinese):
    events = EventStream()
    seen: list[DownloadEvent] = []
    ended: Deferred[None] = Deferred()
    events.subscribe(seen.append)
    events.subscribe(log_download_event)
    events.subscribe(lambda e: isinstance(e, BatchEnded) and ended.callback(None))
    records: list[str] = []

    def capture(record: LogRecord) -> None:
        if record.namespace == "poetry.download":
            records.append(record.text)

    row = ServerRow(Address(LOCALHOST, servers.refused()))
    record_hub.follow(capture)
    try:
        DownloadController(events).start([row])
        await ended
    finally:
        record_hub.unfollow(capture)
    failed = next(e for e in seen if isinstance(e, Failed))

    assert (row.status.words, row.reason, failed.reason) == ("失败", "连接被拒绝", "连接被拒绝")
    assert row.status.value == "Failed"  # the automation contract is English
    assert log_line(failed) == f"{row.address}: failed: connection refused"
    # What the log file and the log dock get: the same line, in English.
    assert f"{row.address}: failed: connection refused" in records


# What the timeline and the status bar say after a batch


def test_batch_summaries_read_as_chinese_sentences(chinese):
    faster = BatchSummary(
        poems=3, failed=0, mode=Mode.REACTOR, elapsed=4.2, individual_sum=12.6, longest=4.0
    )
    assert batch_summary(faster) == "3 首诗，用时 4.2 秒；逐个下载需要 12.6 秒，是本次用时的 3.0 倍"
    with_a_failure = BatchSummary(
        poems=3,
        failed=1,
        mode=Mode.REACTOR,
        elapsed=30.0,
        individual_sum=42.6,
        longest=30.0,
        poems_elapsed=4.2,
        poems_sum=12.6,
        poems_longest=4.0,
    )
    assert batch_summary(with_a_failure) == (
        "3 首诗，1 个失败，用时 30.0 秒；其中的诗用时 4.2 秒，逐个下载需要 12.6 秒，"
        "是它们用时的 3.0 倍"
    )
    slow = BatchSummary(
        poems=2, failed=0, mode=Mode.ONE_AT_A_TIME, elapsed=6.0, individual_sum=6.0, longest=3.0
    )
    assert (
        batch_summary(slow)
        == "2 首诗，逐个下载用时 6.0 秒；全部同时下载约需 3.0 秒，本次用时是它的 2.0 倍"
    )
    failed = BatchSummary(
        poems=0, failed=2, mode=Mode.REACTOR, elapsed=0.05, individual_sum=0.1, longest=0.05
    )
    assert batch_summary(failed) == "全部 2 个下载都失败了，用时 0.05 秒；没有一首诗，无从比较"
    all_failed = BatchSummary(
        poems=0,
        failed=4,
        mode=Mode.ONE_AT_A_TIME,
        elapsed=30.4,
        individual_sum=30.4,
        longest=30.0,
    )
    assert "倍" not in batch_summary(all_failed)
    nothing = BatchSummary(
        poems=0, failed=0, mode=Mode.REACTOR, elapsed=1.5, individual_sum=0, longest=0
    )
    assert batch_summary(nothing) == "1.5 秒后取消，没有下载到诗"


def test_the_dock_line_names_the_mode_and_keeps_number_and_unit_together(chinese):
    clock = Clock()
    timeline = Timeline(clock)
    assert dock_summary(timeline) == "按下“全部开始”后，每个连接都会按本批次的时钟画在这里。"
    timeline.observe(BatchStarted(1, Mode.REACTOR))
    row = ServerRow(Address(LOCALHOST, 10001))
    timeline.observe(Queued(row, 1))
    clock.now += 2.5
    assert dock_summary(timeline) == "全部同时下载 — 已运行 2.5\u00a0秒"
    summary = BatchSummary(
        poems=2, failed=0, mode=Mode.REACTOR, elapsed=4.2, individual_sum=8.0, longest=4.0
    )
    timeline.observe(BatchEnded(1, summary))
    assert dock_summary(timeline) == (
        "全部同时下载：2 首诗，用时 4.2\u00a0秒；逐个下载需要 8.0\u00a0秒，是本次用时的 1.9 倍"
    )


def test_traceback_firing_and_the_deferred_s_path_are_the_notes_words(chinese):
    # The notes: Failure "能捕获 Exception 和跟踪栈"; a callback "永远不会激活"; "异步回调链".
    assert i18n._("print the full traceback of each failure") == "输出每次失败的完整跟踪栈"
    assert i18n._("The Deferred's path") == "Deferred 的回调链"
    assert i18n._(
        "not fired yet: it fires once, when the poem is whole or the download fails"
    ).startswith("尚未激活：它只激活一次")
    po = Path(i18n.__file__).parent / "locale/zh_CN/LC_MESSAGES/poetry-downloader.po"
    words = po.read_text(encoding="utf-8")
    assert not [term for term in ("回溯", "触发", "Deferred 的路径") if term in words]


def test_the_dock_says_one_at_a_time_is_the_blocking_client_s_order_on_the_reactor(chinese):
    timeline = Timeline(Clock())
    timeline.observe(BatchStarted(1, Mode.ONE_AT_A_TIME))
    summary = BatchSummary(
        poems=2, failed=0, mode=Mode.ONE_AT_A_TIME, elapsed=6.0, individual_sum=6.0, longest=3.0
    )
    timeline.observe(BatchEnded(1, summary))
    assert dock_summary(timeline) == (
        "阻塞式客户端的顺序，但在 reactor 上运行：2 首诗，逐个下载用时 6.0\u00a0秒；"
        "全部同时下载约需 3.0\u00a0秒，本次用时是它的 2.0 倍"
    )


def test_a_lane_words_its_failure_in_the_language_spoken_when_it_is_shown():
    timeline = Timeline(Clock())
    row = ServerRow(Address(LOCALHOST, 10001))
    timeline.observe(BatchStarted(1, Mode.REACTOR))
    timeline.observe(Queued(row, 1))
    refused = Failure(ConnectionRefusedError())
    timeline.observe(Failed(row, refused, describe_failure(refused)))
    lane = timeline.lanes[row]
    assert lane.reason_words == "connection refused"
    i18n.install("zh_CN")
    try:
        assert lane.reason_words == "连接被拒绝"
    finally:
        i18n.install("en")


# Sizes, rates, durations and the row's story


def test_sizes_rates_and_durations_in_chinese(chinese):
    assert format_size(1) == "1 字节"
    assert format_size(537) == "537 字节"
    assert format_size(14_000) == "13.7 KiB"
    assert format_rate(14) == "14 B/s"
    assert format_seconds(3.2) == "3.2 秒"
    assert format_seconds(125) == "2 分 05 秒"
    assert tick_label(1.5, 0.5) == "1.5 秒"
    assert size_in_chunks(612, 2) == "612 字节，分 2 个数据块"


def test_status_and_mode_words_are_chinese_and_their_values_english(chinese):
    assert [s.words for s in Status] == [
        "空闲",
        "排队中",
        "正在连接",
        "下载中",
        "完成",
        "失败",
        "已取消",
    ]
    assert [m.words for m in Mode] == ["全部同时下载", "逐个下载"]
    assert Status.DONE.value == "Done" and Mode.REACTOR.value == "All at once"


def test_a_row_story_reads_chinese_with_twisted_s_names_as_they_are(chinese):
    clock = Clock()
    stories = RowStories(clock)
    row = ServerRow(Address(LOCALHOST, 10001))
    refused = Failure(ConnectionRefusedError())
    closing = Closing("clientConnectionFailed", "ConnectionRefusedError")
    for event in (
        BatchStarted(2, Mode.ONE_AT_A_TIME),
        Queued(row, 2),
        Connecting(row, DownloadController(EventStream()).chain),
        DeferredStep(row, "errback", "_failed", "Failure ConnectionRefusedError"),
        Failed(row, refused, "", closing),
    ):
        clock.now += 1.5
        row.apply(event)
        stories.observe(event)

    lines = story_text(row, stories.get(row), clock.now).split("\n")

    # Label and value are a tab apart: the Story tab lines them up by the font's widths.
    assert lines[:3] == ["地址\t127.0.0.1:10001", "编码\tutf-8", "状态\t失败（第 2 批）"]
    # A moment, not a duration: "于 … 秒失败"; a wait counted forward, worded by the mode.
    assert "结束\t于 +3.000 秒失败：连接被拒绝" in lines
    assert "排队\t等了 1.500 秒（逐个下载：等待上一个下载结束）" in lines
    # The methods are code, the words around them Chinese.
    assert "Twisted 调用了什么" in lines
    assert "  +3.000 秒\tclientConnectionFailed(ConnectionRefusedError)" in lines
    assert "  激活\t○ callback\t● errback(Failure ConnectionRefusedError)" in lines
    assert "  addCallbacks\t○ _succeeded\t● _failed → 失败窗口" in lines
    assert story_text(None, None, 0.0) == "未选择服务器"


def test_a_lane_s_ending_is_a_moment_in_chinese_not_a_duration(chinese):
    # "3.54 秒失败" reads as "failed for 3.54 s"; "于 3.54 秒失败" is "failed at 3.54 s".
    axis = TimeAxis(t0=0.0, scale=100.0)
    lane = Lane("127.0.0.1:1234", connect_started=0.1, connected=0.3, ended=3.54)
    lane.ending, lane.reason = Ending.FAILED, "connection lost after 537 bytes"
    at = round(axis.x(3.54))
    failed = lane_tooltip(lane, axis, at, 4.0)
    assert failed is not None and failed.startswith("127.0.0.1:1234\n于 3.54 秒失败：")
    lane.ending = Ending.DONE
    assert (
        lane_tooltip(lane, axis, at, 4.0) == "127.0.0.1:1234\n于 3.54 秒完成：0 字节，分 0 个数据块"
    )
    lane.ending = Ending.CANCELLED
    assert lane_tooltip(lane, axis, at, 4.0) == "127.0.0.1:1234\n于 3.54 秒取消"


# Addresses, as the Add Servers dialog and poetry-get show their problems


def test_address_errors_read_in_chinese(chinese):
    with pytest.raises(ValueError) as bad_port:
        parse_address("localhost:99999")
    assert str(bad_port.value) == "'localhost:99999'：端口 99999 不在 1-65535 范围内"
    with pytest.raises(ValueError) as no_port:
        parse_address("example.org")
    assert str(no_port.value) == "'example.org'：缺少端口，例如 example.org:10000"

    reader = AddressReader("10001\n10001 [::1\nlocalhost:", existing=[Address(LOCALHOST, 9)])
    reader.read()
    assert reader.problems == [
        "第 2 行：127.0.0.1:10001 填写了两次",
        "第 2 行：'[::1'：方括号不配对；请写成 [IPv6]:PORT",
        "第 3 行：'localhost:'：冒号后缺少端口",
    ]


# English, the source language: the plurals are right


def test_english_plurals_stay_right():
    assert i18n.current() == "en"
    one = BatchSummary(
        poems=1, failed=0, mode=Mode.REACTOR, elapsed=0.5, individual_sum=0.5, longest=0.5
    )
    two = BatchSummary(
        poems=2, failed=0, mode=Mode.REACTOR, elapsed=0.1, individual_sum=0.1, longest=0.1
    )
    lost = BatchSummary(
        poems=0, failed=1, mode=Mode.REACTOR, elapsed=0.1, individual_sum=0.1, longest=0.1
    )
    assert batch_summary(one) == "1 poem in 0.50 s"
    assert batch_summary(two) == "2 poems in 0.10 s"
    assert batch_summary(lost) == "1 download failed in 0.10 s"
    assert (format_size(1), format_size(2)) == ("1 byte", "2 bytes")
    assert size_in_chunks(1, 1) == "1 byte in 1 chunk"
    assert size_in_chunks(612, 2) == "612 bytes in 2 chunks"
    assert format_seconds(3.2) == "3.2 s"


def test_english_failure_words_keep_their_plurals():
    from app.net.failures import ConnectionLostError

    assert describe_failure(Failure(ConnectionLostError(1))) == "connection lost after 1 byte"
    assert describe_failure(Failure(ConnectionLostError(537))) == "connection lost after 537 bytes"
