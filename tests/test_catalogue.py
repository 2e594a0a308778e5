"""The translation catalogues are whole, current and consistent with the program's words."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app import i18n
from tests import string_check

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE]

_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:[!:][^{}]*)?\}|%\([a-z_]+\)[a-z]|%[sdrgf]")
_ACCELERATOR = re.compile(r"&([^&\s])")


def po_path(language: str) -> Path:
    return i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


def load(language: str) -> Catalog:
    with po_path(language).open("rb") as f:
        return read_po(f)


def extracted() -> dict[tuple[str, str | None], str | tuple[str, str]]:
    """Every message the program's source marks for translation, keyed as a catalogue keys it."""
    found: dict[tuple[str, str | None], str | tuple[str, str]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(str(ROOT / "app")):
        key = message[0] if isinstance(message, tuple) else message
        found[(key, context)] = message
    return found


def entries(catalogue: Catalog) -> list[Message]:
    return [m for m in catalogue if m.id]


def key(message: Message) -> tuple[str, str | None]:
    return (message.id[0] if isinstance(message.id, tuple) else message.id, message.context)


def texts(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def test_every_sentence_a_person_reads_goes_through_translation():
    assert string_check.problems() == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_of_the_program_is_translated_and_none_is_stale(language):
    catalogue = load(language)
    wanted = extracted()
    have = {key(m): m for m in entries(catalogue)}
    missing = sorted(k[0] for k in wanted.keys() - have.keys())
    stale = sorted(k[0] for k in have.keys() - wanted.keys())
    assert missing == [], f"not in {po_path(language).name}; run `make catalogue`"
    assert stale == [], "no longer in the program; run `make catalogue`"
    untranslated = [m.id for m in have.values() if not all(texts(m.string))]
    fuzzy = [m.id for m in have.values() if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    for k, message in wanted.items():
        plural = isinstance(message, tuple)
        assert have[k].pluralizable == plural, f"{k[0]!r}: plural forms differ"


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_and_accelerators_are_kept(language):
    for message in entries(load(language)):
        sources = texts(message.id)
        # A plural's forms together name every placeholder ("one poem", "{n} poems").
        want = sorted({p for source in sources for p in _PLACEHOLDER.findall(source)})
        for translation in texts(message.string):
            assert sorted(set(_PLACEHOLDER.findall(translation))) == want, (
                f"{message.id!r} → {translation!r}: placeholders differ"
            )
            source_keys = _ACCELERATOR.findall(sources[0].replace("&&", ""))
            own_keys = _ACCELERATOR.findall(translation.replace("&&", ""))
            assert len(own_keys) == len(source_keys), f"{message.id!r} → {translation!r}"
            # The accelerator keeps its letter, so a hand that knows Alt+F finds it.
            assert [k.upper() for k in own_keys] == [k.upper() for k in source_keys], (
                f"{message.id!r} → {translation!r}: accelerator letter changed"
            )


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_is_built_from_the_current_source(language):
    mo = po_path(language).with_suffix(".mo")
    assert mo.exists(), "run make (it compiles app/i18n/locale/*/LC_MESSAGES/*.mo)"
    with mo.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for message in entries(load(language)):
        if message.context or message.pluralizable:
            continue
        assert compiled.gettext(message.id) == message.string, f"{message.id!r}: rebuild the .mo"


def test_the_language_follows_the_locale_as_gettext_reads_it():
    assert i18n.language_from_environment({"LANG": "zh_CN.UTF-8"}) == "zh_CN"
    assert i18n.language_from_environment({"LANG": "zh_TW.UTF-8"}) == "zh_CN"
    assert i18n.language_from_environment({"LANG": "de_DE.UTF-8"}) == "en"
    assert i18n.language_from_environment({}) == "en"
    # LC_ALL before LC_MESSAGES before LANG; LANGUAGE first of all, unless the locale is C.
    assert i18n.language_from_environment({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN"}) == "en"
    assert i18n.language_from_environment({"LC_MESSAGES": "zh_CN", "LANG": "en_GB"}) == "zh_CN"
    env = {"LANGUAGE": "fr:zh_CN:en", "LANG": "en_US.UTF-8"}
    assert i18n.language_from_environment(env) == "zh_CN"
    assert i18n.language_from_environment({"LANGUAGE": "zh_CN", "LC_ALL": "C"}) == "en"
    # --language first, then the saved choice, then the locale.
    assert i18n.choose("en", "zh_CN", {"LANG": "zh_CN.UTF-8"}) == "en"
    assert i18n.choose(None, "zh_CN", {"LANG": "en_US.UTF-8"}) == "zh_CN"
    assert i18n.choose(None, "klingon", {"LANG": "zh_CN.UTF-8"}) == "zh_CN"
