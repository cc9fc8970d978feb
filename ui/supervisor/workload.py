"""Workload and deadline figures of a supervisor's centres, from the local cache. Qt-free.

The supervisor's cache holds every case of their centres, so the figures need no server. They
are built from the store's existing reads, on a reader thread, without reading every open case:

- open and overdue per operator and per team, and overdue and due soon per centre, team and
  operator: `Store.facet_counts` (one GROUP BY each);
- due today and due this week: the cases not yet overdue, soonest deadline first
  (`Store.queue_ids`), read a page at a time only until the deadlines pass Sunday;
- the agencies' share: the transferred cases that are overdue or due soon, read whole.

"Due this week" runs from today to Sunday (the week starts on Monday in Mongolia) and includes
today; "overdue" is not part of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from operator_app.domain.deadlines import DeadlineState
from operator_app.domain.model import Status
from operator_app.store import Directory, Facet, QueueFilter, QueueRow, Sort, SortKey, Store

UNASSIGNED = ""  # the key of cases nobody holds (and of cases with no team)
PAGE = 500
WATCHED_LIMIT = 2000  # the most cases one group's list shows, soonest deadline first
_LATE = frozenset({DeadlineState.OVERDUE})
_SOON = frozenset({DeadlineState.DUE_SOON})
_WATCHED = _LATE | _SOON
_NOT_LATE = frozenset({DeadlineState.DUE_SOON, DeadlineState.ON_TIME})
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
    transferred: tuple[QueueRow, ...] = ()  # overdue or due soon at an agency, soonest first

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


def _due_this_week(
    store: Store, base: QueueFilter, today: date
) -> tuple[Counter[str], Counter[str], Counter[str], Counter[str]]:
    """Due today and due by Sunday, per assignee and per team."""
    sunday = week_end(today)
    today_by_person: Counter[str] = Counter()
    today_by_team: Counter[str] = Counter()
    week_by_person: Counter[str] = Counter()
    week_by_team: Counter[str] = Counter()
    rids = store.queue_ids(replace(base, deadline=_NOT_LATE), _BY_DUE_DATE)
    for row in _pages(store, rids):
        if row.due_date is None or row.due_date > sunday:
            break  # soonest first: the rest are later still
        person, team = row.assignee or UNASSIGNED, row.team or UNASSIGNED
        week_by_person[person] += 1
        week_by_team[team] += 1
        if row.due_date <= today:
            today_by_person[person] += 1
            today_by_team[team] += 1
    return today_by_person, today_by_team, week_by_person, week_by_team


def _loads(
    open_: dict[str, int], late: dict[str, int], today: Counter[str], week: Counter[str]
) -> dict[str, Load]:
    return {
        key: Load(count, late.get(key, 0), today[key], week[key]) for key, count in open_.items()
    }


def _watch(
    late: dict[str, int], soon: dict[str, int], keep: Collection[str] = ()
) -> dict[str, Watch]:
    keys = (set(late) | set(soon)) & set(keep) if keep else set(late) | set(soon)
    return {key: Watch(late.get(key, 0), soon.get(key, 0)) for key in keys}


def load_workload(store: Store, centres: Collection[str]) -> WorkloadSnapshot:
    """The figures of the centres as the cache has them now (reader thread)."""
    today = store.today()
    base = _open_in(centres)
    groups = (Facet.ASSIGNEE, Facet.TEAM)
    opened = store.facet_counts(base, groups)
    late = store.facet_counts(replace(base, deadline=_LATE), (*groups, Facet.CENTRE))
    soon = store.facet_counts(replace(base, deadline=_SOON), (*groups, Facet.CENTRE))
    today_p, today_t, week_p, week_t = _due_this_week(store, base, today)
    transferred_filter = replace(base, statuses=frozenset({Status.TRANSFERRED}), deadline=_WATCHED)
    transferred = tuple(
        r for r in _pages(store, store.queue_ids(transferred_filter, _BY_DUE_DATE)) if r.agency
    )
    by_agency = _watch(
        Counter(r.agency or "" for r in transferred if r.deadline is DeadlineState.OVERDUE),
        Counter(r.agency or "" for r in transferred if r.deadline is DeadlineState.DUE_SOON),
    )
    return WorkloadSnapshot(
        today,
        _loads(opened[Facet.ASSIGNEE], late[Facet.ASSIGNEE], today_p, week_p),
        _loads(opened[Facet.TEAM], late[Facet.TEAM], today_t, week_t),
        {
            # The centre count ignores the centre filter (a facet counts "the others"): keep
            # only the supervisor's centres.
            Grouping.CENTRE: _watch(late[Facet.CENTRE], soon[Facet.CENTRE], centres),
            Grouping.TEAM: _watch(late[Facet.TEAM], soon[Facet.TEAM]),
            Grouping.OPERATOR: _watch(late[Facet.ASSIGNEE], soon[Facet.ASSIGNEE]),
            Grouping.AGENCY: by_agency,
        },
        transferred,
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
    snapshot: WorkloadSnapshot | None = None,
    limit: int = WATCHED_LIMIT,
) -> list[QueueRow]:
    """One group's overdue and due-soon cases, soonest deadline first (reader thread)."""
    if grouping is Grouping.AGENCY:
        rows = snapshot.transferred if snapshot is not None else ()
        return [r for r in rows if r.agency == key][:limit]
    wanted = _group_filter(replace(_open_in(centres), deadline=_WATCHED), grouping, key)
    if grouping is Grouping.TEAM and key == UNASSIGNED:
        rids = store.queue_ids(wanted, _BY_DUE_DATE)
        return [r for r in _pages(store, rids) if r.team is None][:limit]
    return store.rows(store.queue_ids(wanted, _BY_DUE_DATE)[:limit])


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
