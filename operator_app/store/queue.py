"""Queue queries: any filter and sort as one SQL statement returning ordered rids, rows for a
page of them, and facet counts for the filter bar. Reader-side: no writes here."""

from __future__ import annotations

import array
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from operator_app.domain.deadlines import DeadlineState
from operator_app.domain.model import CaseType, Channel, Priority, Status
from operator_app.store.columns import CaseSyncState
from operator_app.store.search_terms import DEFERRED_WORD, word_starts
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
# The sorts of open cases that schema.SORT_INDEXES and OPEN_TEXT_SORT_INDEXES turn into an
# index walk.
INDEXED_OPEN_SORTS = frozenset(
    {
        SortKey.REGISTERED_AT,
        SortKey.DUE_DATE,
        SortKey.STATUS,
        SortKey.PRIORITY,
        SortKey.SUBJECT,
        SortKey.CITIZEN,
    }
)
# SQLite VM steps between checks of whether a queue query is still wanted.
CANCEL_CHECK_STEPS = 100_000
# How long a first screen may walk its sort's index before the planner's own reading is
# asked instead (see queue_ids), and how often it looks at the clock (about every 0.1 ms).
WALK_BUDGET_MS = 60
WALK_CHECK_STEPS = 1_000
_CLOSED = frozenset({Status.RESOLVED, Status.CLOSED})
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
    if _only_open(f):
        # Also when only implied by the statuses: the partial indexes of open cases apply.
        w.parts.append("is_open = 1")
    # So is a status of open cases (each holds a tenth to a half of them at 1M cases): its
    # index then a sort took 110-350 ms, the walk 0.2-16 ms. A rare one makes the walk long:
    # see queue_ids.
    w.one_of("+status" if walk_sort_index else "status", f.statuses)
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
    if f.sync and CaseSyncState.SYNCED not in f.sync:
        # In the partial index's own words: a bound state does not prove that it is not
        # "synced", and without this the planner scanned every case (150-200 ms for none
        # at 1M cases, 1.4-3 s when sorted with a first screen; 0.1 ms with the index).
        w.parts.append(f"sync_state <> '{CaseSyncState.SYNCED.value}'")
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
            # Or in the documents a first sync holds back (search_terms.DEFERRED_WORD).
            held = " AND ".join(DEFERRED_WORD.format(w._names([p])) for p in word_starts(f.text))
            w.parts.append(
                f"(rid IN (SELECT rowid FROM case_fts WHERE case_fts MATCH {w._names([query])})"
                f" OR rid IN (SELECT rid FROM deferred_doc WHERE {held}))"
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


@dataclass(frozen=True, slots=True)
class _Part:
    """One run of a sort that is read as consecutive statements: the rows `where` selects,
    ordered by `key` (then by the sort's other keys and the rid)."""

    where: str
    key: str | None


# A sort whose order is a few runs, each of them the walk of an index where one big sort
# with `x IS NULL` first could use none; keyed by the sort and its direction.
#
# By number: case numbers (``2026-000123``, digits first) sort before provisional ones
# (``P-7K3Q-17``) in either format's order, so coalesce(number, provisional_ref) is the
# numbers, then the provisional references, then the cases with neither: ix_view_number,
# then ix_view_provisional (measured at 1,000,000 cases: a first screen from 1.9-3.3 s as
# one sort to 1 ms).
_NUMBER_PARTS = {
    False: (
        _Part("number IS NOT NULL", "number"),
        _Part("number IS NULL AND provisional_ref IS NOT NULL", "provisional_ref"),
        _Part("number IS NULL AND provisional_ref IS NULL", None),
    ),
    True: (
        _Part("number IS NULL AND provisional_ref IS NOT NULL", "provisional_ref"),
        _Part("number IS NOT NULL", "number"),
        _Part("number IS NULL AND provisional_ref IS NULL", None),
    ),
}
# The latest deadlines first, with no deadline last: ix_open_due, on (due_date IS NULL,
# due_date), walked backwards from the end of each half (as one statement, "IS NULL" up and
# the date down, it sorted every dated open case: 361 ms at 1,000,000 cases). The key of the
# second half is all NULL: it only lets the index give its order.
_LATEST_DEADLINE_PARTS = (
    _Part("(due_date IS NULL) = 0", "due_date"),
    _Part("(due_date IS NULL) = 1", "due_date"),
)


def _parts(sort: Sort, f: QueueFilter) -> tuple[_Part, ...] | None:
    if sort.key is SortKey.NUMBER:
        return _NUMBER_PARTS[sort.descending]
    if sort.key is SortKey.DUE_DATE and sort.descending and _only_open(f):
        return _LATEST_DEADLINE_PARTS
    return None


def _parts_order(sorts: Sequence[Sort], f: QueueFilter) -> list[tuple[str, str]]:
    """The sort as (extra WHERE, ORDER BY) of each consecutive statement, in reading order."""
    parts = _parts(sorts[0], f) if sorts else None
    if parts is None:
        return [("", _order(sorts, f))]
    first, rest = sorts[0], sorts[1:]
    tail = _order(rest, f) if rest else ("rid DESC" if first.descending else "rid")
    direction = " DESC" if first.descending else ""
    return [(part.where, f"{part.key}{direction}, {tail}" if part.key else tail) for part in parts]


def _walks_sort_index(f: QueueFilter, sorts: Sequence[Sort]) -> bool:
    """Whether a first screen of this question is best read by walking the sort's index."""
    if not sorts:
        return False
    if sorts[0].key is SortKey.NUMBER:
        return True
    return _only_open(f) and sorts[0].key in INDEXED_OPEN_SORTS


def _only_open(f: QueueFilter) -> bool:
    """Whether the filter finds open cases alone (said or implied by its statuses)."""
    return f.open_only or bool(f.statuses and f.statuses.isdisjoint(_CLOSED))


def queue_statements(
    f: QueueFilter, sort: Sort | Sequence[Sort], today: date, first_screen: bool = False
) -> list[tuple[str, dict[str, Any]]] | None:
    """The statements behind a queue view, whose answers follow each other in the view's
    order (None when the filter can match nothing). With `first_screen`, those that read its
    first rows by walking the sort's index, when it has one: one statement per run of the
    sort (see _NUMBER_PARTS), the filter's indexed columns unused."""
    sorts = (sort,) if isinstance(sort, Sort) else tuple(sort)
    walk = first_screen and _walks_sort_index(f, sorts)
    w = _where(f, today, walk_sort_index=walk)
    if w.empty:
        return None
    where = w.sql()
    if not walk:
        return [(f"SELECT rid FROM case_view WHERE {where} ORDER BY {_order(sorts, f)}", w.params)]
    out = []
    for extra, order in _parts_order(sorts, f):
        condition = f"{where} AND {extra}" if extra else where
        out.append((f"SELECT rid FROM case_view WHERE {condition} ORDER BY {order}", w.params))
    return out


class _Interrupt:
    """SQLite's progress handler: stops a statement nobody wants any more, or a walk that has
    gone on past its deadline (`over` says which)."""

    def __init__(self, cancelled: Callable[[], bool] | None) -> None:
        self._cancelled = cancelled
        self._deadline: float | None = None
        self.over = False

    def budget(self, seconds: float | None) -> None:
        self._deadline = None if seconds is None else time.perf_counter() + seconds
        self.over = False

    def __call__(self) -> int:
        if self._cancelled is not None and self._cancelled():
            return 1
        if self._deadline is not None and time.perf_counter() > self._deadline:
            self.over = True
            return 1
        return 0


def _read(
    conn: sqlite3.Connection, statements: list[tuple[str, dict[str, Any]]], limit: int | None
) -> list[int]:
    found: list[int] = []
    for sql, params in statements:
        if limit is None:
            found.extend(_read_all(conn, sql, params))
            continue
        left = max(int(limit), 0) - len(found)
        if left <= 0:
            break
        found.extend(
            rid for (rid,) in conn.execute(sql + " LIMIT :limit", {**params, "limit": left})
        )
    return found


# A whole list is one string of fixed-width hex rids, built inside SQLite. Read row by row,
# each of 600,000 rows took the interpreter lock back for its rid, and the GUI thread, which
# needs the lock for every cell it paints, could wait up to a switch interval (5 ms) each
# time it asked while a list was read. Read whole, the lock is taken for a few short slices
# of decoding, and the read is faster too (598,000 rids by subject: 971 ms to 363 ms). The
# LIMIT keeps the subquery's order: SQLite may drop the ORDER BY of a subquery without one.
_HEX_RID = "printf('%016x', rid)"
_DECODE_RIDS = 16_384


def _read_all(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> list[int]:
    (text,) = conn.execute(
        f"SELECT group_concat({_HEX_RID}, '') FROM ({sql} LIMIT -1)", params
    ).fetchone()
    rids: list[int] = []
    if not text:
        return rids
    width = 16 * _DECODE_RIDS
    for start in range(0, len(text), width):
        part = array.array("Q", bytes.fromhex(text[start : start + width]))
        if sys.byteorder == "little":
            part.byteswap()
        rids.extend(part.tolist())
        time.sleep(0)  # let the GUI thread have the interpreter lock
    return rids


def queue_ids(
    conn: sqlite3.Connection,
    f: QueueFilter,
    sort: Sort | Sequence[Sort],
    today: date,
    limit: int | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[int]:
    """The rids of every matching case, in order (ties broken by rid, so stable: in the sort's
    direction); only the first `limit` of them when given (a first screenful, before the
    whole list).

    A first screen walks the sort's index where it has one, checking the filter row by row,
    and stops after a screenful: milliseconds, unless the filter is rare among the cases
    walked. A walk that has not filled the screen within WALK_BUDGET_MS gives way to the
    planner's own reading (the filter's index, then a sort of what it finds)."""
    walked = queue_statements(f, sort, today, first_screen=limit is not None)
    if walked is None:
        return []
    # A question no longer wanted (the operator asked another) stops where it is, even
    # inside SQLite's sort, instead of keeping a reader busy for a second.
    interrupt = _Interrupt(cancelled)
    try:
        plain = queue_statements(f, sort, today)
        if limit is not None and walked != plain:
            # Checked often: a walk's steps are index and row lookups, not cheap opcodes.
            conn.set_progress_handler(interrupt, WALK_CHECK_STEPS)
            interrupt.budget(WALK_BUDGET_MS / 1000)
            try:
                return _read(conn, walked, limit)
            except sqlite3.OperationalError:
                if not interrupt.over:
                    raise
            interrupt.budget(None)
        conn.set_progress_handler(interrupt, CANCEL_CHECK_STEPS)
        return _read(conn, plain or [], limit)
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc):  # a query FTS5 still refused: no matches, not an error
            return []
        if cancelled is not None and cancelled():
            return []  # interrupted: nobody waits for the answer
        raise
    finally:
        conn.set_progress_handler(None, 0)


def queue_plan(
    conn: sqlite3.Connection,
    f: QueueFilter,
    sort: Sort | Sequence[Sort],
    today: date,
    limit: int | None = 200,
) -> list[str]:
    """How SQLite reads the question, or its first `limit` rids (EXPLAIN QUERY PLAN of each
    statement): for benchmarks and tests."""
    statements = queue_statements(f, sort, today, first_screen=limit is not None)
    out: list[str] = []
    for sql, params in statements or []:
        if limit is not None:
            sql, params = sql + " LIMIT :limit", {**params, "limit": limit}
        out.append(" / ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)))
    return out


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
