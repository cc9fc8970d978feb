"""Read Qt Linguist .ts files (used by the catalog check and the tests)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class TsMessage:
    """One message of a .ts file, with its translation(s)."""

    context: str
    source: str
    comment: str  # the disambiguation passed to tr(); "" when none
    numerus: bool
    state: str  # the translation's type attribute: "" when finished, else "unfinished", ...
    translations: tuple[str, ...]  # one text, or one per plural form

    @property
    def is_finished(self) -> bool:
        """Translated, marked finished, and no plural form left empty."""
        return self.state == "" and bool(self.translations) and all(self.translations)

    def describe(self) -> str:
        comment = f" [{self.comment}]" if self.comment else ""
        return f"{self.context}: {self.source!r}{comment}"


@dataclass(frozen=True, slots=True)
class TsFile:
    language: str
    messages: tuple[TsMessage, ...]

    def unfinished(self) -> list[TsMessage]:
        return [m for m in self.messages if not m.is_finished]


def read_ts(path: Path) -> TsFile:
    """Parse a .ts file (our own files only: ElementTree is not hardened for hostile XML)."""
    root = ET.parse(path).getroot()
    messages = []
    for context in root.iter("context"):
        name = context.findtext("name", default="")
        for message in context.iter("message"):
            translation = message.find("translation")
            numerus = message.get("numerus") == "yes"
            if translation is None:
                texts: tuple[str, ...] = ()
                state = "unfinished"
            else:
                state = translation.get("type", "")
                if numerus:
                    texts = tuple(f.text or "" for f in translation.iter("numerusform"))
                else:
                    texts = (translation.text or "",)
            messages.append(
                TsMessage(
                    context=name,
                    source=message.findtext("source", default=""),
                    comment=message.findtext("comment", default=""),
                    numerus=numerus,
                    state=state,
                    translations=texts,
                )
            )
    return TsFile(language=root.get("language", ""), messages=tuple(messages))
