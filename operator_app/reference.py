"""The reference data shipped with the desk, loaded once: administrative units, categories,
agencies, deadline rules and holidays. Qt-free; the central service serves the same files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from operator_app.domain.deadlines import DeadlineRules, HolidayCalendar, rules_from_data
from operator_app.domain.mutators import Rules

_PACKAGE = "resources.data"


@dataclass(frozen=True, slots=True)
class AdminUnit:
    code: str
    name: str
    level: int  # 1 aimag or the capital, 2 soum or district, 3 bag or khoroo
    parent: str | None


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name_mn: str
    name_en: str
    parent: str | None
    confidential: bool


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    name_mn: str
    name_en: str
    kind: str


@dataclass(frozen=True, slots=True)
class Holiday:
    day: date
    name_mn: str
    name_en: str


def load_json(name: str) -> dict[str, Any]:
    """One shipped reference file, parsed."""
    with resources.files(_PACKAGE).joinpath(name).open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def admin_units() -> tuple[AdminUnit, ...]:
    data = load_json("admin_units.json")
    return tuple(
        AdminUnit(str(u["code"]), u["name"], int(u["level"]), u["parent"]) for u in data["units"]
    )


@cache
def admin_unit_index() -> dict[str, AdminUnit]:
    return {unit.code: unit for unit in admin_units()}


def admin_unit_path(code: str | None) -> tuple[AdminUnit, ...]:
    """The unit and its parents, top level first; empty for an unknown code."""
    index = admin_unit_index()
    path: list[AdminUnit] = []
    while code and code in index:
        unit = index[code]
        path.append(unit)
        code = unit.parent
    return tuple(reversed(path))


@cache
def categories() -> tuple[Category, ...]:
    data = load_json("categories.json")
    return tuple(
        Category(c["code"], c["name_mn"], c["name_en"], c.get("parent"), bool(c["confidential"]))
        for c in data["categories"]
    )


@cache
def agencies() -> tuple[Agency, ...]:
    data = load_json("agencies.json")
    return tuple(Agency(a["code"], a["name_mn"], a["name_en"], a["kind"]) for a in data["agencies"])


@cache
def holidays() -> tuple[Holiday, ...]:
    data = load_json("holidays.json")
    return tuple(
        Holiday(date.fromisoformat(h["date"]), h["name_mn"], h["name_en"])
        for year in data["years"].values()
        for h in year
    )


@cache
def holiday_calendar() -> HolidayCalendar:
    data = load_json("holidays.json")
    return HolidayCalendar.of((h.day for h in holidays()), str(data["version"]))


@cache
def deadline_rules() -> DeadlineRules:
    data = load_json("deadline_rules.json")
    return rules_from_data(data["rules"], str(data["version"]))


@cache
def default_rules() -> Rules:
    """The shipped deadline rules and holiday calendar, as the mutators take them."""
    return Rules(deadline_rules(), holiday_calendar())
