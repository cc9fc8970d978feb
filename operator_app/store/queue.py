"""Queue queries: any filter and sort as one SQL statement returning ordered rids, rows for a
page of them, and facet counts for the filter bar. Reader-side: no writes here."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from operator_app.domain.deadlines import DeadlineState
from operator_app.domain.model import CaseType, Channel, Priority, Status
from operator_app.store.columns import CaseSyncState
from operator_app.store.search_text import fts_query


class SortKey(StrEnum):
    DUE_DATE = "due_date"
    REGISTERED_AT = "registered_at"
    UPDATED_AT = "updated_at"
    PRIORITY = "priority"
    STATUS = "status"
    NUMBER = "number"
    CATEGORY = "category"
    CENTRE = "centre"
    ASSIGNEE = "assignee"
    SUBJECT = "subject"
    CITIZEN = "citizen"


_SORT_SQL: dict[SortKey, str] = {
    SortKey.DUE_DATE: "due_date",
    SortKey.REGISTERED_AT: "registered_at",
    SortKey.UPDATED_AT: "updated_at",
    SortKey.PRIORITY: "priority_rank",
    SortKey.STATUS: "status",
    SortKey.NUMBER: "coalesce(number, provisional_ref)",
    SortKey.CATEGORY: "category",
    SortKey.CENTRE: "centre",
    SortKey.ASSIGNEE: "assignee",
    SortKey.SUBJECT: "subject",
    SortKey.CITIZEN: "citizen_name",
}
# The sorts of open cases that schema.SORT_INDEXES turns into an index walk.
INDEXED_OPEN_SORTS = frozenset(
    {SortKey.REGISTERED_AT, SortKey.DUE_DATE, SortKey.STATUS, SortKey.PRIORITY}
)
# SQLite VM steps between checks of whether a queue query is still wanted.
CANCEL_CHECK_STEPS = 100_000
# Keys whose column may be NULL: those rows sort last in either direction.
_NULLABLE = frozenset({SortKey.DUE_DATE, SortKey.UPDATED_AT, SortKey.NUMBER, SortKey.ASSIGNEE})


@dataclass(frozen=True, slots=True)
class Sort:
    key: SortKey = SortKey.REGISTERED_AT
    descending: bool = False


class Facet(StrEnum):
    """The filter bar's groups, each counted with every other filter applied."""

    STATUS = "status"
    TYPE = "type"
    CATEGORY = "category"
    CENTRE = "centre"
    CHANNEL = "channel"
    PRIORITY = "priority"
    TEAM = "team"
    ASSIGNEE = "assignee"
    AIMAG = "aimag"
    DEADLINE = "deadline"
    SYNC = "sync"


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Every filter of the queue; empty sets mean "any". Sets are OR within, AND across."""

    statuses: frozenset[Status] = frozenset()
    open_only: bool = False
    types: frozenset[CaseType] = frozenset()
    categories: frozenset[str] = frozenset()  # a code also matches its sub-categories
    centres: frozenset[str] = frozenset()
    channels: frozenset[Channel] = frozenset()
    priorities: frozenset[Priority] = frozenset()
    assignees: frozenset[str] = frozenset()
    unassigned: bool = False  # with `assignees`: theirs or nobody's
    teams: frozenset[str] = frozenset()
    aimags: frozenset[str] = frozenset()  # first two digits of the location code
    deadline: frozenset[DeadlineState] = frozenset()
    sync: frozenset[CaseSyncState] = frozenset()
    text: str = ""


_FACET_FIELDS: dict[Facet, tuple[str, ...]] = {
    Facet.STATUS: ("statuses", "open_only"),
    Facet.TYPE: ("types",),
    Facet.CATEGORY: ("categories",),
    Facet.CENTRE: ("centres",),
    Facet.CHANNEL: ("channels",),
    Facet.PRIORITY: ("priorities",),
    Facet.TEAM: ("teams",),
    Facet.ASSIGNEE: ("assignees", "unassigned"),
    Facet.AIMAG: ("aimags",),
    Facet.DEADLINE: ("deadline",),
    Facet.SYNC: ("sync",),
}
_DEADLINE_SQL: dict[DeadlineState, str] = {
    DeadlineState.OVERDUE: "(is_open = 1 AND due_date < :today)",
    DeadlineState.DUE_SOON: "(is_open = 1 AND due_date >= :today AND due_soon_from <= :today)",
    DeadlineState.ON_TIME: "(is_open = 1 AND due_soon_from > :today)",
    DeadlineState.NONE: "(is_open = 1 AND due_date IS NULL)",
    DeadlineState.ANSWERED: "(is_open = 0)",
}
_DEADLINE_CASE = (
    "CASE WHEN is_open = 0 THEN 'answered' WHEN due_date IS NULL THEN 'none'"
    " WHEN due_date < :today THEN 'overdue' WHEN due_soon_from <= :today THEN 'due_soon'"
    " ELSE 'on_time' END"
)
_FACET_SQL: dict[Facet, str] = {
    Facet.STATUS: "status",
    Facet.TYPE: "type",
    Facet.CATEGORY: "category",
    Facet.CENTRE: "centre",
    Facet.CHANNEL: "channel",
    Facet.PRIORITY: "priority",
    Facet.TEAM: "team",
    Facet.ASSIGNEE: "assignee",
    Facet.AIMAG: "aimag",
    Facet.DEADLINE: _DEADLINE_CASE,
    Facet.SYNC: "sync_state",
}


class _Where:
    def __init__(self, today: date) -> None:
        self.parts: list[str] = []
        self.params: dict[str, Any] = {"today": today.isoformat()}
        self.empty = False  # the filter can match nothing

    def _names(self, values: Iterable[str]) -> str:
        names = []
        for value in values:
            name = f"p{len(self.params)}"
            self.params[name] = value
            names.append(":" + name)
        return ", ".join(names)

    def one_of(self, column: str, values: Iterable[str]) -> None:
        values = sorted(str(v) for v in values)
        if len(values) == 1:
            self.parts.append(f"{column} = {self._names(values)}")
        elif values:
            self.parts.append(f"{column} IN ({self._names(values)})")

    def sql(self) -> str:
        return " AND ".join(self.parts) if self.parts else "1"


def _where(f: QueueFilter, today: date, walk_sort_index: bool = False) -> _Where:
    w = _Where(today)
    if f.open_only:
        w.parts.append("is_open = 1")
    w.one_of("status", f.statuses)
    w.one_of("type", f.types)
    if f.categories:
        # A top-level category also matches its sub-categories ("health" and "health.x").
        options = []
        for code in sorted(f.categories):
            exact = f"category = {w._names([code])}"
            if "." in code:
                options.append(exact)
            else:
                # "/" sorts right after ".": the range is exactly the "code." prefix.
                lo, hi = w._names([code + "."]), w._names([code + "/"])
                options.append(f"{exact} OR (category >= {lo} AND category < {hi})")
        w.parts.append("(" + " OR ".join(options) + ")")
    # A desk's cache holds its own centres' cases, so a centre filter is rarely selective; for
    # a first screen, "+centre" keeps the planner walking the sort's index and stopping after
    # a screenful instead of sorting every open case of the centres (1.5 s at 1M cases).
    w.one_of("+centre" if walk_sort_index else "centre", f.centres)
    w.one_of("channel", f.channels)
    w.one_of("priority", f.priorities)
    w.one_of("team", f.teams)
    w.one_of("aimag", f.aimags)
    w.one_of("sync_state", f.sync)
    if f.assignees or f.unassigned:
        people = sorted(f.assignees)
        options = []
        if people:
            options.append(
                f"assignee = {w._names(people)}"
                if len(people) == 1
                else f"assignee IN ({w._names(people)})"
            )
        if f.unassigned:
            options.append("assignee IS NULL")
        w.parts.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
    if f.deadline:
        states = [_DEADLINE_SQL[s] for s in DeadlineState if s in f.deadline]
        w.parts.append(states[0] if len(states) == 1 else "(" + " OR ".join(states) + ")")
    if f.text.strip():
        query = fts_query(f.text)
        if query is None:
            w.empty = True
        else:
            w.parts.append(
                f"rid IN (SELECT rowid FROM case_fts WHERE case_fts MATCH {w._names([query])})"
            )
    return w


def _order(sorts: Sequence[Sort], f: QueueFilter) -> str:
    terms = []
    for sort in sorts:
        column = _SORT_SQL[sort.key]
        direction = " DESC" if sort.descending else ""
        dated_only = (
            sort.key is SortKey.DUE_DATE
            and f.deadline
            and f.deadline
            <= {
                DeadlineState.OVERDUE,
                DeadlineState.DUE_SOON,
                DeadlineState.ON_TIME,
            }
        )
        if sort.key in _NULLABLE and not dated_only:
            terms.append(f"{column} IS NULL")
        terms.append(column + direction)
    # Ties by rid, in the direction of the last key: a descending sort walks an index (key,
    # rid) backwards (see schema.SORT_INDEXES) instead of sorting each run of equal keys.
    terms.append("rid DESC" if sorts and sorts[-1].descending else "rid")
    return ", ".join(terms)


def queue_sql(
    f: QueueFilter, sort: Sort | Sequence[Sort], today: date, first_screen: bool = False
) -> tuple[str, dict[str, Any]] | None:
    """The one statement behind a queue view (None when the filter can match nothing);
    `first_screen` when only its first rows are wanted."""
    sorts = (sort,) if isinstance(sort, Sort) else tuple(sort)
    walk = first_screen and f.open_only and bool(sorts) and sorts[0].key in INDEXED_OPEN_SORTS
    w = _where(f, today, walk_sort_index=walk)
    if w.empty:
        return None
    return f"SELECT rid FROM case_view WHERE {w.sql()} ORDER BY {_order(sorts, f)}", w.params


def queue_ids(
    conn: sqlite3.Connection,
    f: QueueFilter,
    sort: Sort | Sequence[Sort],
    today: date,
    limit: int | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[int]:
    """The rids of every matching case, in order (ties broken by rid, so stable: in the sort's
    direction); only the
    first `limit` of them when given (a first screenful, before the whole list)."""
    query = queue_sql(f, sort, today, first_screen=limit is not None)
    if query is None:
        return []
    sql, params = query
    if limit is not None:
        sql += " LIMIT :limit"
        params = {**params, "limit": max(int(limit), 0)}
    if cancelled is not None:
        # A question no longer wanted (the operator asked another) stops where it is, even
        # inside SQLite's sort, instead of keeping a reader busy for a second.
        conn.set_progress_handler(lambda: 1 if cancelled() else 0, CANCEL_CHECK_STEPS)
    try:
        return [rid for (rid,) in conn.execute(sql, params)]
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc):  # a query FTS5 still refused: no matches, not an error
            return []
        if cancelled is not None and cancelled():
            return []  # interrupted: nobody waits for the answer
        raise
    finally:
        if cancelled is not None:
            conn.set_progress_handler(None, 0)


def facet_counts(
    conn: sqlite3.Connection,
    f: QueueFilter,
    today: date,
    facets: Iterable[Facet] = tuple(Facet),
) -> dict[Facet, dict[str, int]]:
    """Per facet, the count of each value among cases matching every *other* filter."""
    out: dict[Facet, dict[str, int]] = {}
    for facet in facets:
        cleared = replace(f, **{name: _empty(name) for name in _FACET_FIELDS[facet]})
        w = _where(cleared, today)
        if w.empty:
            out[facet] = {}
            continue
        expr = _FACET_SQL[facet]
        rows = conn.execute(
            f"SELECT {expr} AS value, count(*) FROM case_view WHERE {w.sql()} GROUP BY value",
            w.params,
        )
        out[facet] = {("" if value is None else str(value)): count for value, count in rows}
    return out


_DEFAULTS = {f.name: f.default for f in fields(QueueFilter)}


def _empty(name: str) -> Any:
    return _DEFAULTS[name]


@dataclass(frozen=True, slots=True)
class QueueRow:
    """What the queue shows for one case."""

    rid: int
    id: str
    number: str | None
    provisional_ref: str | None
    subject: str
    status: Status
    type: CaseType
    category: str
    centre: str
    channel: Channel
    priority: Priority
    confidential: bool
    citizen_name: str
    phone: str | None
    location: str | None
    assignee: str | None
    team: str | None
    agency: str | None
    registered_at: datetime
    updated_at: datetime | None
    due_date: date | None
    deadline: DeadlineState
    sync_state: CaseSyncState

    @property
    def display_number(self) -> str:
        return self.number or self.provisional_ref or ""


_ROW_COLUMNS = (
    "rid, id, number, provisional_ref, subject, status, type, category, centre, channel,"
    " priority, confidential, citizen_name, phone, location, assignee, team, agency,"
    " registered_at, updated_at, due_date, due_soon_from, is_open, sync_state"
)


def _deadline(is_open: int, due: str | None, soon_from: str | None, today: str) -> DeadlineState:
    if not is_open:
        return DeadlineState.ANSWERED
    if due is None:
        return DeadlineState.NONE
    if due < today:
        return DeadlineState.OVERDUE
    if soon_from is not None and soon_from <= today:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME


def rows(conn: sqlite3.Connection, rids: Sequence[int], today: date) -> list[QueueRow]:
    """Display rows for the given rids, in their order; rids no longer in the view are left out."""
    if not rids:
        return []
    found: dict[int, QueueRow] = {}
    day = today.isoformat()
    for start in range(0, len(rids), 500):
        batch = list(rids[start : start + 500])
        for r in conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM case_view WHERE rid IN ({','.join('?' * len(batch))})",
            batch,
        ):
            found[r[0]] = QueueRow(
                rid=r[0],
                id=r[1],
                number=r[2],
                provisional_ref=r[3],
                subject=r[4],
                status=Status(r[5]),
                type=CaseType(r[6]),
                category=r[7],
                centre=r[8],
                channel=Channel(r[9]),
                priority=Priority(r[10]),
                confidential=bool(r[11]),
                citizen_name=r[12],
                phone=r[13],
                location=r[14],
                assignee=r[15],
                team=r[16],
                agency=r[17],
                registered_at=datetime.fromtimestamp(r[18], UTC),
                updated_at=None if r[19] is None else datetime.fromtimestamp(r[19], UTC),
                due_date=None if r[20] is None else date.fromisoformat(r[20]),
                deadline=_deadline(r[22], r[20], r[21], day),
                sync_state=CaseSyncState(r[23]),
            )
    return [found[rid] for rid in rids if rid in found]
