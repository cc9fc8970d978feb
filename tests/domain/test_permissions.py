"""Who may see and change which case (DOMAIN.md "Roles", SYNC.md "Scopes")."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from operator_app.domain.model import Actor, Case, Role
from operator_app.domain.permissions import Action, in_scope, may

CASE_ACTIONS = [a for a in Action if a is not Action.CREATE]
EVERYONE_IN_SCOPE = [
    Action.CHANGE_STATUS,
    Action.EDIT,
    Action.TRANSFER,
    Action.LINK,
    Action.RESOLVE_CONFLICT,
]


@pytest.fixture
def case(d: SimpleNamespace) -> Case:
    """Unassigned, in team A of the 11-11 centre, not confidential."""
    return d.make_case()


def test_operator_sees_own_cases_and_the_unassigned_queue_of_their_teams(
    d: SimpleNamespace, case: Case
) -> None:
    me = d.operator("op-1")
    assert in_scope(me, case)  # unassigned, my team
    assert in_scope(me, replace(case, assignee="op-1"))
    assert in_scope(me, replace(case, assignee="op-1", team=d.OTHER_TEAM, confidential=True))
    assert not in_scope(me, replace(case, assignee="op-2"))
    assert not in_scope(me, replace(case, team=d.OTHER_TEAM))
    assert not in_scope(me, replace(case, team=None))
    assert not in_scope(me, replace(case, confidential=True))  # only assignee and supervisors


def test_supervisor_sees_every_case_of_their_centres_confidential_included(
    d: SimpleNamespace, case: Case
) -> None:
    boss = d.supervisor()
    assert in_scope(boss, replace(case, assignee="op-9", team=None, confidential=True))
    assert not in_scope(boss, replace(case, centre=d.OTHER_CENTRE))


def test_auditor_reads_everything_and_admin_no_case_content(d: SimpleNamespace, case: Case) -> None:
    far = replace(case, centre=d.OTHER_CENTRE, confidential=True, assignee="op-9")
    assert in_scope(d.AUDITOR, far)
    assert not in_scope(d.ADMIN, case)


@pytest.mark.parametrize("action", list(Action))
def test_auditor_and_admin_change_nothing(d: SimpleNamespace, case: Case, action: Action) -> None:
    for actor in (d.AUDITOR, d.ADMIN):
        assert not may(actor, action, case, centre=d.CENTRE)


def test_create_only_in_ones_own_centres(d: SimpleNamespace) -> None:
    assert may(d.operator(), Action.CREATE, centre=d.CENTRE)
    assert may(d.supervisor(), Action.CREATE, centre=d.CENTRE)
    assert not may(d.operator(), Action.CREATE, centre=d.OTHER_CENTRE)
    assert not may(d.operator(), Action.CREATE)  # no centre named


@pytest.mark.parametrize("action", CASE_ACTIONS)
def test_case_actions_need_a_case(d: SimpleNamespace, action: Action) -> None:
    assert not may(d.supervisor(), action, None, centre=d.CENTRE)


@pytest.mark.parametrize("action", [Action.REASSIGN, Action.EXTEND_DEADLINE])
def test_reassign_and_extend_are_for_the_centres_supervisors(
    d: SimpleNamespace, case: Case, action: Action
) -> None:
    mine = replace(case, assignee="op-1")
    assert may(d.supervisor(), action, mine)
    assert not may(d.supervisor(centres=(d.OTHER_CENTRE,)), action, mine)
    assert not may(d.operator("op-1"), action, mine)  # even on their own case


def test_claim(d: SimpleNamespace, case: Case) -> None:
    me = d.operator("op-1")
    assert may(me, Action.CLAIM, case)
    assert not may(me, Action.CLAIM, replace(case, confidential=True))
    assert not may(me, Action.CLAIM, replace(case, team=d.OTHER_TEAM))
    assert not may(me, Action.CLAIM, replace(case, assignee="op-2"))
    assert may(d.supervisor(), Action.CLAIM, replace(case, assignee="op-2", confidential=True))
    assert not may(d.supervisor(centres=(d.OTHER_CENTRE,)), Action.CLAIM, case)


def test_annotate_after_losing_the_case_within_the_centre(d: SimpleNamespace, case: Case) -> None:
    me = d.operator("op-1")
    lost = replace(case, assignee="op-2")
    assert not in_scope(me, lost)
    assert may(me, Action.ANNOTATE, lost)  # accepted, flagged for the new assignee
    assert not may(me, Action.ANNOTATE, replace(lost, confidential=True))
    assert not may(me, Action.ANNOTATE, replace(lost, centre=d.OTHER_CENTRE))
    assert may(me, Action.ANNOTATE, replace(case, assignee="op-1", confidential=True))


@pytest.mark.parametrize("action", EVERYONE_IN_SCOPE)
def test_other_actions_follow_the_scope(d: SimpleNamespace, case: Case, action: Action) -> None:
    me = d.operator("op-1")
    assert may(me, action, case)
    assert may(me, action, replace(case, assignee="op-1"))
    assert not may(me, action, replace(case, assignee="op-2"))
    assert not may(me, action, replace(case, confidential=True))
    assert may(d.supervisor(), action, replace(case, assignee="op-2", confidential=True))
    assert not may(d.supervisor(centres=(d.OTHER_CENTRE,)), action, case)


# ---------------------------------------------------------------------------------------------
# Properties over random actors and cases
# ---------------------------------------------------------------------------------------------

CENTRES = ["c1111", "c1800"]
TEAM_CENTRE = {"t1111-a": "c1111", "t1111-b": "c1111", "t1800-a": "c1800"}
TEAMS = sorted(TEAM_CENTRE)
PEOPLE = ["op-1", "op-2", "sup-1"]


@st.composite
def random_actors(draw: st.DrawFn) -> Actor:
    """Any role; the teams of an actor always belong to one of the actor's centres."""
    centres = draw(st.frozensets(st.sampled_from(CENTRES)))
    teams = frozenset(
        t for t in draw(st.frozensets(st.sampled_from(TEAMS))) if TEAM_CENTRE[t] in centres
    )
    return Actor(draw(st.sampled_from(PEOPLE)), draw(st.sampled_from(list(Role))), centres, teams)


@st.composite
def random_cases(draw: st.DrawFn, base: Case) -> Case:
    return replace(
        base,
        centre=(centre := draw(st.sampled_from(CENTRES))),
        team=draw(st.sampled_from([None, *(t for t in TEAMS if TEAM_CENTRE[t] == centre)])),
        assignee=draw(st.sampled_from([None, *PEOPLE])),
        confidential=draw(st.booleans()),
    )


@given(data=st.data(), actor=random_actors(), action=st.sampled_from(CASE_ACTIONS))
def test_no_write_outside_what_the_actor_may_touch(
    d: SimpleNamespace, data: st.DataObject, actor: Actor, action: Action
) -> None:
    case = data.draw(random_cases(d.make_case()))
    allowed = may(actor, action, case)
    if not allowed:
        return
    assert actor.role in (Role.OPERATOR, Role.SUPERVISOR)
    if actor.role is Role.SUPERVISOR:
        assert case.centre in actor.centres
    else:
        assert action not in (Action.REASSIGN, Action.EXTEND_DEADLINE)
    if case.confidential:
        # Confidential cases reach only their assignee and the supervisors.
        assert actor.role is Role.SUPERVISOR or case.assignee == actor.id
    if action not in (Action.ANNOTATE, Action.CLAIM):
        assert in_scope(actor, case)
    else:
        assert in_scope(actor, case) or case.centre in actor.centres or case.team in actor.teams
