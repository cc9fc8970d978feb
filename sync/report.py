"""What one sync cycle did, for the UI, tests and tools."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sync.protocol import MutationResult
from sync.pull import PullOutcome
from sync.push import PushOutcome
from sync.scheduler import Trigger
from sync.status import SyncProblem


class Phase(StrEnum):
    START = "start"
    PUSH = "push"
    PULL = "pull"
    RESET = "reset"
    FINISH = "finish"


@dataclass(frozen=True)
class SyncReport:
    """What one cycle did; `problem` is set when it failed (in `phase`)."""

    trigger: Trigger
    ok: bool
    phase: Phase
    started_at: datetime
    finished_at: datetime
    pushed: int = 0
    resent_archived: int = 0
    gaps: int = 0
    pages: int = 0
    ops: int = 0
    cases: int = 0
    acknowledged: int = 0
    resets: tuple[str, ...] = ()
    recovery_copies: tuple[Path, ...] = ()
    results: tuple[MutationResult, ...] = ()  # the rejections and conflicts heard of
    problem: SyncProblem | None = None
    retry_in_s: float | None = None


@dataclass
class Tally:
    """A cycle's running totals, made into its report at the end."""

    pushed: int = 0
    resent_archived: int = 0
    gaps: int = 0
    pages: int = 0
    ops: int = 0
    cases: int = 0
    acknowledged: int = 0
    resets: list[str] = field(default_factory=list)
    copies: list[Path] = field(default_factory=list)
    results: dict[int, MutationResult] = field(default_factory=dict)

    def add_push(self, outcome: PushOutcome) -> None:
        self.pushed += outcome.sent
        self.resent_archived += outcome.resent_archived
        self.gaps += outcome.gaps
        self.results.update((r.id, r) for r in outcome.results)

    def add_pull(self, outcome: PullOutcome) -> None:
        self.pages += outcome.pages
        self.ops += outcome.ops
        self.cases += outcome.cases
        self.acknowledged += outcome.acknowledged
        self.results.update((r.id, r) for r in outcome.results)

    def report(
        self,
        trigger: Trigger,
        ok: bool,
        phase: Phase,
        started: datetime,
        finished: datetime,
        *,
        problem: SyncProblem | None = None,
        retry_in: float | None = None,
    ) -> SyncReport:
        return SyncReport(
            trigger=trigger,
            ok=ok,
            phase=phase,
            started_at=started,
            finished_at=finished,
            pushed=self.pushed,
            resent_archived=self.resent_archived,
            gaps=self.gaps,
            pages=self.pages,
            ops=self.ops,
            cases=self.cases,
            acknowledged=self.acknowledged,
            resets=tuple(self.resets),
            recovery_copies=tuple(self.copies),
            results=tuple(self.results[i] for i in sorted(self.results)),
            problem=problem,
            retry_in_s=retry_in,
        )
