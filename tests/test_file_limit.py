"""A socket per download: the window and poetry-get raise their own open-file limit.

Each check that changes a limit runs in a fresh interpreter started with a
low soft limit, so this process keeps its own.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
from twisted.logger import LogEvent, globalLogPublisher

from app.platform import FORCE_VARIABLE
from app.startup import file_limit
from app.startup.file_limit import MACOS_OPEN_MAX, UNLIMITED_HARD_TARGET, raise_open_file_limit

REPO = Path(__file__).resolve().parent.parent
LOW = 64
SOFT, HARD = resource.getrlimit(resource.RLIMIT_NOFILE)

needs_room = pytest.mark.skipif(
    HARD != resource.RLIM_INFINITY and HARD <= LOW,
    reason=f"the hard open-file limit ({HARD}) leaves nothing to raise",
)


def _soft_limit_after(code: str, platform: str | None = None) -> int:
    """Run ``code`` in a fresh interpreter whose soft limit starts at ``LOW``; the limit it
    printed on stderr as ``LIMIT n`` (printed at exit, so ``sys.exit`` in ``code`` is fine).

    ``platform`` is the system the program is told it runs on (app.platform).
    """
    prologue = (
        "import atexit, resource, sys\n"
        "N = resource.RLIMIT_NOFILE\n"
        f"resource.setrlimit(N, ({LOW}, resource.getrlimit(N)[1]))\n"
        "atexit.register(lambda: print('LIMIT', resource.getrlimit(N)[0], file=sys.stderr))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", prologue + code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "QT_QPA_PLATFORM": "offscreen",
            "PATH": "/usr/bin:/bin",
            **({FORCE_VARIABLE: platform} if platform else {}),
        },
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("LIMIT ")]
    assert lines, done.stderr[-2000:]
    return int(lines[-1].split()[1])


def _expected() -> int:
    return UNLIMITED_HARD_TARGET if HARD == resource.RLIM_INFINITY else HARD


@needs_room
def test_a_low_soft_limit_rises_to_the_hard_limit():
    code = "from app.startup.file_limit import raise_open_file_limit\nraise_open_file_limit()\n"
    assert _soft_limit_after(code) == _expected()


@needs_room
def test_poetry_get_raises_its_limit_before_connecting():
    # A refused connection: poetry-get exits 1 at once, and the limit is printed at exit.
    code = "from app.cli.get import main\nmain(['127.0.0.1:1'])\n"
    assert _soft_limit_after(code) == _expected()


@needs_room
def test_the_window_raises_its_limit_at_start_up(tmp_path: Path):
    # Stopped at its first step after the raise (one window per settings
    # directory), before any Qt: the limit in force then is the one it runs with.
    code = (
        "import app.instance.claim\n"
        "app.instance.claim.claim_or_exit = lambda *args: sys.exit(0)\n"
        "from app.__main__ import main\n"
        f"main(['--config-dir', {str(tmp_path)!r}])\n"
    )
    assert _soft_limit_after(code) == _expected()


def test_a_limit_already_at_the_hard_limit_is_left_alone(monkeypatch):
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (4096, 4096))
    monkeypatch.setattr(resource, "setrlimit", _must_not_be_called)
    assert raise_open_file_limit() == 4096


def test_a_refusal_keeps_the_old_limit(monkeypatch):
    def refuse(_which: int, _limits: tuple[int, int]) -> None:
        raise ValueError("not allowed to raise maximum limit")

    monkeypatch.setattr(resource, "getrlimit", lambda _which: (1024, 524288))
    monkeypatch.setattr(resource, "setrlimit", refuse)
    assert raise_open_file_limit() == 1024


def test_an_unlimited_hard_limit_asks_for_a_large_finite_soft_one(monkeypatch):
    asked: list[tuple[int, int]] = []
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (256, resource.RLIM_INFINITY))
    monkeypatch.setattr(resource, "setrlimit", lambda _which, limits: asked.append(limits))
    assert raise_open_file_limit() == UNLIMITED_HARD_TARGET
    assert asked == [(UNLIMITED_HARD_TARGET, resource.RLIM_INFINITY)]


def test_an_unlimited_soft_limit_is_returned_as_it_is(monkeypatch):
    unlimited = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    monkeypatch.setattr(resource, "getrlimit", lambda _which: unlimited)
    monkeypatch.setattr(resource, "setrlimit", _must_not_be_called)
    assert raise_open_file_limit() == resource.RLIM_INFINITY


def _must_not_be_called(*_args: object) -> None:
    raise AssertionError("setrlimit called")


# The other systems' ways, taken on Linux (app.platform)


@needs_room
def test_on_macos_a_low_soft_limit_rises_to_open_max_at_most():
    code = "from app.startup.file_limit import raise_open_file_limit\nraise_open_file_limit()\n"
    assert _soft_limit_after(code, "macos") == min(MACOS_OPEN_MAX, HARD)


@needs_room
def test_on_windows_neither_the_window_nor_poetry_get_touch_a_limit(tmp_path: Path):
    window = (
        "import app.instance.claim\n"
        "app.instance.claim.claim_or_exit = lambda *args: sys.exit(0)\n"
        "from app.__main__ import main\n"
        f"main(['--config-dir', {str(tmp_path)!r}])\n"
    )
    get = "from app.cli.get import main\nmain(['127.0.0.1:1'])\n"
    assert _soft_limit_after(window, "windows") == LOW
    assert _soft_limit_after(get, "windows") == LOW


def test_without_resource_nothing_is_raised_and_the_log_says_so_once(monkeypatch):
    monkeypatch.setenv(FORCE_VARIABLE, "windows")
    monkeypatch.setattr(resource, "setrlimit", _must_not_be_called)
    monkeypatch.setattr(file_limit, "_said_no_limits", False)
    said: list[str] = []

    def observe(event: LogEvent) -> None:
        if event.get("log_namespace") == "poetry.startup":
            said.append(event["log_format"])

    globalLogPublisher.addObserver(observe)
    try:
        assert raise_open_file_limit() is None
        assert raise_open_file_limit() is None
    finally:
        globalLogPublisher.removeObserver(observe)
    assert said == ["This system has no open-file limit to raise (no resource module)"]


def test_on_macos_an_unlimited_hard_limit_asks_for_open_max(monkeypatch):
    monkeypatch.setenv(FORCE_VARIABLE, "macos")
    asked: list[tuple[int, int]] = []
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (256, resource.RLIM_INFINITY))
    monkeypatch.setattr(resource, "setrlimit", lambda _which, limits: asked.append(limits))
    assert raise_open_file_limit() == MACOS_OPEN_MAX
    assert asked == [(MACOS_OPEN_MAX, resource.RLIM_INFINITY)]


def test_on_macos_a_hard_limit_under_open_max_is_the_target(monkeypatch):
    monkeypatch.setenv(FORCE_VARIABLE, "macos")
    asked: list[tuple[int, int]] = []
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (256, 4096))
    monkeypatch.setattr(resource, "setrlimit", lambda _which, limits: asked.append(limits))
    assert raise_open_file_limit() == 4096
    assert asked == [(4096, 4096)]


def test_on_macos_a_soft_limit_at_open_max_is_left_alone(monkeypatch):
    monkeypatch.setenv(FORCE_VARIABLE, "macos")
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (MACOS_OPEN_MAX, 1_000_000))
    monkeypatch.setattr(resource, "setrlimit", _must_not_be_called)
    assert raise_open_file_limit() == MACOS_OPEN_MAX
