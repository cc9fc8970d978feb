"""Fill Mongolian translations into operator_desk_mn.ts from tab-separated files.

    python -m i18n.fill i18n/pending/*.tsv

Each line of a .tsv file is ``context<TAB>source<TAB>translation`` (an optional fourth column is
the disambiguation comment). For a plural message the translation is used for every plural form
(Mongolian nouns do not inflect for number after a numeral). Lines starting with ``#`` and blank
lines are skipped. Backslash escapes ``\\t`` and ``\\n`` stand for a tab and a newline.

The .tsv files are a hand-over, not a second source: once filled, the .ts file holds the
translations and the .tsv files can go (several people translating at once each keep their own
file and fill them all under one lock, so nobody overwrites another's catalog edit).

Messages the .tsv names but the catalog lacks are reported (run ``python -m i18n.update`` first so
lupdate has added them); the matching messages get the translation and are marked finished. Run
``python -m i18n.update`` afterwards to normalise the file and compile the .qm.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from i18n.languages import APP_DOMAIN, catalog_path


def _unescape(text: str) -> str:
    return text.replace("\\t", "\t").replace("\\n", "\n")


def read_pending(paths: Sequence[Path]) -> dict[tuple[str, str, str], str]:
    """(context, source, comment) → translation, from every given file; later files win."""
    wanted: dict[tuple[str, str, str], str] = {}
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) not in (3, 4):
                raise SystemExit(f"{path}:{number}: expected 3 or 4 tab-separated fields")
            context, source, translation = (_unescape(f) for f in fields[:3])
            comment = _unescape(fields[3]) if len(fields) == 4 else ""
            wanted[(context, source, comment)] = translation
    return wanted


def fill(ts_path: Path, wanted: dict[tuple[str, str, str], str]) -> tuple[int, list[str]]:
    """Write the translations into ``ts_path``; return (how many set, keys not found)."""
    tree = ET.parse(ts_path)
    root = tree.getroot()
    found: set[tuple[str, str, str]] = set()
    count = 0
    for context in root.iter("context"):
        name = context.findtext("name", default="")
        for message in context.iter("message"):
            key = (
                name,
                message.findtext("source", default=""),
                message.findtext("comment", default=""),
            )
            if key not in wanted:
                continue
            found.add(key)
            translation = message.find("translation")
            if translation is None:
                translation = ET.SubElement(message, "translation")
            translation.attrib.pop("type", None)
            if message.get("numerus") == "yes":
                forms = list(translation.iter("numerusform")) or [
                    ET.SubElement(translation, "numerusform") for _ in range(2)
                ]
                for form in forms:
                    form.text = wanted[key]
                translation.text = None
            else:
                translation.text = wanted[key]
            count += 1
    tree.write(ts_path, encoding="utf-8", xml_declaration=True)
    missing = ["\t".join(k) for k in wanted if k not in found]
    return count, missing


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m i18n.fill", description=__doc__.splitlines()[0]
    )
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    count, missing = fill(catalog_path(APP_DOMAIN, "mn", ".ts"), read_pending(args.files))
    print(f"{count} message(s) translated")
    for key in missing:
        print(f"not in the catalog (run python -m i18n.update first): {key}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
