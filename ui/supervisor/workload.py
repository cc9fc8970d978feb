"""Workload and deadline figures of a supervisor's centres, from the local cache. Qt-free.

The supervisor's cache holds every case of their centres, so the figures need no server. They
come from one GROUP BY in the store (`Store.workload_counts`), on a reader thread: open,
overdue, due today and due this week per operator and per team; overdue and due soon per
centre, team, operator and agency (transferred cases). The cases behind a group are read only
when the supervisor opens it (`watched_cases`).

"Due this week" runs from today to Sunday (the week starts on Monday in Mongolia) and includes
today; "overdue" is not part of it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from operator_app.domain.deadlines import DeadlineState
from operator_app.domain.model import Status
from operator_app.store import (
    UNASSIGNED,
    DeadlineCounts,
    Directory,
    QueueFilter,
    QueueRow,
    Sort,
    SortKey,
    Store,
)

PAGE = 500
WATCHED_LIMIT = 2000  # the most cases one group's list shows, soonest deadline first
_WATCHED = frozenset({DeadlineState.OVERDUE, DeadlineState.DUE_SOON})
_BY_DUE_DATE = Sort(SortKey.DUE_DATE)


@dataclass(frozen=True, slots=True)
class Load:
    """One person's or one team's open work."""

    open: int = 0
    overdue: int = 0
    due_today: int = 0
    due_this_week: int = 0


class Grouping(StrEnum):
    CENTRE = "centre"
    TEAM = "team"
    OPERATOR = "operator"
    AGENCY = "agency"  # transferred cases, by the agency that has them


@dataclass(frozen=True, slots=True)
class Watch:
    """Cases past their deadline, and cases whose deadline is near, in one group."""

    overdue: int = 0
    due_soon: int = 0


@dataclass(frozen=True, slots=True)
class WorkloadSnapshot:
    today: date
    operators: dict[str, Load] = field(default_factory=dict)  # assignee id (or UNASSIGNED)
    teams: dict[str, Load] = field(default_factory=dict)  # team id (or UNASSIGNED)
    watch: dict[Grouping, dict[str, Watch]] = field(default_factory=dict)

    @property
    def open_cases(self) -> int:
        return sum(load.open for load in self.operators.values())


@dataclass(frozen=True, slots=True)
class BoardData:
    """What the supervisor pages show, read in one go on a reader thread."""

    snapshot: WorkloadSnapshot
    directory: Directory
    pulled_availability: dict[str, str]  # operator id → as last pulled (offline fallback)


def week_end(today: date) -> date:
    """The Sunday of today's week."""
    return today + timedelta(days=6 - today.weekday())


def _open_in(centres: Collection[str]) -> QueueFilter:
    return QueueFilter(open_only=True, centres=frozenset(centres))


def _pages(store: Store, rids: Sequence[int]) -> Iterator[QueueRow]:
    for start in range(0, len(rids), PAGE):
        yield from store.rows(rids[start : start + PAGE])


def _loads(groups: Mapping[str, DeadlineCounts]) -> dict[str, Load]:
    return {key: Load(c.open, c.overdue, c.due_today, c.due_this_week) for key, c in groups.items()}


def _watch(groups: Mapping[str, DeadlineCounts]) -> dict[str, Watch]:
    """The groups with a case overdue or due soon."""
    return {
        key: Watch(c.overdue, c.due_soon) for key, c in groups.items() if c.overdue or c.due_soon
    }


def load_workload(store: Store, centres: Collection[str]) -> WorkloadSnapshot:
    """The figures of the centres as the cache has them now (reader thread)."""
    today = store.today()
    counts = store.workload_counts(centres, today, week_end(today))
    return WorkloadSnapshot(
        today,
        _loads(counts.by_assignee),
        _loads(counts.by_team),
        {
            Grouping.CENTRE: _watch(counts.by_centre),
            Grouping.TEAM: _watch(counts.by_team),
            Grouping.OPERATOR: _watch(counts.by_assignee),
            Grouping.AGENCY: _watch(counts.by_agency),
        },
    )


def load_board(store: Store, centres: Collection[str]) -> BoardData:
    pulled = {
        item.id: str(item.data.get("availability") or "")
        for item in store.reference_items("operator")
    }
    return BoardData(load_workload(store, centres), store.directory(), pulled)


def _group_filter(base: QueueFilter, grouping: Grouping, key: str) -> QueueFilter:
    match grouping:
        case Grouping.CENTRE:
            return replace(base, centres=frozenset({key}) & base.centres)
        case Grouping.TEAM:
            return replace(base, teams=frozenset({key})) if key else base
        case Grouping.OPERATOR:
            if key == UNASSIGNED:
                return replace(base, unassigned=True)
            return replace(base, assignees=frozenset({key}))
    return base


def watched_cases(
    store: Store,
    centres: Collection[str],
    grouping: Grouping,
    key: str,
    limit: int = WATCHED_LIMIT,
) -> list[QueueRow]:
    """One group's overdue and due-soon cases, soonest deadline first (reader thread)."""
    if grouping is Grouping.AGENCY:
        transferred = replace(
            _open_in(centres), statuses=frozenset({Status.TRANSFERRED}), deadline=_WATCHED
        )
        rids = store.queue_ids(transferred, _BY_DUE_DATE)
        return [r for r in _pages(store, rids) if r.agency == key][:limit]
    wanted = _group_filter(replace(_open_in(centres), deadline=_WATCHED), grouping, key)
    if grouping is Grouping.TEAM and key == UNASSIGNED:
        rids = store.queue_ids(wanted, _BY_DUE_DATE)
        return [r for r in _pages(store, rids) if r.team is None][:limit]
    return store.rows(store.queue_ids(wanted, _BY_DUE_DATE, limit))


def open_rows(store: Store, centres: Collection[str]) -> list[QueueRow]:
    """Every open case of the centres, soonest deadline first (reader thread)."""
    return store.rows(store.queue_ids(_open_in(centres), _BY_DUE_DATE))


def open_cases_of(
    store: Store, centres: Collection[str], assignees: Sequence[str] = (), teams: Sequence[str] = ()
) -> list[QueueRow]:
    """The open cases some operators (UNASSIGNED: nobody) or teams hold, for rebalancing."""
    people = frozenset(a for a in assignees if a != UNASSIGNED)
    wanted = QueueFilter(
        open_only=True,
        centres=frozenset(centres),
        assignees=people,
        unassigned=UNASSIGNED in assignees,
        teams=frozenset(t for t in teams if t != UNASSIGNED),
    )
    rows = store.rows(store.queue_ids(wanted, _BY_DUE_DATE))
    if UNASSIGNED in teams:
        rows = [r for r in rows if r.team is None or r.team in teams]
    return rows
