"""The pull feed's queries: scope filters, snapshot pages, the change log, reference changes.

Every query is bounded by a sequence window the caller read from the clock first, and pages
go by case id (snapshot) or by sequence number (changes), never by offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Select,
    String,
    Table,
    and_,
    any_,
    bindparam,
    cast,
    exists,
    false,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY

from central.data.engine import is_postgresql
from central.data.pulled import Record
from central.data.tables import (
    calls,
    case_changes,
    cases,
    citizens,
    conflicts,
    mutation_results,
    notes,
    timeline,
)
from central.scope import ScopeKey
from central.wire import with_id
from operator_app.domain.model import Actor, ConflictState, Role

CHILD_TABLES: dict[str, Table] = {
    "note": notes,
    "call": calls,
    "timeline": timeline,
    "conflict": conflicts,
}


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: str
    seq: int
    data: str
    key: ScopeKey
    citizen_id: str | None


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    case_id: str
    before: ScopeKey | None
    after: ScopeKey


def scope_clause(
    actor: Actor,
    centre: Column[str] | ColumnElement[str],
    team: Column[str] | ColumnElement[str],
    assignee: Column[str] | ColumnElement[str],
    confidential: Column[bool] | ColumnElement[bool],
) -> ColumnElement[bool]:
    """SQL for `permissions.in_scope` over four columns (tests check that the two agree)."""
    match actor.role:
        case Role.SUPERVISOR:
            return centre.in_(sorted(actor.centres)) if actor.centres else false()
        case Role.AUDITOR:
            return centre.is_not(None)
        case Role.OPERATOR:
            own = assignee == actor.id
            if not actor.teams:
                return own
            queue = and_(assignee.is_(None), confidential.is_(False), team.in_(sorted(actor.teams)))
            return or_(own, queue)
        case _:
            return false()


def _case_row(row: object) -> CaseRow:
    return CaseRow(
        row.id,  # type: ignore[attr-defined]
        row.seq,  # type: ignore[attr-defined]
        row.data,  # type: ignore[attr-defined]
        ScopeKey(row.centre, row.team, row.assignee, row.confidential),  # type: ignore[attr-defined]
        row.citizen_id,  # type: ignore[attr-defined]
    )


_CASE_COLUMNS = (
    cases.c.id,
    cases.c.seq,
    cases.c.data,
    cases.c.centre,
    cases.c.team,
    cases.c.assignee,
    cases.c.confidential,
    cases.c.citizen_id,
)


def current_cases(conn: Connection, ids: Sequence[str]) -> dict[str, CaseRow]:
    if not ids:
        return {}
    stmt = select(*_CASE_COLUMNS).where(in_ids(conn, cases.c.id))
    return {row.id: _case_row(row) for row in conn.execute(stmt, {"ids": list(ids)})}


def in_ids(conn: Connection, column: Column[str]) -> ColumnElement[bool]:
    """`column` among the list bound as "ids": one array parameter on PostgreSQL (a thousand
    separate parameters cost more to build than the query costs to run), IN on SQLite."""
    if is_postgresql(conn):
        return column == any_(bindparam("ids", type_=ARRAY(String())))
    return column.in_(bindparam("ids", expanding=True))


@cache
def _children_statement(
    dialect: str, kind: str, with_since: bool, unresolved_only: bool
) -> Select[Any]:
    table = CHILD_TABLES[kind]
    if dialect == "postgresql":
        match = table.c.case_id == any_(bindparam("ids", type_=ARRAY(String())))
    else:
        match = table.c.case_id.in_(bindparam("ids", expanding=True))
    stmt = select(table.c.id, table.c.case_id, table.c.seq, table.c.data).where(match)
    if with_since:
        stmt = stmt.where(table.c.seq > bindparam("since"))
    if unresolved_only:
        stmt = stmt.where(table.c.state != ConflictState.RESOLVED.value)
    return stmt.order_by(table.c.seq, table.c.id)


def children(
    conn: Connection,
    kind: str,
    case_ids: Sequence[str],
    *,
    since: int | None = None,
    unresolved_only: bool = False,
) -> list[Record]:
    """Notes, calls, timeline entries or conflicts of the cases, written after `since`
    (all of them when None), in write order: one query for all the cases."""
    if not case_ids:
        return []
    stmt = _children_statement(conn.dialect.name, kind, since is not None, unresolved_only)
    params: dict[str, Any] = {"ids": list(case_ids)}
    if since is not None:
        params["since"] = since
    rows = conn.execute(stmt, params).all()
    if kind == "timeline":
        return [
            Record(kind, str(tid), seq, with_id(data, str(tid)), case_id)
            for tid, case_id, seq, data in rows
        ]
    return [Record(kind, rid, seq, data, case_id) for rid, case_id, seq, data in rows]


@cache
def _children_since_statement(dialect: str) -> Any:
    parts = []
    for kind, table in CHILD_TABLES.items():
        if dialect == "postgresql":
            match = table.c.case_id == any_(bindparam("ids", type_=ARRAY(String())))
        else:
            match = table.c.case_id.in_(bindparam("ids", expanding=True))
        parts.append(
            select(
                literal(kind, String()).label("kind"),
                cast(table.c.id, String()).label("id"),
                table.c.case_id,
                table.c.seq,
                table.c.data,
            ).where(match, table.c.seq > bindparam("since"))
        )
    return union_all(*parts)


def children_since(conn: Connection, case_ids: Sequence[str], since: int) -> list[Record]:
    """Every child of the cases written after `since` (notes, calls, timeline, conflicts),
    in one query: the incremental pull of cases that stayed in scope."""
    if not case_ids:
        return []
    rows = conn.execute(
        _children_since_statement(conn.dialect.name), {"ids": list(case_ids), "since": since}
    ).all()
    return [
        Record(kind, rid, seq, with_id(data, rid) if kind == "timeline" else data, case_id)
        for kind, rid, case_id, seq, data in rows
    ]


def citizen_records(conn: Connection, ids: Sequence[str]) -> list[Record]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return []
    stmt = select(citizens.c.id, citizens.c.seq, citizens.c.data).where(in_ids(conn, citizens.c.id))
    rows = conn.execute(stmt, {"ids": wanted}).all()
    return [Record("citizen", cid, seq, data) for cid, seq, data in rows]


def _before_scope(actor: Actor) -> ColumnElement[bool]:
    c = case_changes.c
    return scope_clause(actor, c.b_centre, c.b_team, c.b_assignee, c.b_confidential)


def _after_scope(actor: Actor) -> ColumnElement[bool]:
    c = case_changes.c
    return scope_clause(actor, c.a_centre, c.a_team, c.a_assignee, c.a_confidential)


def _scope_of(actor: Actor) -> Actor:
    """The actor with only what the scope depends on (a cache key for scope statements)."""
    return Actor(actor.id, actor.role, actor.centres, actor.teams)


@lru_cache(maxsize=1024)
def _changes_statement(actor: Actor) -> Select[Any]:
    # Built once per scope: building a statement per request costs more than running it.
    c = case_changes.c
    return (
        select(case_changes)
        .where(
            c.seq > bindparam("since"),
            c.seq <= bindparam("upto"),
            or_(_before_scope(actor), _after_scope(actor)),
        )
        .order_by(c.seq, c.case_id)
        .limit(bindparam("limit"))
    )


def changes(conn: Connection, actor: Actor, since: int, upto: int, limit: int) -> list[Change]:
    """Change-log rows in (since, upto] that touch the caller's scope before or after."""
    params = {"since": since, "upto": upto, "limit": limit}
    out = []
    for row in conn.execute(_changes_statement(_scope_of(actor)), params).all():
        before = (
            None
            if row.created
            else ScopeKey(row.b_centre, row.b_team, row.b_assignee, bool(row.b_confidential))
        )
        after = ScopeKey(row.a_centre, row.a_team, row.a_assignee, row.a_confidential)
        out.append(Change(row.seq, row.case_id, before, after))
    return out


@lru_cache(maxsize=1024)
def _news_statement(actor: Actor | None, with_results: bool) -> Select[Any]:
    c, r = case_changes.c, mutation_results.c
    since, upto = bindparam("since"), bindparam("upto")
    checks: list[ColumnElement[bool]] = []
    if actor is not None:
        touched = or_(_before_scope(actor), _after_scope(actor))
        checks.append(exists().where(c.seq > since, c.seq <= upto, touched))
    if with_results:
        mine = r.client_id == bindparam("client_id")
        checks.append(exists().where(mine, r.seq > since, r.seq <= upto))
    return select(or_(*checks) if checks else false())


def has_news(
    conn: Connection, actor: Actor | None, client_id: str | None, since: int, upto: int
) -> bool:
    """Whether a change touching the caller's scope (None: it receives no cases) or one of
    its results was written in (since, upto]. Reference data is told by the sync window."""
    stmt = _news_statement(None if actor is None else _scope_of(actor), bool(client_id))
    params = {"since": since, "upto": upto, "client_id": client_id or ""}
    return bool(conn.execute(stmt, params).scalar())
