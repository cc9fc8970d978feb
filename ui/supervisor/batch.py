"""A bulk reassignment: one `reassign_case` per case, saved in one transaction, and each case's
fate followed through sync. Qt-free; every function here runs off the GUI thread.

A case's result moves through: saved here and queued (or refused here, with the domain's
reason, or already in effect), then, once a pull brings the server's verdict, applied on the
server, or a conflict (another supervisor reassigned it first) or a rejection. The store keeps
those verdicts (its results, inbox, archive and outbox) and `Store.mutation_results` reads them
for the whole batch at once; a conflict stays a conflict after a person dismisses it from the
inbox.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from operator_app.domain.model import Actor
from operator_app.domain.mutations import ReassignCase
from operator_app.store import LocalResult, MutationState, QueueRow, Store


@dataclass(frozen=True, slots=True)
class Target:
    """Where the cases go: to an operator (in their team when the case's team is not theirs),
    or to a team's unassigned queue (assignee None)."""

    assignee: str | None
    team: str | None = None
    assignee_teams: frozenset[str] = frozenset()

    def team_for(self, row: QueueRow) -> str | None:
        """The new team of a case, or None to keep its own."""
        if self.assignee is None:
            return self.team if self.team != row.team else None
        if self.team and row.team not in self.assignee_teams:
            return self.team
        return None


class Stage(StrEnum):
    QUEUED = "queued"  # saved here, waiting to be sent
    REFUSED_HERE = "refused_here"  # the local rules said no: nothing was queued
    UNCHANGED = "unchanged"  # already assigned so: nothing to send
    APPLIED = "applied"  # the server applied it
    CONFLICT = "conflict"  # someone reassigned it first
    REJECTED = "rejected"  # the server refused it
    MISSING = "missing"  # the case left the cache before it could be saved


FINAL_STAGES = frozenset(
    {
        Stage.REFUSED_HERE,
        Stage.UNCHANGED,
        Stage.APPLIED,
        Stage.CONFLICT,
        Stage.REJECTED,
        Stage.MISSING,
    }
)


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """Where one case of the batch stands."""

    case_id: str
    number: str
    stage: Stage
    mutation_id: int | None = None
    code: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def final(self) -> bool:
        return self.stage in FINAL_STAGES


def reassign_args(rows: Sequence[QueueRow], target: Target, reason: str) -> list[ReassignCase]:
    """One mutation per case, expecting the assignee the cache shows now."""
    return [
        ReassignCase(
            case_id=row.id,
            expected_assignee=row.assignee,
            new_assignee=target.assignee,
            reason=reason,
            new_team=target.team_for(row),
        )
        for row in rows
    ]


def local_outcome(row: QueueRow, result: LocalResult) -> CaseOutcome:
    refused = result.refused
    if refused is not None:
        return CaseOutcome(
            row.id, row.display_number, Stage.REFUSED_HERE, None, refused.code, refused.details
        )
    if result.mutation_id is None:
        return CaseOutcome(row.id, row.display_number, Stage.UNCHANGED)
    return CaseOutcome(row.id, row.display_number, Stage.QUEUED, result.mutation_id)


def save_reassignment(
    store: Store, actor: Actor, case_ids: Sequence[str], target: Target, reason: str
) -> list[CaseOutcome]:
    """Read the cases as they are now, save one reassignment each in one transaction, and say
    what happened to each (runs on the desk's writer thread: it waits for the store)."""
    rids = [rid for case_id in case_ids if (rid := store.rid_of(case_id)) is not None]
    rows = store.rows(rids)
    results = store.submit_many(reassign_args(rows, target, reason), actor).result()
    outcomes = {row.id: local_outcome(row, res) for row, res in zip(rows, results, strict=True)}
    return [
        outcomes.get(case_id) or CaseOutcome(case_id, "", Stage.MISSING) for case_id in case_ids
    ]


def save_reassignment_of_rids(
    store: Store, actor: Actor, rids: Sequence[int], target: Target, reason: str
) -> list[CaseOutcome]:
    """The same, for cases named by their queue rows (a selection in a queue view)."""
    rows = store.rows(rids)
    results = store.submit_many(reassign_args(rows, target, reason), actor).result()
    return [local_outcome(row, res) for row, res in zip(rows, results, strict=True)]


_STAGE_OF = {
    MutationState.APPLIED: Stage.APPLIED,
    MutationState.CONFLICT: Stage.CONFLICT,
    MutationState.REJECTED: Stage.REJECTED,
}


def follow(store: Store, outcomes: Sequence[CaseOutcome]) -> list[CaseOutcome]:
    """The outcomes brought up to date with the verdicts the cache has received (reader).

    The verdict is read from the store's results, not from the open inbox: a conflict a person
    dismissed while the dialog is open is still a conflict."""
    waiting = [o.mutation_id for o in outcomes if o.stage is Stage.QUEUED and o.mutation_id]
    if not waiting:
        return list(outcomes)
    statuses = store.mutation_results(waiting)
    updated = []
    for outcome in outcomes:
        status = statuses.get(outcome.mutation_id) if outcome.stage is Stage.QUEUED else None
        stage = _STAGE_OF.get(status.state) if status is not None else None
        if status is None or stage is None:
            updated.append(outcome)
        else:
            updated.append(_with(outcome, stage, status.code, status.details))
    return updated


def _with(
    outcome: CaseOutcome,
    stage: Stage,
    code: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> CaseOutcome:
    return CaseOutcome(
        outcome.case_id, outcome.number, stage, outcome.mutation_id, code, dict(details or {})
    )


def tally(outcomes: Collection[CaseOutcome]) -> dict[Stage, int]:
    counts = dict.fromkeys(Stage, 0)
    for outcome in outcomes:
        counts[outcome.stage] += 1
    return counts
