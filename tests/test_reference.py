"""The reference data the desk ships (resources/data) and its Qt-free loader."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from operator_app import reference
from operator_app.domain.deadlines import CalendarKind
from operator_app.domain.model import CaseType
from operator_app.domain.mutators import Rules
from operator_app.reference import (
    admin_unit_index,
    admin_unit_path,
    admin_units,
    agencies,
    categories,
    deadline_rules,
    default_rules,
    holiday_calendar,
    holidays,
    load_json,
)

TOP_CATEGORIES = [
    "land_and_property",
    "health",
    "education",
    "social_welfare",
    "labour",
    "transport_and_roads",
    "utilities_and_heating",
    "environment_and_air_quality",
    "police_and_public_order",
    "corruption_and_misconduct",
    "civil_registration_and_documents",
    "taxes_and_fees",
    "other",
]


# ---------------------------------------------------------------------------------------------
# Administrative units
# ---------------------------------------------------------------------------------------------


def test_admin_unit_counts() -> None:
    levels = Counter(unit.level for unit in admin_units())
    assert levels == {1: 22, 2: 339, 3: 1809}


def test_admin_unit_codes_are_unique_and_indexed() -> None:
    codes = [unit.code for unit in admin_units()]
    assert len(codes) == len(set(codes)) == len(admin_unit_index())
    assert all(admin_unit_index()[unit.code] is unit for unit in admin_units())


def test_every_parent_exists_one_level_up() -> None:
    index = admin_unit_index()
    for unit in admin_units():
        assert unit.name.strip(), unit
        if unit.level == 1:
            assert unit.parent is None, unit
            continue
        assert unit.parent in index, unit
        parent = index[unit.parent]
        assert parent.level == unit.level - 1, unit
        # NSO codes nest: a soum's code starts with its aimag's (the demo data relies on it).
        assert unit.code.startswith(parent.code), unit


def test_every_soum_has_bags_and_every_aimag_soums() -> None:
    parents = {unit.parent for unit in admin_units()}
    assert all(unit.code in parents for unit in admin_units() if unit.level < 3)


def test_ulaanbaatar_and_its_nine_districts() -> None:
    capital = admin_unit_index()["11"]
    assert (capital.name, capital.level) == ("Улаанбаатар", 1)
    districts = [unit.name for unit in admin_units() if unit.parent == "11"]
    assert len(districts) == 9
    assert {"Баянгол", "Баянзүрх", "Сүхбаатар", "Хан-Уул", "Чингэлтэй"} <= set(districts)


def test_admin_unit_path() -> None:
    bag = next(unit for unit in admin_units() if unit.level == 3)
    path = admin_unit_path(bag.code)
    assert [unit.level for unit in path] == [1, 2, 3]
    assert path[-1] is bag
    assert path[1].code == bag.parent and path[0].code == path[1].parent
    assert admin_unit_path("11") == (admin_unit_index()["11"],)
    assert admin_unit_path("99999999") == ()
    assert admin_unit_path(None) == ()
    assert admin_unit_path("") == ()


# ---------------------------------------------------------------------------------------------
# Categories and agencies
# ---------------------------------------------------------------------------------------------


def test_category_tree() -> None:
    cats = categories()
    by_code = {c.code: c for c in cats}
    assert len(by_code) == len(cats)
    assert [c.code for c in cats if c.parent is None] == TOP_CATEGORIES
    for cat in cats:
        assert cat.name_mn.strip() and cat.name_en.strip(), cat
        if cat.parent is not None:
            parent = by_code[cat.parent]
            assert parent.parent is None, cat  # two levels
            assert cat.code.startswith(parent.code + "."), cat
            assert cat.confidential or not parent.confidential, cat
    assert all(any(c.parent == top for c in cats) for top in TOP_CATEGORIES if top != "other")


def test_corruption_and_misconduct_is_confidential_and_nothing_else() -> None:
    confidential = {c.code.split(".")[0] for c in categories() if c.confidential}
    assert confidential == {"corruption_and_misconduct"}
    assert all(c.confidential for c in categories() if c.code.startswith("corruption_"))


def test_agencies() -> None:
    items = agencies()
    codes = [a.code for a in items]
    assert len(codes) == len(set(codes))
    assert "capital_city_governor" in codes
    kinds = Counter(a.kind for a in items)
    assert kinds["governor"] == 22  # the capital and the 21 aimags
    assert kinds["ministry"] >= 10
    assert all(a.name_mn.strip() and a.name_en.strip() for a in items)


# ---------------------------------------------------------------------------------------------
# Deadline rules and holidays
# ---------------------------------------------------------------------------------------------


def test_a_rule_for_every_case_type() -> None:
    rules = deadline_rules()
    assert rules.version == load_json("deadline_rules.json")["version"]
    shipped = {rule.case_type for rule in rules.rules if rule.priority is None}
    assert shipped == set(CaseType)
    for case_type in CaseType:
        rule = rules.rule_for(case_type)
        assert rule.calendar is CalendarKind.CALENDAR
        if case_type in (CaseType.THANKS, CaseType.INFORMATION):
            assert (rule.days, rule.extension_limit_days) == (None, 0)
        else:
            assert rule.days == (60 if case_type is CaseType.SUGGESTION else 30)
            assert rule.extension_limit_days == 30


@pytest.mark.parametrize("year", [2026, 2027])
def test_holidays_of_the_current_and_next_year(year: int) -> None:
    days = {h.day for h in holidays() if h.day.year == year}
    fixed = {
        date(year, 1, 1),
        date(year, 3, 8),
        date(year, 6, 1),
        date(year, 11, 26),
        date(year, 12, 29),
    }
    naadam = {date(year, 7, day) for day in range(11, 16)}
    assert fixed | naadam <= days
    tsagaan_sar = sorted(h.day for h in holidays() if h.day.year == year and "Tsagaan" in h.name_en)
    assert len(tsagaan_sar) == 3
    assert tsagaan_sar[2] - tsagaan_sar[0] == timedelta(days=2)
    assert any("Chinggis" in h.name_en for h in holidays() if h.day.year == year)
    for day in naadam:
        assert not holiday_calendar().is_working_day(day)


def test_holiday_file_is_consistent() -> None:
    data = load_json("holidays.json")
    assert {"2026", "2027"} <= set(data["years"])
    for year, items in data["years"].items():
        assert all(item["date"].startswith(year + "-") for item in items)
    listed = [h.day for h in holidays()]
    assert len(listed) == len(set(listed))
    assert holiday_calendar().holidays == frozenset(listed)
    assert holiday_calendar().version == str(data["version"])
    assert all(h.name_mn.strip() and h.name_en.strip() for h in holidays())


def test_default_rules() -> None:
    rules = default_rules()
    assert isinstance(rules, Rules)
    assert rules.deadlines is deadline_rules()
    assert rules.calendar is holiday_calendar()
    assert default_rules() is rules  # loaded once


def test_load_json_reads_the_packaged_files() -> None:
    assert reference._PACKAGE == "resources.data"
    for name in (
        "admin_units.json",
        "categories.json",
        "agencies.json",
        "deadline_rules.json",
        "holidays.json",
    ):
        assert str(load_json(name)["version"]).strip(), name
    with pytest.raises(FileNotFoundError):
        load_json("missing.json")
