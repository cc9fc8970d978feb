"""Reference data pulled from the central service, read back as the types the desk needs."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from operator_app.domain.deadlines import HolidayCalendar, rules_from_data
from operator_app.domain.mutators import Rules
from operator_app.reference import default_rules

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RefItem:
    type: str
    id: str
    version: int
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Centre:
    id: str
    name_mn: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    centre: str
    name_mn: str
    name_en: str


@dataclass(frozen=True, slots=True)
class OperatorEntry:
    id: str
    display_name: str
    role: str
    centres: tuple[str, ...]
    teams: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Directory:
    """Who and what the desk can assign to: centres, teams and people."""

    centres: tuple[Centre, ...] = ()
    teams: tuple[Team, ...] = ()
    operators: tuple[OperatorEntry, ...] = ()

    def operator(self, operator_id: str) -> OperatorEntry | None:
        return next((o for o in self.operators if o.id == operator_id), None)


def items(conn: sqlite3.Connection, record_type: str) -> list[RefItem]:
    return [
        RefItem(record_type, item_id, version, json.loads(data))
        for item_id, version, data in conn.execute(
            "SELECT id, version, data FROM ref_item WHERE type = ? ORDER BY id", (record_type,)
        )
    ]


def _text(data: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = data.get(name)
        if isinstance(value, str):
            return value
    return ""


def _codes(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def directory(conn: sqlite3.Connection) -> Directory:
    centres = tuple(
        Centre(i.id, _text(i.data, "name_mn", "name"), _text(i.data, "name_en", "name"))
        for i in items(conn, "centre")
    )
    teams = tuple(
        Team(
            i.id,
            _text(i.data, "centre"),
            _text(i.data, "name_mn", "name"),
            _text(i.data, "name_en", "name"),
        )
        for i in items(conn, "team")
    )
    operators = tuple(
        OperatorEntry(
            i.id,
            _text(i.data, "display_name", "name", "username"),
            _text(i.data, "role"),
            _codes(i.data.get("centres")),
            _codes(i.data.get("teams")),
        )
        for i in items(conn, "operator")
    )
    return Directory(centres, teams, operators)


def rules(conn: sqlite3.Connection) -> Rules:
    """Deadline rules and holidays as pulled, each falling back to the shipped set if absent."""
    shipped = default_rules()
    rule_items = items(conn, "deadline_rule")
    holiday_items = items(conn, "holiday")
    deadlines = shipped.deadlines
    if rule_items:
        version = str(max(i.version for i in rule_items))
        try:
            deadlines = rules_from_data([i.data for i in rule_items], version)
        except (KeyError, TypeError, ValueError):
            log.error("pulled deadline rules are malformed; using the shipped ones")
    calendar = shipped.calendar
    if holiday_items:
        days = []
        for item in holiday_items:
            raw = item.data.get("date", item.id)
            try:
                days.append(date.fromisoformat(str(raw)))
            except ValueError:
                continue  # one malformed holiday must not stop deadlines counting
        calendar = HolidayCalendar.of(days, str(max(i.version for i in holiday_items)))
    return Rules(deadlines, calendar)
