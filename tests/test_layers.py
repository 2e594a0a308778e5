"""The layers hold: imports point down, never round in a circle, and only the window imports Qt.

The tree is drawn as layers, lowest first (:data:`LAYERS`); a module may
import from its own layer and the ones below it. Imports inside functions
count (a lower layer that reaches up at run time is still reaching up);
imports under ``if TYPE_CHECKING:`` do not, as they never run.

The Qt check imports each module in a fresh interpreter, so what another
test imported first cannot hide a Qt import.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import app

APP_DIR = Path(app.__file__).parent

#: The layers, lowest first: each entry is a module or a package (with everything under it).
LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "app",
        "app.i18n",
        "app.internals",
        "app.resources",
        "app.atomic_file",
        "app.places",
        "app.platform",
    ),
    ("app.log", "app.log_rotation"),
    ("app.net", "app.client"),
    ("app.downloads",),
    ("app.views",),
    ("app.settings",),
    ("app.instance", "app.startup"),
    ("app.cli",),
    ("app.gui",),
    ("app.__main__", "app.frozen"),
)


def module_names() -> list[str]:
    names = ["app"]
    for info in pkgutil.walk_packages(app.__path__, "app."):
        if info.name.split(".")[1] != "data":
            names.append(info.name)
    return sorted(names)


MODULES = module_names()


def source_of(module: str) -> Path:
    path = APP_DIR.parent.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(module: str) -> set[str]:
    """The program's modules that ``module`` imports, at its top or in any function."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source_of(module).read_text()))
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: imports_of(module) for module in MODULES}


def layer_of(module: str) -> int:
    """The layer of the longest entry of :data:`LAYERS` that is ``module`` or holds it."""
    best, depth = -1, -1
    for index, entries in enumerate(LAYERS):
        for entry in entries:
            if (module == entry or module.startswith(entry + ".")) and entry.count(".") > depth:
                best, depth = index, entry.count(".")
    return best


def test_every_module_has_a_layer():
    assert [module for module in MODULES if layer_of(module) < 0] == []


def test_the_graph_sees_imports_inside_functions_and_skips_type_checking_ones():
    # The controller runs get_poetry (an import at the top) and types its rows
    # under TYPE_CHECKING in places; the Qt reactor is imported in a function.
    assert "app.net.client" in GRAPH["app.downloads.controller"]
    assert "app.gui.reactor.qt_reactor" in GRAPH["app.__main__"]
    assert "app.gui" not in GRAPH["app.downloads.events"]


@pytest.mark.parametrize("module", MODULES)
def test_a_module_imports_only_from_its_layer_and_below(module: str):
    upward = sorted(name for name in GRAPH[module] if layer_of(name) > layer_of(module))
    assert upward == [], f"{module} reaches up to {upward}"


def test_there_are_no_import_cycles():
    # Tarjan's strongly connected components: any component of two or more is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in MODULES:
        if node not in index:
            connect(node)
    assert cycles == []


def test_at_most_twelve_modules_stay_at_the_top():
    top = [path.name for path in APP_DIR.glob("*.py")]
    assert len(top) <= 12, sorted(top)


@pytest.mark.parametrize("module", MODULES)
def test_no_module_is_over_four_hundred_lines(module: str):
    lines = len(source_of(module).read_text().splitlines())
    assert lines <= 400, f"{module} has {lines} lines"


QT_FREE = [
    module
    for module in MODULES
    if module != "app" and module.split(".")[1] not in ("gui", "__main__", "frozen")
]


def test_the_qt_free_modules_include_the_core():
    assert {
        "app.downloads.events",
        "app.downloads.controller",
        "app.net.client",
        "app.views.timeline.record",
        "app.settings.store",
    } <= set(QT_FREE)


@pytest.mark.parametrize("module", QT_FREE)
def test_only_the_window_and_its_start_up_import_qt(module: str):
    code = (
        f"import sys, {module}\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PyQt5', 'qt5reactor'))\n"
        "print(','.join(qt))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"
