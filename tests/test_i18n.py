"""Translations: complete Mongolian catalogs, current catalogs, literal tr() texts, formatting."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from i18n import formatting
from i18n.catalog import read_ts
from i18n.languages import APP_DOMAIN, QT_DOMAIN, catalog_path, language

ROOT = Path(__file__).resolve().parents[1]
MONGOLIAN_CATALOGS = [catalog_path(APP_DOMAIN, "mn", ".ts"), catalog_path(QT_DOMAIN, "mn", ".ts")]
UB = timezone(timedelta(hours=8))


# --- the catalogs ---------------------------------------------------------------------------


@pytest.mark.parametrize("ts", MONGOLIAN_CATALOGS, ids=lambda p: p.name)
def test_every_mongolian_translation_is_finished(ts: Path) -> None:
    catalog = read_ts(ts)
    assert catalog.language.startswith("mn")
    assert catalog.messages, f"{ts.name} has no messages"
    missing = [m.describe() for m in catalog.unfinished()]
    assert not missing, f"untranslated in {ts.name}:\n" + "\n".join(missing)


def test_english_catalog_gives_every_plural_its_forms() -> None:
    catalog = read_ts(catalog_path(APP_DOMAIN, "en", ".ts"))
    assert catalog.messages and all(m.numerus for m in catalog.messages)
    assert not catalog.unfinished()


def test_the_reader_flags_unfinished_empty_and_half_plural_messages(tmp_path: Path) -> None:
    ts = tmp_path / "x_mn.ts"
    ts.write_text(
        """<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="mn_MN">
        <context><name>W</name>
          <message><source>Done</source><translation>Болсон</translation></message>
          <message><source>Draft</source>
            <translation type="unfinished">Ноорог</translation></message>
          <message><source>Empty</source><translation></translation></message>
          <message numerus="yes"><source>%n case(s)</source><translation>
            <numerusform>%n хэрэг</numerusform><numerusform></numerusform></translation></message>
        </context></TS>""",
        encoding="utf-8",
    )
    unfinished = {m.source for m in read_ts(ts).unfinished()}
    assert unfinished == {"Draft", "Empty", "%n case(s)"}


QT_STRINGS_WE_TRANSLATE = {
    ("QPlatformTheme", s)
    for s in (
        "OK", "Save", "Save All", "Open", "&Yes", "Yes to &All", "&No", "N&o to All", "Abort",
        "Retry", "Ignore", "Close", "Cancel", "Discard", "Help", "Apply", "Reset",
        "Restore Defaults",
    )
} | {("QGnomeTheme", s) for s in ("&OK", "&Save", "&Cancel", "&Close", "Close without Saving")} | {
    (context, s)
    for context in ("QLineEdit", "QWidgetTextControl")
    for s in ("&Undo", "&Redo", "Cu&t", "&Copy", "&Paste", "Delete", "Select All")
} | {("QMessageBox", "Show Details..."), ("QMessageBox", "Hide Details...")} | {
    ("QCocoaTheme", "Don't Save"), ("QFileDialog", "File &name:"), ("QFileDialog", "&Open"),
}  # fmt: skip


def test_qt_catalog_covers_the_standard_buttons_and_menus() -> None:
    catalog = read_ts(catalog_path(QT_DOMAIN, "mn", ".ts"))
    missing = QT_STRINGS_WE_TRANSLATE - {(m.context, m.source) for m in catalog.messages}
    assert not missing, sorted(missing)


def _run_check(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, "-m", "i18n.update", "--check"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_committed_catalogs_are_current() -> None:
    result = _run_check(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_check_notices_new_strings_and_uncompiled_translations(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "ui", tmp_path / "ui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "i18n", tmp_path / "i18n", ignore=shutil.ignore_patterns("__pycache__"))
    assert _run_check(tmp_path).returncode == 0  # the copy starts out current

    with (tmp_path / "ui" / "retranslate.py").open("a", encoding="utf-8") as source:
        source.write('\n\nclass Fresh:\n    def t(self) -> str:\n        return self.tr("New")\n')
    result = _run_check(tmp_path)
    assert result.returncode == 1
    assert "operator_desk_mn.ts is stale" in result.stderr

    qt_ts = tmp_path / "i18n" / "qtbase_mn.ts"
    qt_ts.write_text(qt_ts.read_text(encoding="utf-8").replace(">Болих<", ">Цуцлах<"), "utf-8")
    assert "qtbase_mn.qm is stale" in _run_check(tmp_path).stderr


# --- translatable strings are literals ----------------------------------------------------

_APPLICATIONS = {"QCoreApplication", "QGuiApplication", "QApplication"}
_POSITIONAL_FIELD = re.compile(r"\{\d*\}")


def _translation_call(node: ast.AST) -> tuple[list[ast.expr], int] | None:
    """The text arguments of a tr()/translate() call, and how many args precede the count."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name in ("tr", "QT_TR_NOOP"):
        return node.args[:1], 2
    is_app_translate = (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in _APPLICATIONS
    )
    if (name == "translate" and (is_app_translate or isinstance(func, ast.Name))) or (
        name == "QT_TRANSLATE_NOOP"
    ):
        return node.args[:2], 3
    return None


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def tr_problems(source: str, filename: str = "<string>") -> list[str]:
    """Every tr()/translate() misuse in `source` (Electrum's rules for translatable strings)."""
    problems = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', 0)}"
        found = _translation_call(node)
        if found is not None:
            assert isinstance(node, ast.Call)
            texts, count_at = found
            if not texts or not all(_is_text(t) for t in texts):
                problems.append(f"{where}: translatable text must be a plain string literal")
                continue
            comment = node.args[count_at - 1 : count_at]
            if comment and not (_is_text(comment[0]) or _is_none(comment[0])):
                problems.append(f"{where}: the disambiguation must be a literal")
            text = texts[-1].value  # type: ignore[attr-defined]
            if _POSITIONAL_FIELD.search(text):
                problems.append(f"{where}: use named fields ({{name}}), not {{}} or {{0}}")
            if len(node.args) > count_at and "%n" not in text:
                problems.append(f"{where}: a text with a count needs %n")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            if _translation_call(node.left) is not None:
                problems.append(f"{where}: no % formatting of translated text; use .format()")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and _translation_call(node.func.value) is not None
            and node.args
        ):
            problems.append(f"{where}: format translated text with named arguments only")
    return problems


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def test_ui_sources_translate_only_plain_literals() -> None:
    sources = sorted((ROOT / "ui").rglob("*.py"))
    assert sources
    problems = []
    for path in sources:
        problems += tr_problems(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "bad",
    [
        'self.tr(f"Hello {name}")',
        'self.tr("Hello %s" % name)',
        'self.tr("Hello " + name)',
        "self.tr(message)",
        'QCoreApplication.translate("Ctx", f"{n} cases")',
        'QCoreApplication.translate(context, "Cases")',
        'self.tr("Hello %s") % name',
        'self.tr("Hello {}").format(name)',
        'self.tr("Hello {name}").format(name)',
        'self.tr("Open", kind)',
        'self.tr("cases", "", n)',
    ],
)
def test_the_literal_check_catches(bad: str) -> None:
    assert tr_problems(bad)


@pytest.mark.parametrize(
    "good",
    [
        'self.tr("Hello {name}").format(name=name)',
        'self.tr("Open", "verb: open a case")',
        'self.tr("%n case(s)", "", count)',
        'QCoreApplication.translate("MainWindow", "Ready")',
        "text.translate(table)",
    ],
)
def test_the_literal_check_accepts(good: str) -> None:
    assert tr_problems(good) == []


def test_i18n_package_imports_no_qt() -> None:
    # Only ui may import Qt; lint-imports has no contract for i18n, so guard it here.
    for path in (ROOT / "i18n").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] in ("PySide6", "shiboken6") for n in names), path


# --- formatting -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _mongolian_formatting() -> None:
    formatting.set_locale("mn")


def test_dates_and_times_follow_the_language() -> None:
    instant = datetime(2025, 3, 5, 14, 7, tzinfo=UTC)
    # CLDR puts narrow no-break spaces where a line must not break.
    assert formatting.format_date(date(2025, 3, 5)) == "2025\u202fоны 3-р сарын 5"
    assert formatting.format_date(date(2025, 3, 5), locale="en") == "Mar 5, 2025"
    assert formatting.format_datetime(instant, tz=UB) == "2025.03.05 22:07"
    assert formatting.format_datetime(instant, tz=UB, locale="en") == "3/5/25, 10:07\u202fPM"


def test_naive_datetimes_are_utc() -> None:
    naive = datetime(2025, 3, 5, 14, 7)
    assert formatting.format_datetime(naive, tz=UB) == "2025.03.05 22:07"


def test_numbers_group_digits() -> None:
    assert formatting.format_number(1234567.5) == "1,234,567.5"
    assert formatting.format_number(12, locale="en") == "12"


@pytest.mark.parametrize(
    ("seconds", "mn", "en"),
    [
        (0, "0 сек", "0 sec"),
        (205, "3 мин 25 сек", "3 min, 25 sec"),
        (3600, "1 цаг", "1 hr"),
        (3605, "1 цаг", "1 hr"),
        (3905, "1 цаг 5 мин", "1 hr, 5 min"),
    ],
)
def test_durations_use_two_units_at_most(seconds: int, mn: str, en: str) -> None:
    assert formatting.format_duration(timedelta(seconds=seconds)) == mn
    assert formatting.format_duration(seconds, locale="en") == en


def test_a_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError):
        formatting.format_duration(-1)


@pytest.mark.parametrize(
    ("days", "mn", "en"),
    [
        (10, "10 өдрийн дараа", "in 10 days"),
        (1, "1 өдрийн дараа", "in 1 day"),
        (0, "өнөөдөр дуусна", "due today"),
        (-1, "1 хоног хэтэрсэн", "1 day overdue"),
        (-2, "2 хоног хэтэрсэн", "2 days overdue"),
    ],
)
def test_days_left_on_a_deadline(days: int, mn: str, en: str) -> None:
    assert formatting.format_days_left(days) == mn
    assert formatting.format_days_left(days, locale="en") == en


def test_relative_times() -> None:
    now = datetime(2025, 3, 5, 14, 7, tzinfo=UTC)
    assert formatting.format_relative(now - timedelta(minutes=5), now) == "5 минутын өмнө"
    assert formatting.format_relative(now + timedelta(days=3), now, locale="en") == "in 3 days"


def test_the_default_locale_follows_set_locale() -> None:
    formatting.set_locale("en")
    assert formatting.current_locale() == "en"
    assert formatting.format_days_left(0) == "due today"
    with pytest.raises(ValueError):
        formatting.set_locale("fr")
    assert formatting.current_locale() == "en"


def test_every_language_has_the_phrases_cldr_lacks() -> None:
    for code in ("mn", "en"):
        assert language(code).code == code
        assert formatting.format_days_left(0, locale=code)
        assert "3" in formatting.format_days_left(-3, locale=code)
