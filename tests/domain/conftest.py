"""Shared builders for the domain tests: actors, wire arguments, cases and a mutation runner.

Everything here is stateless, so the fixtures are session-scoped and safe to use inside
hypothesis tests (function-scoped fixtures are not reset between generated examples).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from operator_app.domain.deadlines import deadline_for
from operator_app.domain.errors import FieldError
from operator_app.domain.model import Actor, Call, Case, FieldConflict, Note, Role
from operator_app.domain.mutations import parse_mutation
from operator_app.domain.mutators import Applied, CaseState, Outcome, Rules, apply_mutation
from operator_app.reference import default_rules

CENTRE = "c1111"
OTHER_CENTRE = "c1800"
TEAM = "t1111-a"
OTHER_TEAM = "t1111-b"
# Monday 2 March 2026, 11:00 in Ulaanbaatar: no holiday nearby.
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
CASE_ID = "2f1c6a52-3f0e-4f55-9d1c-1f1b8f1c0a01"
OTHER_CASE_ID = "8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d"
PHONE = "+97699112233"
REG_NO = "УБ99112233"


def operator(
    id: str = "op-1", teams: tuple[str, ...] = (TEAM,), centres: tuple[str, ...] = (CENTRE,)
) -> Actor:
    return Actor(
        id, Role.OPERATOR, frozenset(centres), frozenset(teams), teams[0] if teams else None
    )


def supervisor(id: str = "sup-1", centres: tuple[str, ...] = (CENTRE,)) -> Actor:
    """A supervisor of `centres`; one of the 11-11 centre also belongs to its team A."""
    teams = (TEAM,) if CENTRE in centres else ()
    return Actor(
        id, Role.SUPERVISOR, frozenset(centres), frozenset(teams), teams[0] if teams else None
    )


ADMIN = Actor("admin-1", Role.ADMIN, frozenset({CENTRE}))
AUDITOR = Actor("aud-1", Role.AUDITOR, frozenset({CENTRE, OTHER_CENTRE}))


def wire_create(**overrides: Any) -> dict[str, Any]:
    """The wire arguments of a typical create_case (a complaint logged by phone)."""
    args: dict[str, Any] = {
        "case_id": CASE_ID,
        "centre": CENTRE,
        "channel": "phone",
        "type": "complaint",
        "category": "utilities_and_heating",
        "subject": "Байрны халаалт муу",
        "description": "Иргэн утсаар хандав.",
        "citizen": {"name": "Болд Бат-Эрдэнэ", "reg_no": REG_NO, "phone": PHONE, "address": ""},
        "location": "1101",
        "priority": "normal",
        "provisional_ref": "P-AB2C-17",
        "team": TEAM,
    }
    args.update(overrides)
    return args


def parse(name: str, args: dict[str, Any]) -> Any:
    """Parsed mutation arguments; fails the test if the wire dict is refused."""
    parsed = parse_mutation(name, args)
    assert not isinstance(parsed, FieldError), f"{name} refused: {parsed}"
    return parsed


def run(
    name: str,
    args: dict[str, Any],
    case: Case | None,
    actor: Actor,
    now: datetime = NOW,
    *,
    note: Note | None = None,
    call: Call | None = None,
    conflict: FieldConflict | None = None,
    rules: Rules | None = None,
) -> Outcome:
    """Parse wire arguments and run the mutation on `case`, as the server does."""
    return apply_mutation(
        parse(name, args),
        CaseState(case, note=note, call=call, conflict=conflict),
        actor,
        now,
        rules or default_rules(),
    )


def applied(outcome: Outcome) -> Applied:
    assert isinstance(outcome, Applied), f"expected applied, got {outcome}"
    return outcome


def make_case(*, now: datetime = NOW, actor: Actor | None = None, **changes: Any) -> Case:
    """A case created through create_case by a supervisor, then with `changes` applied
    directly (status, assignee...). The due date is recomputed, so it stays consistent."""
    case = applied(run("create_case", wire_create(), None, actor or supervisor(), now)).case
    case = replace(case, **changes)
    return replace(
        case, due_date=deadline_for(case, default_rules().deadlines, default_rules().calendar)
    )


def later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


# pytest imports every conftest.py as the module `conftest`, so test modules cannot import
# from this file reliably: they get the builders through the session-scoped `d` fixture.
KIT = SimpleNamespace(
    CENTRE=CENTRE,
    OTHER_CENTRE=OTHER_CENTRE,
    TEAM=TEAM,
    OTHER_TEAM=OTHER_TEAM,
    NOW=NOW,
    CASE_ID=CASE_ID,
    OTHER_CASE_ID=OTHER_CASE_ID,
    PHONE=PHONE,
    REG_NO=REG_NO,
    ADMIN=ADMIN,
    AUDITOR=AUDITOR,
    operator=operator,
    supervisor=supervisor,
    wire_create=wire_create,
    parse=parse,
    run=run,
    applied=applied,
    make_case=make_case,
    later=later,
)


@pytest.fixture(scope="session")
def rules() -> Rules:
    """The shipped deadline rules and holiday calendar."""
    return default_rules()


@pytest.fixture(scope="session")
def d() -> SimpleNamespace:
    """The domain test kit: `d.make_case(status=...)`, `d.run("add_note", {...}, case, actor)`."""
    return KIT
