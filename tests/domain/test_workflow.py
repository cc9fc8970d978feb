"""The case workflow: the legal transitions, who may make them, and a stateful property test
that no sequence of mutations from any mix of actors reaches an illegal state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from operator_app.domain.deadlines import deadline_for
from operator_app.domain.errors import FieldError
from operator_app.domain.model import (
    Actor,
    Case,
    CaseType,
    ConflictState,
    FieldConflict,
    Priority,
    Role,
    Status,
    TimelineEntry,
)
from operator_app.domain.mutations import EDITABLE_FIELDS, parse_mutation
from operator_app.domain.mutators import (
    Applied,
    CaseState,
    Code,
    Refused,
    ResultStatus,
    apply_mutation,
    field_value,
)
from operator_app.domain.permissions import may_touch
from operator_app.domain.workflow import (
    TRANSITIONS,
    is_legal,
    next_statuses,
    requires_reason,
    role_may_transition,
)
from operator_app.reference import default_rules

S = Status

# DOMAIN.md, "Workflow", written out again as the oracle (not imported from the code under test).
LEGAL = {
    S.NEW: {S.IN_PROGRESS, S.TRANSFERRED, S.RESOLVED, S.CLOSED},
    S.IN_PROGRESS: {S.WAITING, S.TRANSFERRED, S.RESOLVED, S.CLOSED},
    S.WAITING: {S.IN_PROGRESS, S.RESOLVED},
    S.TRANSFERRED: {S.IN_PROGRESS, S.RESOLVED},
    S.RESOLVED: {S.CLOSED, S.IN_PROGRESS},
    S.CLOSED: {S.IN_PROGRESS},
}
ALL_PAIRS = [(a, b) for a in Status for b in Status]


# ---------------------------------------------------------------------------------------------
# The transition table
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_is_legal_matches_the_domain_table(current: Status, target: Status) -> None:
    assert is_legal(current, target) is (target in LEGAL[current])


def test_every_status_has_a_way_out_and_nothing_loops_onto_itself() -> None:
    assert set(TRANSITIONS) == set(Status)
    for status, targets in TRANSITIONS.items():
        assert targets, status
        assert status not in targets


@pytest.mark.parametrize(
    ("current", "target", "needed"),
    [
        (S.NEW, S.CLOSED, True),
        (S.IN_PROGRESS, S.CLOSED, True),
        (S.RESOLVED, S.CLOSED, True),
        (S.RESOLVED, S.IN_PROGRESS, True),
        (S.CLOSED, S.IN_PROGRESS, True),
        (S.NEW, S.IN_PROGRESS, False),
        (S.IN_PROGRESS, S.RESOLVED, False),
        (S.WAITING, S.IN_PROGRESS, False),
        (S.TRANSFERRED, S.IN_PROGRESS, False),
        (S.NEW, S.RESOLVED, False),
    ],
)
def test_closing_and_reopening_need_a_reason(current: Status, target: Status, needed: bool) -> None:
    assert requires_reason(current, target) is needed


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_role_may_transition(current: Status, target: Status) -> None:
    legal = target in LEGAL[current]
    supervisor_only = target is S.CLOSED or current is S.CLOSED
    assert role_may_transition(Role.SUPERVISOR, current, target) is legal
    assert role_may_transition(Role.OPERATOR, current, target) is (legal and not supervisor_only)
    assert not role_may_transition(Role.ADMIN, current, target)
    assert not role_may_transition(Role.AUDITOR, current, target)


def test_next_statuses_in_workflow_order() -> None:
    assert next_statuses(Role.OPERATOR, S.NEW) == (S.IN_PROGRESS, S.TRANSFERRED, S.RESOLVED)
    assert next_statuses(Role.SUPERVISOR, S.NEW) == (
        S.IN_PROGRESS,
        S.TRANSFERRED,
        S.RESOLVED,
        S.CLOSED,
    )
    assert next_statuses(Role.OPERATOR, S.CLOSED) == ()
    assert next_statuses(Role.SUPERVISOR, S.CLOSED) == (S.IN_PROGRESS,)
    assert next_statuses(Role.AUDITOR, S.IN_PROGRESS) == ()


# ---------------------------------------------------------------------------------------------
# No sequence of mutations reaches an illegal state
# ---------------------------------------------------------------------------------------------

CENTRE, FAR_CENTRE = "c1111", "c1800"
TEAM, OTHER_TEAM, FAR_TEAM = "t1111-a", "t1111-b", "t1800-a"
RULES = default_rules()
START = datetime(2026, 6, 29, 1, 0, tzinfo=UTC)  # two weeks before Naadam


def _op(id: str, team: str, centre: str) -> Actor:
    return Actor(id, Role.OPERATOR, frozenset({centre}), frozenset({team}), team)


ACTORS = {
    "op-a": _op("op-a", TEAM, CENTRE),
    "op-b": _op("op-b", TEAM, CENTRE),
    "op-x": _op("op-x", OTHER_TEAM, CENTRE),  # same centre, other team
    "op-far": _op("op-far", FAR_TEAM, FAR_CENTRE),  # another centre altogether
    "sup-1": Actor("sup-1", Role.SUPERVISOR, frozenset({CENTRE}), frozenset({TEAM}), TEAM),
    "sup-far": Actor("sup-far", Role.SUPERVISOR, frozenset({FAR_CENTRE}), frozenset(), None),
    "admin": Actor("admin", Role.ADMIN, frozenset({CENTRE})),
    "auditor": Actor("auditor", Role.AUDITOR, frozenset({CENTRE, FAR_CENTRE})),
}
NEVER_WRITE = {"op-far", "sup-far", "admin", "auditor"}
ASSIGNEES = [None, "op-a", "op-b", "op-x", "sup-1"]

FIELD_VALUES: dict[str, list[str | None]] = {
    "description": ["", "Халаалт муу.", "Ус ирэхгүй байна. " * 30],
    "category": ["health", "utilities_and_heating", "labour.unpaid_wages"],
    "type": [t.value for t in CaseType],
    "priority": [p.value for p in Priority],
    "reg_no": ["УБ99112233", "уб 9911-2233", "ЧЕ01250512", None, ""],
    "location": ["1101", "110101", None],
    "subject": ["Халаалт", "Хог ачихгүй байна", ""],
    "citizen_name": ["Болд", "", None],
    "phone": ["+97699112233", "9911-2233", "976 8800 1122", None, ""],
    "address": ["", "БЗД, 3-р хороо", None],
}
assert set(FIELD_VALUES) == set(EDITABLE_FIELDS)

# Weighted towards the people who may act, so that most steps get past the permission checks.
actors = st.sampled_from(["sup-1", "sup-1", "sup-1", "op-a", "op-a", *sorted(ACTORS)])
texts = st.sampled_from(["Давхардсан дуудлага", "Давхардсан дуудлага", "", "  "])


def _meaningful(case: Case) -> Case:
    return replace(case, updated_at=None)


class CaseWorkflow(RuleBasedStateMachine):
    """One case, and random mutations from random actors applied in server order."""

    def __init__(self) -> None:
        super().__init__()
        self.case: Case
        self.now = START
        self.timeline: list[TimelineEntry] = []
        self.conflicts: dict[str, FieldConflict] = {}
        self.extended = False

    @initialize(
        creator=st.sampled_from(["op-a", "sup-1"]),
        case_type=st.sampled_from(list(CaseType)),
        priority=st.sampled_from(list(Priority)),
        confidential=st.booleans(),
        backdate_hours=st.integers(0, 24 * 70),
    )
    def create(
        self,
        creator: str,
        case_type: CaseType,
        priority: Priority,
        confidential: bool,
        backdate_hours: int,
    ) -> None:
        args = {
            "case_id": "c-1",
            "centre": CENTRE,
            "channel": "phone",
            "type": case_type.value,
            "category": "health",
            "subject": "Эмнэлэгт дугаар авч чадахгүй байна",
            "priority": priority.value,
            "confidential": confidential,
            "citizen": {"phone": "99112233"},
            "registered_at": (START - timedelta(hours=backdate_hours)).isoformat(),
        }
        if creator == "sup-1":
            args["team"] = TEAM
        outcome = self._apply("create_case", args, ACTORS[creator], None)
        assert isinstance(outcome, Applied) and not outcome.noop
        self.case = outcome.case
        self.timeline.extend(outcome.timeline)
        assert START - self.case.registered_at <= timedelta(days=60)

    # -- rules ---------------------------------------------------------------------------------

    @rule(
        actor=actors,
        to=st.sampled_from(list(Status)),
        from_=st.sampled_from([None, None, None, *Status]),
        reason=texts,
    )
    def change_status(self, actor: str, to: Status, from_: Status | None, reason: str) -> None:
        args: dict[str, object] = {"case_id": "c-1", "to": to.value, "reason": reason}
        if from_ is not None:
            args["from"] = from_.value
        before = self.case
        outcome = self._step("change_status", args, actor)
        if outcome is None:
            # the parser's only refusal here, or an outsider refused at the gate
            assert from_ is to or not may_touch(ACTORS[actor], before)
            return
        if before.status is to:
            assert isinstance(outcome, Applied) and outcome.noop
        elif to not in LEGAL[before.status]:
            assert isinstance(outcome, Refused)
            assert (outcome.status, outcome.code) == (
                ResultStatus.CONFLICT,
                Code.ILLEGAL_TRANSITION,
            )
        elif isinstance(outcome, Applied) and from_ is not None and from_ is not before.status:
            assert outcome.audit, "a legal change from another status is noted in the audit"

    @rule(actor=actors, agency=st.sampled_from(["capital_city_governor", "ministry_health"]))
    def transfer(self, actor: str, agency: str) -> None:
        before = self.case
        outcome = self._step("transfer_case", {"case_id": "c-1", "agency": agency}, actor)
        if outcome is None:
            return
        if isinstance(outcome, Applied) and not outcome.noop:
            assert (self.case.status, self.case.agency) == (S.TRANSFERRED, agency)
            assert S.TRANSFERRED in LEGAL[before.status]

    @rule(
        actor=actors,
        expect_current=st.booleans(),
        expected=st.sampled_from(ASSIGNEES),
        new=st.sampled_from(ASSIGNEES),
        new_team=st.sampled_from([None, TEAM, OTHER_TEAM]),
    )
    def reassign(
        self,
        actor: str,
        expect_current: bool,
        expected: str | None,
        new: str | None,
        new_team: str | None,
    ) -> None:
        before = self.case
        expected = before.assignee if expect_current else expected
        args = {
            "case_id": "c-1",
            "expected_assignee": expected,
            "new_assignee": new,
            "new_team": new_team,
            "reason": "ачаалал",
        }
        outcome = self._step("reassign_case", args, actor)
        if outcome is None:
            return
        same_team = (new_team or before.team) == before.team
        if before.assignee == new and same_team:
            assert isinstance(outcome, Applied) and outcome.noop
        elif before.assignee != expected:
            assert isinstance(outcome, Refused)
            assert (outcome.status, outcome.code) == (ResultStatus.CONFLICT, Code.ASSIGNEE_CHANGED)
            assert outcome.details["current"] == before.assignee
            assert outcome.details["by"] == before.assigned_by
        elif isinstance(outcome, Applied):
            assert (self.case.assignee, self.case.assigned_by) == (new, actor)
            if ACTORS[actor].role is Role.OPERATOR:  # operators only claim
                assert before.assignee is None and new == actor and same_team

    @rule(
        actor=actors,
        picks=st.lists(
            st.tuples(
                st.sampled_from(sorted(EDITABLE_FIELDS)),
                st.sampled_from([True, True, False]),
                st.integers(0, 4),
            ),
            min_size=1,
            max_size=3,
            unique_by=lambda t: t[0],
        ),
    )
    def update_fields(self, actor: str, picks: list[tuple[str, bool, int]]) -> None:
        before = self.case
        changes = {}
        for name, base_is_current, index in picks:
            values = FIELD_VALUES[name]
            current = field_value(before, name)
            base = current if base_is_current else values[(index + 1) % len(values)]
            changes[name] = {"base": base, "new": values[index % len(values)]}
        outcome = self._step("update_case_fields", {"case_id": "c-1", "changes": changes}, actor)
        if outcome is None:
            return
        if not isinstance(outcome, Applied):
            return
        for record in outcome.conflicts:
            assert record.current == field_value(before, record.field)
            if record.state is ConflictState.OPEN:
                assert record.field not in {"phone", "address"}
                assert field_value(self.case, record.field) == record.current
            else:
                assert record.state is ConflictState.OVERWRITTEN
                assert record.field in {"phone", "address"}
                assert field_value(self.case, record.field) == record.proposed
            self.conflicts[f"k-{len(self.conflicts)}"] = record
        opened = any(c.state is ConflictState.OPEN for c in outcome.conflicts)
        assert (outcome.status is ResultStatus.CONFLICT) is opened
        assert (outcome.code is Code.FIELD_CONFLICT) is opened

    @rule(
        actor=actors,
        days=st.integers(1, 45),
        notice=st.sampled_from(["Иргэнд мэдэгдэв", "Иргэнд мэдэгдэв", ""]),
    )
    def extend_deadline(self, actor: str, days: int, notice: str) -> None:
        before = self.case
        args = {"case_id": "c-1", "days": days, "notice": notice}
        outcome = self._step("extend_deadline", args, actor)
        if outcome is None:
            assert not notice or not may_touch(ACTORS[actor], before)
            return
        rule_ = RULES.deadlines.rule_for(before.type, before.priority)
        if isinstance(outcome, Applied) and not outcome.noop:
            assert not self.extended, "a deadline is extended at most once"
            assert before.extension_days == 0
            assert ACTORS[actor].role is Role.SUPERVISOR
            assert rule_.days is not None and 0 < days <= rule_.extension_limit_days
            assert self.case.extension_days == days and self.case.extended_by == actor
            assert self.case.due_date is not None and before.due_date is not None
            assert self.case.due_date >= before.due_date
            self.extended = True
        elif isinstance(outcome, Refused) and rule_.days is None and not before.extension_days:
            assert outcome.code in (Code.FORBIDDEN, Code.NO_DEADLINE)

    @rule(actor=actors, body=st.sampled_from(["Иргэнтэй холбогдов.", "Хариу хүлээж байна."]))
    def add_note(self, actor: str, body: str) -> None:
        args = {"note_id": f"n-{len(self.timeline)}", "case_id": "c-1", "body": body}
        outcome = self._step("add_note", args, actor)
        if outcome is None:
            return
        if isinstance(outcome, Applied):
            assert outcome.note is not None and outcome.note.author == actor

    @rule(actor=actors, kind=st.sampled_from(["related", "duplicate"]), other=st.integers(2, 4))
    def link(self, actor: str, kind: str, other: int) -> None:
        args = {"case_id": "c-1", "other_case_id": f"c-{other}", "kind": kind}
        outcome = self._step("link_cases", args, actor)
        if outcome is None:
            return
        if isinstance(outcome, Applied):
            assert f"c-{other}" in self.case.links

    @precondition(lambda self: bool(self.conflicts))
    @rule(
        actor=actors,
        which=st.integers(0, 20),
        choice=st.sampled_from(["keep_server", "reapply", "merge"]),
        value=st.sampled_from(["Нэгтгэсэн утга", "health"]),
    )
    def resolve_conflict(self, actor: str, which: int, choice: str, value: str) -> None:
        ids = sorted(self.conflicts)
        conflict_id = ids[which % len(ids)]
        record = self.conflicts[conflict_id]
        args = {"conflict_id": conflict_id, "case_id": "c-1", "choice": choice, "value": value}
        outcome = self._step("resolve_conflict", args, actor, conflict=record)
        if outcome is None:
            return
        if isinstance(outcome, Applied) and not outcome.noop:
            assert record.state is not ConflictState.RESOLVED
            resolved = outcome.resolved_conflict
            assert resolved is not None
            assert (resolved.state, resolved.resolution) == (ConflictState.RESOLVED, choice)
            self.conflicts[conflict_id] = resolved
        elif record.state is ConflictState.RESOLVED:
            if choice == record.resolution:
                assert isinstance(outcome, Applied) and outcome.noop
            else:
                assert isinstance(outcome, Refused) and outcome.code is Code.CONFLICT_CLOSED

    # -- the invariants after every step -------------------------------------------------------

    @invariant()
    def due_date_follows_the_rules(self) -> None:
        assert self.case.due_date == deadline_for(self.case, RULES.deadlines, RULES.calendar)

    @invariant()
    def timeline_is_in_order(self) -> None:
        assert all(a.at <= b.at for a, b in zip(self.timeline, self.timeline[1:], strict=False))
        assert all(e.case_id == "c-1" for e in self.timeline)

    # -- machinery -----------------------------------------------------------------------------

    def _apply(
        self,
        name: str,
        args: dict[str, object],
        actor: Actor,
        case: Case | None,
        conflict: FieldConflict | None = None,
    ) -> Applied | Refused | None:
        parsed = parse_mutation(name, args)
        if isinstance(parsed, FieldError):
            return None
        return apply_mutation(parsed, CaseState(case, conflict=conflict), actor, self.now, RULES)

    def _step(
        self,
        name: str,
        args: dict[str, object],
        actor_id: str,
        conflict: FieldConflict | None = None,
    ) -> Applied | Refused | None:
        """Apply one mutation at a later instant and check what every mutation must respect."""
        self.now += timedelta(hours=7)
        actor = ACTORS[actor_id]
        before = self.case
        outcome = self._apply(name, args, actor, before, conflict)
        if outcome is None:
            return None
        if not may_touch(actor, before):
            # Outsiders are refused before any rule-specific answer (no-op, conflict).
            assert isinstance(outcome, Refused) and outcome.code is Code.FORBIDDEN, outcome
            return None
        if isinstance(outcome, Refused):
            assert outcome.status in (ResultStatus.REJECTED, ResultStatus.CONFLICT)
            assert isinstance(outcome.code, Code)
            return outcome  # the case stays as it was: self.case is not touched
        after = outcome.case
        if outcome.noop:
            assert after == before
            assert not outcome.timeline and not outcome.conflicts
            assert outcome.note is None and outcome.call is None
            return outcome
        if actor_id in NEVER_WRITE:
            pytest.fail(f"{actor_id} changed the case through {name}: {outcome}")
        # What never changes.
        keep = ("id", "centre", "registered_at", "created_by", "create_fingerprint", "channel")
        for attr in keep:
            assert getattr(after, attr) == getattr(before, attr), attr
        # Status moves only along the workflow, and closing/reopening a closed case is a
        # supervisor's right.
        if after.status is not before.status:
            assert after.status in LEGAL[before.status], (before.status, after.status)
            if S.CLOSED in (before.status, after.status):
                assert actor.role is Role.SUPERVISOR
            if actor.role is Role.OPERATOR:
                assert before.assignee == actor_id or (
                    before.assignee is None and before.team in actor.teams
                )
        # The extension is given once, by a supervisor, and never changed afterwards.
        if (after.extension_days, after.extension_notice) != (
            before.extension_days,
            before.extension_notice,
        ):
            assert name == "extend_deadline" and before.extension_days == 0
        if after.assignee != before.assignee:
            assert name == "reassign_case"
            assert (after.assigned_by, after.assigned_at) == (actor_id, self.now)
        # The timeline gets entries exactly for the changes that took effect.
        changed = _meaningful(after) != _meaningful(before)
        recorded = changed or outcome.resolved_conflict is not None or outcome.note is not None
        assert bool(outcome.timeline) is recorded, (name, outcome)
        if changed:
            assert after.updated_at == self.now
        for entry in outcome.timeline:
            assert (entry.case_id, entry.actor, entry.at, entry.mutation) == (
                "c-1",
                actor_id,
                self.now,
                name,
            )
        self.case = after
        self.timeline.extend(outcome.timeline)
        return outcome


CaseWorkflow.TestCase.settings = settings(max_examples=80, stateful_step_count=30, deadline=None)
test_case_workflow = CaseWorkflow.TestCase
