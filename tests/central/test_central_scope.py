"""The SQL scope filter says exactly what the domain's `in_scope` says, on both databases."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Boolean, String, literal, select

from central.data.feed import scope_clause
from central.scope import ScopeKey, key_in_scope, scope_hash
from operator_app.domain.model import Actor, Role
from tests.central.testbed import CentralDb

CENTRES = ["c1", "c2", "c3"]
TEAMS = ["t1", "t2", "t3"]
PEOPLE = ["p1", "p2", "p3"]

actors = st.builds(
    Actor,
    id=st.sampled_from(PEOPLE),
    role=st.sampled_from(list(Role)),
    centres=st.frozensets(st.sampled_from(CENTRES)),
    teams=st.frozensets(st.sampled_from(TEAMS)),
)
keys = st.builds(
    ScopeKey,
    centre=st.sampled_from(CENTRES),
    team=st.none() | st.sampled_from(TEAMS),
    assignee=st.none() | st.sampled_from(PEOPLE),
    confidential=st.booleans(),
)


def test_the_sql_filter_agrees_with_the_domain(central_db: CentralDb) -> None:
    @settings(
        max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(actors, keys)
    def check(actor: Actor, key: ScopeKey) -> None:
        clause = scope_clause(
            actor,
            literal(key.centre, String()),
            literal(key.team, String()),
            literal(key.assignee, String()),
            literal(key.confidential, Boolean()),
        )
        with central_db.engine.connect() as conn:
            in_sql = bool(conn.execute(select(clause)).scalar())
        assert in_sql == key_in_scope(actor, key)

    check()


def test_the_scope_hash_changes_with_everything_the_scope_depends_on() -> None:
    base = Actor("p1", Role.OPERATOR, frozenset({"c1"}), frozenset({"t1"}))
    variants = [
        Actor("p2", Role.OPERATOR, frozenset({"c1"}), frozenset({"t1"})),
        Actor("p1", Role.SUPERVISOR, frozenset({"c1"}), frozenset({"t1"})),
        Actor("p1", Role.OPERATOR, frozenset({"c1", "c2"}), frozenset({"t1"})),
        Actor("p1", Role.OPERATOR, frozenset({"c1"}), frozenset({"t2"})),
    ]
    assert len({scope_hash(a) for a in [base, *variants]}) == 5
    same = Actor("p1", Role.OPERATOR, frozenset({"c1"}), frozenset({"t1"}), primary_team="t1")
    assert scope_hash(same) == scope_hash(base)
