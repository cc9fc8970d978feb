"""Regenerate the translation catalogs from the ui sources.

    python -m i18n.update            refresh the .ts files from ui/**/*.py, then build the .qm files
    python -m i18n.update --check    exit 1 when a .ts is stale against the sources, or a .qm
                                     against its .ts (CI and tests/test_i18n.py run this)

After `update`, translate the new messages (Qt Linguist: `pyside6-linguist i18n/*.ts`, or edit the
XML), mark them finished, and run `update` again to compile them. The files:

- ``operator_desk_mn.ts``: every string of the desk, in Mongolian.
- ``operator_desk_en.ts``: only the plural forms (``-pluralonly``): the source strings are English,
  so only "%n case(s)" needs an English translation ("%n case" / "%n cases").
- ``qtbase_mn.ts``: Mongolian for Qt's own standard buttons, context menus and dialogs. Written by
  hand (Qt ships no Mongolian catalog); this command compiles it but never rewrites it.

Source locations are left out of the .ts files (``-locations none``) so that editing code does not
churn the catalogs; vanished messages are dropped (``-no-obsolete``): git keeps their history.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from i18n.catalog import read_ts
from i18n.languages import APP_DOMAIN, CATALOG_DIR, QT_DOMAIN, catalog_path

ROOT = CATALOG_DIR.parent
UI_DIR = ROOT / "ui"


@dataclass(frozen=True, slots=True)
class AppCatalog:
    """A .ts file that lupdate keeps in step with the ui sources."""

    ts: Path
    plural_only: bool


APP_CATALOGS = (
    AppCatalog(catalog_path(APP_DOMAIN, "mn", ".ts"), plural_only=False),
    AppCatalog(catalog_path(APP_DOMAIN, "en", ".ts"), plural_only=True),
)
HAND_WRITTEN_CATALOGS = (catalog_path(QT_DOMAIN, "mn", ".ts"),)


def all_ts_files() -> tuple[Path, ...]:
    return tuple(c.ts for c in APP_CATALOGS) + HAND_WRITTEN_CATALOGS


def ui_sources() -> list[Path]:
    """The Python files lupdate scans, relative to the repository root."""
    return sorted(p.relative_to(ROOT) for p in UI_DIR.rglob("*.py"))


def tool(name: str) -> str:
    """A PySide6 command-line tool of this interpreter's environment (the venv's, not PATH's)."""
    suffix = ".exe" if os.name == "nt" else ""
    candidate = Path(sysconfig.get_path("scripts")) / f"{name}{suffix}"
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install PySide6 into this environment")
    return found


def lupdate(catalog: AppCatalog, ts: Path) -> None:
    """Merge the messages of the ui sources into `ts` (which may be a scratch copy)."""
    args = [tool("pyside6-lupdate"), "-silent", "-locations", "none", "-no-obsolete"]
    if catalog.plural_only:
        args.append("-pluralonly")
    args += [str(p) for p in ui_sources()]
    args += ["-ts", str(ts)]
    subprocess.run(args, cwd=ROOT, check=True)


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def update() -> None:
    """Refresh the lupdate-managed .ts files, then compile every .ts into its .qm."""
    for catalog in APP_CATALOGS:
        lupdate(catalog, catalog.ts)
    for ts in all_ts_files():
        lrelease(ts, ts.with_suffix(".qm"))
        left = read_ts(ts).unfinished()
        status = f"{len(left)} untranslated" if left else "complete"
        print(f"{ts.relative_to(ROOT)}: {status}")
        for message in left:
            print(f"    {message.describe()}")


def check() -> list[str]:
    """What is stale; empty when the committed catalogs match the sources and each other."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="i18n-check-") as scratch:
        for catalog in APP_CATALOGS:
            if not catalog.ts.exists():
                problems.append(f"{catalog.ts.name} is missing")
                continue
            fresh = Path(scratch) / catalog.ts.name
            shutil.copyfile(catalog.ts, fresh)
            lupdate(catalog, fresh)
            # Compare what the files say, not their bytes, so that a newer lupdate's layout
            # alone does not count as stale.
            if read_ts(fresh).messages != read_ts(catalog.ts).messages:
                problems.append(f"{catalog.ts.name} is stale against the ui sources")
        for ts in all_ts_files():
            if not ts.exists():
                continue
            qm = ts.with_suffix(".qm")
            fresh_qm = Path(scratch) / qm.name
            lrelease(ts, fresh_qm)
            if not qm.exists():
                problems.append(f"{qm.name} is missing")
            elif qm.read_bytes() != fresh_qm.read_bytes():
                problems.append(f"{qm.name} is stale against {ts.name}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m i18n.update", description="Regenerate the translation catalogs."
    )
    parser.add_argument(
        "--check", action="store_true", help="only report stale catalogs (exit status 1)"
    )
    args = parser.parse_args(argv)
    if not args.check:
        update()
        return 0
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("run: python -m i18n.update", file=sys.stderr)
        return 1
    print("translation catalogs are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
