"""Lint: every sentence in ``app/`` that a person reads goes through the translation functions.

``python -m tests.string_check`` (part of ``make lint``) reads each module
of ``app/`` and reports every string literal that looks like words for a
person (two words, or a capitalised word, or a menu accelerator) and is
not an argument of ``_``, ``N_``, ``ngettext`` or ``pgettext``. An
f-string with words in it is reported even inside ``_``: the catalogue
would hold the text before formatting, which never matches.

A call of a translation function inside an f-string (``f"{_('interrupted')}"``)
is reported too: pybabel finds it when it runs on Python 3.12 or later,
whose tokenizer splits f-strings, and not on 3.10 or 3.11, so the catalogue
would depend on the Python that extracted it.

Not reported: docstrings; the text of log records (calls of ``msg``,
``err``, ``debug``, ``info``, ``warning``, ``error``, ``exception`` on a
logger or ``log``), which stay in English (``app/i18n.py`` says why); and
a literal whose line says why it stays as it is with an
``# untranslated: <why>`` comment (a file name, a protocol word, a
language's own name).
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TRANSLATORS = {"_", "N_", "ngettext", "pgettext", "npgettext"}
LOG_METHODS = {"msg", "err", "debug", "info", "warning", "warn", "error", "exception", "critical"}
PRAGMA = "# untranslated:"

_WORDS = re.compile(r"[A-Za-z]{2,}\W+[A-Za-z]{2,}")
_CAPITALISED = re.compile(r"^\W*[A-Z][a-z]+")
_ACCELERATOR = re.compile(r"&[A-Za-z]")
# Identifiers, dotted names, paths, MIME types, shortcut keys and format codes are not words.
_NOT_WORDS = re.compile(r"^[\w.\-/:+%*<>=\[\](){},;#@$|~?]*$")


def looks_like_words(text: str) -> bool:
    """Whether ``text`` reads as words for a person rather than as a name or code."""
    text = text.strip()
    if not re.search(r"[A-Za-z]{2,}", text):
        return False
    if _ACCELERATOR.search(text) and " " not in text.replace("& ", ""):
        return True
    if _NOT_WORDS.match(text) and not _CAPITALISED.match(text):
        return False
    if _NOT_WORDS.match(text) and re.match(r"^[A-Z][a-z]+[A-Z]\w*$", text):
        return False  # CamelCase: a Qt class or object name
    return bool(_WORDS.search(text) or _CAPITALISED.match(text))


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def _is_log_call(node: ast.Call) -> bool:
    if not isinstance(node.func, ast.Attribute) or node.func.attr not in LOG_METHODS:
        return False
    owner = node.func.value
    name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
    return "log" in name.lower()


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _pragma_lines(source: str) -> set[int]:
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and token.string.startswith(PRAGMA):
            lines.add(token.start[0])
    return lines


def untranslated(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, text)`` for each literal of ``path`` that should be translated and is not."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    docstrings = _docstrings(tree)
    pragmas = _pragma_lines(source)

    def excused(node: ast.expr, inside_f_string: bool) -> bool:
        lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)
        if any(line in pragmas for line in lines):
            return True
        child: ast.AST = node
        parent = parents.get(id(node))
        while parent is not None:
            if isinstance(parent, ast.Call):
                if _is_log_call(parent):
                    return True
                if _call_name(parent) in TRANSLATORS and child in parent.args:
                    return not inside_f_string
                statement_lines = range(parent.lineno, (parent.end_lineno or parent.lineno) + 1)
                if any(line in pragmas for line in statement_lines):
                    return True
            if isinstance(parent, ast.stmt):
                lines = range(parent.lineno, (parent.end_lineno or parent.lineno) + 1)
                return any(line in pragmas for line in lines)
            child, parent = parent, parents.get(id(parent))
        return False

    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else " x "
                for v in node.values
            )
            if looks_like_words(text) and not excused(node, inside_f_string=True):
                yield node.lineno, text
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and not isinstance(parents.get(id(node)), ast.JoinedStr)
            and looks_like_words(node.value)
            and not excused(node, inside_f_string=False)
        ):
            yield node.lineno, node.value


def rebinds_underscore(path: Path) -> Iterator[int]:
    """Lines where a module that imports ``_`` binds the name again (``for _ in ...``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports_it = any(
        isinstance(n, ast.ImportFrom) and any(a.name == "_" and not a.asname for a in n.names)
        for n in tree.body
    )
    if not imports_it:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
            yield node.lineno
        if isinstance(node, ast.arg) and node.arg == "_":
            yield node.lineno


def translated_inside_f_strings(path: Path) -> Iterator[int]:
    """Lines where ``_()`` (or another translation function) is called inside an f-string."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and _call_name(inner) in TRANSLATORS:
                    yield inner.lineno


def problems(root: Path = ROOT / "app") -> list[str]:
    """Every problem in ``root``, one line each, as ``path:line: what``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        shown = path.relative_to(ROOT)
        for line, text in untranslated(path):
            found.append(f"{shown}:{line}: not translated: {text!r}")
        for line in rebinds_underscore(path):
            found.append(f"{shown}:{line}: '_' is the translation function here; name it")
        for line in translated_inside_f_strings(path):
            found.append(
                f"{shown}:{line}: translated inside an f-string, which pybabel sees only "
                "on Python 3.12 and later; translate it before the f-string"
            )
    return found


def main() -> int:
    found = problems()
    for problem in found:
        print(problem)
    if found:
        print(
            f"strings a person reads that do not go through _(): {len(found)} "
            f"(or say why with '{PRAGMA} <why>')",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
