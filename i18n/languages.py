"""The languages the desk speaks, and where their catalogs live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent
APP_DOMAIN = "operator_desk"  # our own strings, extracted from ui/ by lupdate
QT_DOMAIN = "qtbase"  # Qt's standard buttons and menus; Qt ships no Mongolian catalog


@dataclass(frozen=True, slots=True)
class Language:
    """A user-interface language."""

    code: str  # ISO 639-1: the catalog suffix, the Babel locale and the QLocale name
    endonym: str  # the language's name in itself, shown untranslated in the language menu


MONGOLIAN = Language("mn", "Монгол")
ENGLISH = Language("en", "English")
LANGUAGES: tuple[Language, ...] = (MONGOLIAN, ENGLISH)
DEFAULT_LANGUAGE = MONGOLIAN


def language(code: str) -> Language:
    """The supported language with this code; ValueError for any other."""
    for lang in LANGUAGES:
        if lang.code == code:
            return lang
    raise ValueError(f"unsupported language {code!r}; expected one of {language_codes()}")


def language_codes() -> tuple[str, ...]:
    return tuple(lang.code for lang in LANGUAGES)


def catalog_path(domain: str, code: str, suffix: str = ".qm") -> Path:
    """Where the catalog of one domain and language lives, e.g. ``operator_desk_mn.qm``."""
    return CATALOG_DIR / f"{domain}_{code}{suffix}"
