"""Fixtures for the store's tests: a fake clock, hand-made cases and pulled pages."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from operator_app.domain.model import (
    Actor,
    Case,
    CaseType,
    Channel,
    Note,
    NoteVisibility,
    Role,
    Status,
)
from operator_app.domain.mutations import CitizenInfo, CreateCase
from operator_app.domain.records import record_to_json
from operator_app.store import Store

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Ulaanbaatar

OPERATOR = Actor(
    "op-1", Role.OPERATOR, frozenset({"c1111"}), frozenset({"t-a"}), primary_team="t-a"
)
OTHER_OPERATOR = Actor(
    "op-2", Role.OPERATOR, frozenset({"c1111"}), frozenset({"t-a"}), primary_team="t-a"
)
SUPERVISOR = Actor(
    "sup-1", Role.SUPERVISOR, frozenset({"c1111", "c1800"}), frozenset({"t-a"}), "t-a"
)


@dataclass
class FakeClock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cache.db"


@pytest.fixture
def store(db_path: Path, clock: FakeClock) -> Iterator[Store]:
    """A store whose writer runs inline: every write has finished when submit returns."""
    s = Store.open(db_path, clock=clock, threaded=False)
    yield s
    s.close()


_ids = itertools.count(1)


def new_id() -> str:
    return str(uuid.uuid4())


def make_case(**overrides: Any) -> Case:
    """A server-confirmed case as the central service would send it."""
    n = next(_ids)
    base = Case(
        id=new_id(),
        centre="c1111",
        channel=Channel.PHONE,
        type=CaseType.COMPLAINT,
        category="utilities_and_heating.heating",
        subject="Байрны халаалт муу",
        description="Иргэн утсаар хандаж халаалт муу гэж мэдэгдэв.",
        registered_at=START - timedelta(days=3),
        created_by="op-1",
        status=Status.NEW,
        number=f"2026-{n:06d}",
        citizen_name="Бат-Эрдэнэ Болд",
        phone="+97699112233",
        reg_no="УБ99112233",
        location="112291",
        team="t-a",
        due_date=(START + timedelta(days=27)).date(),
        updated_at=START - timedelta(days=3),
    )
    return replace(base, **overrides)


def put(record_type: str, record: Any, version: int = 1, **extra: Any) -> dict[str, Any]:
    data = record_to_json(record) if not isinstance(record, dict) else record
    record_id = extra.pop("id", None) or data.get("id")
    return {
        "op": "put",
        "type": record_type,
        "id": record_id,
        "version": version,
        "data": {**data, **extra},
    }


def remove(record_type: str, record_id: str) -> dict[str, Any]:
    return {"op": "remove", "type": record_type, "id": record_id, "reason": "scope"}


_cursor = itertools.count(1)


def page(
    ops: list[dict[str, Any]],
    *,
    last_mutation_id: int = 0,
    results: list[dict[str, Any]] | None = None,
    has_more: bool = False,
) -> dict[str, Any]:
    return {
        "cursor": f"c{next(_cursor)}",
        "has_more": has_more,
        "last_mutation_id": last_mutation_id,
        "server_time": START.isoformat(),
        "ops": ops,
        "mutation_results": results or [],
    }


def note_for(case: Case, body: str = "Иргэнтэй дахин холбогдлоо.") -> Note:
    return Note(new_id(), case.id, "op-1", body, NoteVisibility.INTERNAL, START)


def bundle_page(n: int, start: int = 0) -> dict[str, Any]:
    """A page of `n` new cases assigned to OPERATOR, each with a note."""
    ops = []
    for i in range(n):
        case = make_case(assignee=OPERATOR.id, subject=f"Асуудал {start + i}")
        ops += [put("case", case), put("note", note_for(case))]
    return page(ops)


def create_args(**overrides: Any) -> CreateCase:
    base = CreateCase(
        case_id=new_id(),
        centre="c1111",
        channel=Channel.PHONE,
        type=CaseType.COMPLAINT,
        category="health.hospital_services",
        subject="Эмнэлэгт дугаар авч чадахгүй байна",
        description="Өрхийн эмнэлэгт дугаар авах боломжгүй.",
        citizen=CitizenInfo(name="Оюунчимэг Дорж", phone="99001122", reg_no="УБ85010112"),
        location="112291",
    )
    return replace(base, **overrides)
