"""Review fixes in the shared domain: the team a case created without one gets, and the
lengths of identifiers (the desk and the central service run the same rules)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from operator_app.domain.errors import FieldError, Reason
from operator_app.domain.model import Actor, Role
from operator_app.domain.mutations import MAX_ID, CreateCase, parse_mutation

# The central service's columns: ids String(100), provisional_ref String(40).
PROVISIONAL_REF_COLUMN = 40

# ---------------------------------------------------------------------------------------------
# create_case without a team: the actor's primary team only when it surely is the centre's
# ---------------------------------------------------------------------------------------------


def _supervisor_of_three(d: SimpleNamespace) -> Actor:
    """The demo supervisor: three centres, primary team t1111-a (of the 11-11 centre)."""
    return Actor(
        "sup-demo",
        Role.SUPERVISOR,
        frozenset({d.CENTRE, d.OTHER_CENTRE, "c1900"}),
        frozenset({d.TEAM, d.OTHER_TEAM}),
        d.TEAM,
    )


def test_a_case_created_in_another_centre_does_not_take_the_primary_team(
    d: SimpleNamespace,
) -> None:
    # Regression: the case went to team t1111-a while in centre c1800, so the 11-11 centre's
    # operators received it and nobody of the 1800 centre could claim it.
    args = d.wire_create(centre=d.OTHER_CENTRE)
    del args["team"]
    case = d.applied(d.run("create_case", args, None, _supervisor_of_three(d))).case
    assert (case.centre, case.team, case.assignee) == (d.OTHER_CENTRE, None, None)


def test_a_multi_centre_actor_s_primary_team_is_not_guessed(d: SimpleNamespace) -> None:
    # The domain does not know which centre a team is in: unsure, it leaves the team empty.
    args = d.wire_create()
    del args["team"]
    case = d.applied(d.run("create_case", args, None, _supervisor_of_three(d))).case
    assert (case.centre, case.team) == (d.CENTRE, None)


def test_an_actor_of_one_centre_gets_the_primary_team(d: SimpleNamespace) -> None:
    args = d.wire_create()
    del args["team"]
    case = d.applied(d.run("create_case", args, None, d.supervisor())).case
    assert case.team == d.TEAM
    named = d.applied(
        d.run("create_case", d.wire_create(team=d.OTHER_TEAM), None, _supervisor_of_three(d))
    ).case
    assert named.team == d.OTHER_TEAM  # a team the desk names is kept (the server checks it)


def test_default_team(d: SimpleNamespace) -> None:
    from operator_app.domain.mutators import default_team  # added by the fix

    assert default_team(d.operator(), d.CENTRE) == d.TEAM
    assert default_team(d.operator(), d.OTHER_CENTRE) is None
    assert default_team(d.operator(teams=()), d.CENTRE) is None
    assert default_team(_supervisor_of_three(d), d.CENTRE) is None


# ---------------------------------------------------------------------------------------------
# Identifiers: no longer than the central service stores
# ---------------------------------------------------------------------------------------------


def _wire(d: SimpleNamespace, name: str) -> dict[str, object]:
    case_id = d.CASE_ID
    return {
        "create_case": d.wire_create(assignee="op-1"),
        "add_note": {"note_id": "n-1", "case_id": case_id, "body": "Иргэнтэй холбогдлоо."},
        "log_call": {
            "call_id": "c-1",
            "case_id": case_id,
            "direction": "inbound",
            "started_at": "2026-03-02T10:00:00+08:00",
        },
        "reassign_case": {
            "case_id": case_id,
            "expected_assignee": "op-1",
            "new_assignee": "op-2",
            "new_team": d.OTHER_TEAM,
        },
        "link_cases": {"case_id": case_id, "other_case_id": d.OTHER_CASE_ID},
        "resolve_conflict": {"conflict_id": "k-1", "case_id": case_id, "choice": "keep_server"},
    }[name]


@pytest.mark.parametrize(
    ("name", "path", "limit"),
    [
        ("create_case", "case_id", MAX_ID),
        ("create_case", "centre", MAX_ID),
        ("create_case", "team", MAX_ID),
        ("create_case", "assignee", MAX_ID),
        ("create_case", "citizen.citizen_id", MAX_ID),
        ("create_case", "provisional_ref", PROVISIONAL_REF_COLUMN),
        ("add_note", "note_id", MAX_ID),
        ("add_note", "case_id", MAX_ID),
        ("log_call", "call_id", MAX_ID),
        ("reassign_case", "expected_assignee", MAX_ID),
        ("reassign_case", "new_assignee", MAX_ID),
        ("reassign_case", "new_team", MAX_ID),
        ("link_cases", "other_case_id", MAX_ID),
        ("resolve_conflict", "conflict_id", MAX_ID),
    ],
)
def test_identifier_limits(d: SimpleNamespace, name: str, path: str, limit: int) -> None:
    def with_value(value: str) -> dict[str, object]:
        args = _wire(d, name)
        if path.startswith("citizen."):
            args["citizen"] = {**args["citizen"], path.split(".")[1]: value}  # type: ignore[dict-item]
        else:
            args[path] = value
        return args

    assert not isinstance(parse_mutation(name, with_value("x" * limit)), FieldError)
    problem = parse_mutation(name, with_value("x" * (limit + 1)))
    assert isinstance(problem, FieldError), problem
    assert (problem.field, problem.reason, problem.details) == (
        path,
        Reason.TOO_LONG,
        {"limit": limit},
    )


def test_other_short_texts_keep_their_limit(d: SimpleNamespace) -> None:
    # Not identifiers: names and free text keep the short-text limit.
    parsed = parse_mutation("create_case", d.wire_create(subject="я" * 300, category="x" * 300))
    assert isinstance(parsed, CreateCase)
