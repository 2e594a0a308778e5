"""``poetry-get`` and ``poetry-server`` under a Chinese locale: the installed scripts, real sockets.

The language comes from the locale, as a person's terminal sets it; the
same commands under ``LANG=C`` stay English (``tests/test_cli.py`` holds
them to their English words). Nothing here installs a language in the test
process itself: each command is a child process with its own environment.
"""

from __future__ import annotations

import gettext
import os
import re

import pytest
import pytest_twisted

from app import i18n
from app.i18n import argparse_words
from tests import hostile
from tests.hostile import LOCALHOST
from tests.test_cli import (
    JINGYESI,
    POETRY_GET,
    POETRY_SERVER,
    drain,
    poetry_get,
    spawn,
    stop_server,
)

#: Every locale variable set, so the one under test decides whatever the test's own are.
CHINESE = {"LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}
ENGLISH = {"LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}
#: LANGUAGE, gettext's list of preferences, outranks an English LANG.
CHINESE_BY_LANGUAGE = {"LANG": "en_US.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": "zh_CN"}

HAN = re.compile(r"[\u4e00-\u9fff]")


def chinese(message: str) -> str:
    """``message`` as the compiled Chinese catalogue has it (itself where it has none)."""
    catalogue = gettext.translation(
        i18n.DOMAIN, localedir=str(i18n.LOCALE_DIR), languages=["zh_CN"]
    )
    return catalogue.gettext(message)


@pytest.mark.parametrize("env", [CHINESE, CHINESE_BY_LANGUAGE], ids=["LANG", "LANGUAGE"])
@pytest_twisted.ensureDeferred
async def test_poetry_get_help_is_chinese_headings_and_all(env: dict[str, str]) -> None:
    run = await poetry_get("--help", env=env)
    out = run.out.decode("utf-8")

    assert run.code == 0, run
    assert out.startswith("用法：poetry-get [-h]"), out
    # Headings end in the full-width colon on every Python (3.10-3.12 write a bare ":").
    assert "\n位置参数：\n" in out and "\n选项：\n" in out
    assert "要从中下载诗歌的服务器；给出多个时，按给出的顺序输出" in out
    assert "下载超过 S 秒仍未完成即放弃（默认不限时）" in out
    assert "显示此帮助信息并退出" in out
    assert "显示版本号并退出" in out
    assert "同时从多个诗歌服务器下载诗歌。" in out
    assert "查找地址并连接的时限，单位秒（默认 30）" in out
    # Option names and metavars are the command line's own words.
    for word in ("--timeout S", "--idle-timeout S", "--max-bytes N", "--encoding E", "ADDR"):
        assert word in out
    for english in ("usage:", "options", "show this help", "default"):
        assert english not in out


@pytest_twisted.ensureDeferred
async def test_poetry_server_help_is_chinese() -> None:
    run = await spawn(POETRY_SERVER, "--help", env=CHINESE).finish()
    out = run.out.decode("utf-8")

    assert run.code == 0, run
    assert out.startswith("用法：poetry-server [-h]"), out
    assert "每个 FILE 各占一个端口。" in out
    assert "两次写入之间的秒数（默认 0.7；0 表示全速发送）" in out
    assert "\n位置参数：\n  FILE " in out and "\n选项：\n" in out
    assert "要提供的诗，一个文本文件" in out
    assert "usage:" not in out and "options" not in out


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--timeout", "soon", "1"], "参数 --timeout：'soon' 不是秒数"),
        (["--timeout", "0", "1"], "参数 --timeout：'0' 必须是正的秒数"),
        (["--max-bytes", "0", "1"], "参数 --max-bytes：'0' 必须至少为 1"),
        (["host:99999"], "'host:99999'"),
        ([], "缺少必需的参数：ADDR"),
        (["--bogus", "1"], "无法识别的参数：--bogus"),
        (["--timeout"], "参数 --timeout：需要 1 个值"),
    ],
)
@pytest_twisted.ensureDeferred
async def test_bad_usage_is_one_chinese_line_and_exit_2(args: list[str], reason: str) -> None:
    run = await poetry_get(*args, env=CHINESE)

    assert run.code == 2, run
    assert run.out == b""
    assert run.err.startswith("用法：poetry-get"), run.err
    last = run.err_lines[-1]
    assert last.startswith("poetry-get: 错误："), last
    assert reason in last, last
    assert "Traceback" not in run.err


@pytest_twisted.ensureDeferred
async def test_poetry_server_with_a_missing_file_says_so_in_chinese(tmp_path) -> None:
    missing = tmp_path / "no-such-poem.txt"

    run = await spawn(POETRY_SERVER, str(missing), env=CHINESE).finish()

    assert run.code == 2, run
    assert run.err_lines[-1].startswith(f"poetry-server: 错误：无法读取 '{missing}'："), run.err


@pytest_twisted.ensureDeferred
async def test_poetry_server_refuses_a_device_or_an_empty_interface_in_chinese() -> None:
    device = await spawn(POETRY_SERVER, "/dev/zero", env=CHINESE).finish(limit=5)
    everywhere = await spawn(POETRY_SERVER, "--iface", "", str(JINGYESI), env=CHINESE).finish()

    assert device.code == everywhere.code == 2
    assert device.err_lines[-1] == "poetry-server: 错误：无法提供 '/dev/zero'：不是普通文件"
    assert everywhere.err_lines[-1] == (
        "poetry-server: 错误：参数 --iface：为空：请给出要监听的地址，例如 127.0.0.1"
        "（0.0.0.0 表示监听所有网络接口）"
    )


@pytest_twisted.ensureDeferred
async def test_a_download_from_a_real_poetry_server_shows_chinese_progress() -> None:
    server = spawn(
        POETRY_SERVER, "--delay", "0.05", "--num-bytes", "10", str(JINGYESI), env=CHINESE
    )
    try:
        (serving,) = await server.lines(1)
        # The address stays the last word, where scripts read it.
        match = re.fullmatch(r"正在提供 (.+)，地址 (\S+):(\d+)", serving)
        assert match, serving
        assert match[1] == str(JINGYESI) and match[2] == LOCALHOST
        port = int(match[3])

        master, terminal = os.openpty()
        try:
            child = spawn(POETRY_GET, str(port), env=CHINESE, stderr=terminal)
            os.close(terminal)
            run = await child.finish()
            shown = drain(master)
        finally:
            os.close(master)
    finally:
        await stop_server(server, "INT")

    assert (run.out, run.code) == (JINGYESI.read_bytes(), 0)
    text = shown.decode("utf-8")
    assert "\r已完成 0/1，已接收 " in text, text
    assert re.search(r"已接收 \d+ (bytes|字节)", text), text
    assert text.endswith("\r\x1b[K")


@pytest_twisted.ensureDeferred
async def test_an_unreachable_port_is_one_chinese_failure_line(servers, refused_port) -> None:
    poem_port, _ = servers.poetry(b"A short poem.\n", delay=0)
    port = refused_port

    run = await poetry_get(str(poem_port), str(port), env=CHINESE)

    assert run.code == 1, run
    # The reason is client.describe_failure's, in the catalogue's words for it.
    assert run.err_lines == [f"poetry-get: {LOCALHOST}:{port}：{chinese('connection refused')}"]
    assert f"==> {LOCALHOST}:{poem_port} <==" in run.out.decode("utf-8")


@pytest_twisted.ensureDeferred
async def test_replaced_bytes_are_noted_in_chinese(servers) -> None:
    case = next(case for case in hostile.CASES if case.replaced)
    port = case.serve(servers)

    run = await poetry_get("--encoding", case.encoding, str(port), env=CHINESE)

    assert run.err == (
        f"poetry-get: {LOCALHOST}:{port}：{case.replaced} 个无效的 "
        f"{case.encoding} 字节显示为 U+FFFD\n"
    )


@pytest_twisted.ensureDeferred
async def test_the_same_commands_stay_english_under_lang_c() -> None:
    helped = await poetry_get("--help", env=ENGLISH)
    wrong = await poetry_get("--timeout", "soon", "1", env=ENGLISH)
    served = await spawn(POETRY_SERVER, "--help", env=ENGLISH).finish()

    assert helped.out.decode().startswith("usage: poetry-get")
    assert "\noptions:\n" in helped.out.decode()
    assert "\npositional arguments:\n  ADDR " in helped.out.decode()
    assert "a poetry server to download from" in helped.out.decode()
    assert "show program's version number and exit" in helped.out.decode()
    assert (
        wrong.err_lines[-1]
        == "poetry-get: error: argument --timeout: 'soon' is not a number of seconds"
    )
    assert "Each FILE gets its own port." in " ".join(served.out.decode().split())
    for run in (helped, wrong, served):
        assert not HAN.search(run.out.decode() + run.err)


# argparse's own words, in this process


@pytest.fixture
def in_chinese():
    i18n.install("zh_CN")
    argparse_words.speak_ours()
    yield
    i18n.install("en")


def test_argparse_words_come_from_our_catalogue(in_chinese) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="demo")
    help_text = parser.format_help()

    assert help_text.startswith("用法：demo")
    assert "选项" in help_text and "显示此帮助信息并退出" in help_text
    assert argparse_words.expected_arguments(2) == "需要 2 个值"
    for words in (*argparse_words.HELP, *argparse_words.ERRORS):
        if words == "%(heading)s:":
            assert i18n._(words) == "%(heading)s："  # the full-width colon
        else:
            assert HAN.search(i18n._(words)), f"{words!r} has no Chinese"


def test_our_help_formatter_gives_headings_the_full_width_colon_on_every_python(
    in_chinese,
) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="demo", formatter_class=argparse_words.HelpFormatter)
    parser.add_argument("addr", metavar="ADDR")
    help_text = parser.format_help()

    assert "\n位置参数：\n  ADDR" in help_text
    assert "\n选项：\n" in help_text
    assert "位置参数:" not in help_text and "选项:" not in help_text


def test_an_argument_error_names_the_argument_in_chinese_on_every_python(
    in_chinese, capsys
) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="demo")
    parser.add_argument("--count", type=int)

    with pytest.raises(SystemExit) as exit_:
        parser.parse_args(["--count", "many"])

    assert exit_.value.code == 2
    # Python 3.10 spells "argument --count:" without gettext; argparse_words routes it.
    assert capsys.readouterr().err.splitlines()[-1] == (
        "demo: 错误：参数 --count：无效的 int 值：'many'"
    )


def test_english_again_after_chinese() -> None:
    import argparse

    i18n.install("zh_CN")
    argparse_words.speak_ours()
    i18n.install("en")

    assert argparse.ArgumentParser(prog="demo").format_help().startswith("usage: demo")
