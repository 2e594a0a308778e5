"""Nothing a server sends is run, evaluated or loaded; the demo servers face this machine only.

The first tests read the program's own source with ``ast``: no call in
``app/`` can run a program, evaluate text as code, unpickle bytes or open a
link (but the Tutorial menu's two fixed pages), so no poem, however crafted,
can reach such a call. The checker is
tried on small sources first, to show it catches each thing it looks for.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_twisted
from twisted.internet import task

import app
from app.downloads.demo import DemoServers
from tests.conftest import listening_sockets
from tests.hostile import LOCALHOST

APP = Path(app.__file__).resolve().parent

#: Built-ins that turn text into running code.
CODE_BUILTINS = {"eval", "exec", "compile", "__import__", "breakpoint"}
#: Modules whose whole purpose is to run programs or turn bytes into live objects.
RUNNING_MODULES = {
    "subprocess",
    "pty",
    "runpy",
    "code",
    "codeop",
    "pickle",
    "_pickle",
    "cPickle",
    "dill",
    "marshal",
    "shelve",
    "yaml",
    "webbrowser",
}
#: ``os`` functions that start programs.
OS_RUNNERS = {"system", "popen", "startfile", "posix_spawn", "posix_spawnp", "fork", "forkpty"}
OS_RUNNER_PREFIXES = ("exec", "spawn")
#: Qt classes and methods that start programs or follow links.
QT_RUNNERS = {"QProcess", "QDesktopServices", "QTextBrowser", "setOpenExternalLinks", "openUrl"}
OTHER_LOADERS = {"import_module"}  # importlib.import_module: code chosen by a string

#: Deliberate exceptions: (file relative to app/, what it uses) -> why that is safe.
#: No part of the program starts another process or evaluates text; one opens a link.
_TUTORIAL_PAGES = "opens only the tutorial's two pages, constants of app/views/tutorial_parts.py"
ALLOWED: dict[tuple[str, str], str] = {
    ("gui/tutorial/parts_window.py", "from PyQt5.QtGui import QDesktopServices"): _TUTORIAL_PAGES,
    ("gui/tutorial/parts_window.py", "QDesktopServices"): _TUTORIAL_PAGES,
    ("gui/tutorial/parts_window.py", ".openUrl"): _TUTORIAL_PAGES,
}


def is_os_runner(name: str) -> bool:
    return name in OS_RUNNERS or name.startswith(OS_RUNNER_PREFIXES)


def dangerous_uses(source: str) -> Iterator[tuple[int, str]]:
    """(line, what) for each way ``source`` could run a program or evaluate text."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in RUNNING_MODULES:
                    yield node.lineno, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            root = node.module.split(".")[0]
            for alias in node.names:
                if root in RUNNING_MODULES:
                    yield node.lineno, f"from {node.module} import {alias.name}"
                elif root == "os" and is_os_runner(alias.name):
                    yield node.lineno, f"from os import {alias.name}"
                elif alias.name in QT_RUNNERS | OTHER_LOADERS | CODE_BUILTINS:
                    yield node.lineno, f"from {node.module} import {alias.name}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in CODE_BUILTINS:
                yield node.lineno, f"{node.func.id}()"
        elif isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else ""
            if owner == "os" and is_os_runner(node.attr):
                yield node.lineno, f"os.{node.attr}"
            elif owner == "builtins" and node.attr in CODE_BUILTINS:
                yield node.lineno, f"builtins.{node.attr}"
            elif node.attr in QT_RUNNERS | OTHER_LOADERS:
                yield node.lineno, f".{node.attr}"
        elif isinstance(node, ast.Name) and node.id in QT_RUNNERS:
            yield node.lineno, node.id
        elif isinstance(node, ast.keyword) and node.arg == "shell":
            yield node.value.lineno, "shell="


@pytest.mark.parametrize(
    "source",
    [
        "eval(text)",
        "exec(text)",
        "compile(text, '<poem>', 'exec')",
        "__import__(name)",
        "import builtins\nbuiltins.eval(text)",
        "import subprocess",
        "import subprocess as sp",
        "from subprocess import run",
        "import pickle",
        "from pickle import loads",
        "import marshal",
        "import os\nos.system(text)",
        "import os\nos.popen(text)",
        "import os\nos.execvp('sh', ['sh', '-c', text])",
        "import os\nos.spawnlp(os.P_WAIT, 'sh', 'sh')",
        "from os import system",
        "run(['sh', '-c', text], shell=True)",
        "from PyQt5.QtCore import QProcess",
        "from PyQt5 import QtCore\nQtCore.QProcess.startDetached(text)",
        "QDesktopServices.openUrl(QUrl(text))",
        "label.setOpenExternalLinks(True)",
        "import importlib\nimportlib.import_module(text)",
        "import webbrowser",
    ],
)
def test_the_checker_catches(source: str) -> None:
    assert list(dangerous_uses(source)), source


@pytest.mark.parametrize(
    "source",
    [
        "import re\nre.compile(r'[\\s,]+')",
        "text = 'eval(x) and shell=True are only words here'",
        "import os\nos.replace(a, b)\nos.fsync(fd)",
        "import codecs\ncodecs.lookup(name)",
    ],
)
def test_the_checker_lets_harmless_code_pass(source: str) -> None:
    assert list(dangerous_uses(source)) == []


def test_the_program_runs_and_evaluates_nothing() -> None:
    found = []
    sources = sorted(APP.rglob("*.py"))
    assert len(sources) > 10, sources
    for path in sources:
        name = str(path.relative_to(APP))
        for line, what in dangerous_uses(path.read_text(encoding="utf-8")):
            if (name, what) not in ALLOWED:
                found.append(f"app/{name}:{line}: {what}")
    assert found == [], "\n".join(found)


@pytest_twisted.ensureDeferred
async def test_demo_servers_listen_on_localhost_only(no_leftover_timers) -> None:
    from twisted.internet import reactor

    before = listening_sockets(os.getpid())
    demo = DemoServers()
    servers = demo.start()
    try:
        during = listening_sockets(os.getpid())
    finally:
        demo.stop()
    new_v4 = set(during["tcp"]) - set(before["tcp"])
    new_v6 = set(during["tcp6"]) - set(before["tcp6"])
    assert len(servers) >= 3
    assert new_v6 == set()
    assert new_v4 == {(LOCALHOST, server.address.port) for server in servers}
    assert {server.address.host for server in servers} == {LOCALHOST}
    # Stopped means closed: the ports are gone on the next turns of the reactor.
    for _ in range(50):
        if not set(listening_sockets(os.getpid())["tcp"]) & new_v4:
            break
        await task.deferLater(reactor, 0.01, lambda: None)
    assert not set(listening_sockets(os.getpid())["tcp"]) & new_v4
