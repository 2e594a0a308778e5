"""The package build's one extra step: compile the translation catalogues.

Everything else is declared in pyproject.toml. gettext reads compiled
catalogues (``.mo``); the repository keeps only their sources (``.po``,
``app/i18n/locale``), so the build compiles each one with Babel into the wheel,
or, for an editable install, beside its source (``make`` does the same
when a ``.po`` changes later).
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def compile_catalogues(target_root: Path) -> list[Path]:
    """Write ``app/i18n/locale/*/LC_MESSAGES/*.mo`` under ``target_root`` from the ``.po`` files."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted((ROOT / "app" / "i18n" / "locale").glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalogue = read_po(source)
        mo = target_root / po.relative_to(ROOT).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as out:
            write_mo(out, catalogue, use_fuzzy=False)
        written.append(mo)
    return written


class BuildWithCatalogues(build_py):
    """``build_py`` that also compiles the catalogues."""

    def run(self) -> None:
        super().run()
        editable = getattr(self, "editable_mode", False)
        compile_catalogues(ROOT if editable else Path(self.build_lib))


setup(cmdclass={"build_py": BuildWithCatalogues})
