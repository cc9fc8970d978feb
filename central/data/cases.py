"""Cases and their children: the reads and writes of the push path."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from central.data.engine import is_postgresql, upsert
from central.data.tables import (
    calls,
    case_changes,
    case_numbers,
    cases,
    citizens,
    conflicts,
    notes,
    timeline,
)
from central.scope import ScopeKey
from central.wire import decode_record, dumps, encode_record, with_id
from operator_app.domain.model import Call, Case, FieldConflict, Note, TimelineEntry
from sync.protocol import CitizenRecord

# The push path runs these for every mutation: built once, executed with parameters.
_LOAD_CASE = select(cases.c.data).where(cases.c.id == bindparam("id"))
_LOCK_CASE = _LOAD_CASE.with_for_update()
_LOAD_NOTE = select(notes.c.data).where(notes.c.id == bindparam("id"))
_LOAD_CALL = select(calls.c.data).where(calls.c.id == bindparam("id"))
_LOAD_CONFLICT = select(conflicts.c.data).where(conflicts.c.id == bindparam("id"))
_INSERT_CASE = insert(cases)
_UPDATE_CASE = update(cases).where(cases.c.id == bindparam("case_id"))
_INSERT_NOTE = insert(notes)
_INSERT_CALL = insert(calls)
_INSERT_TIMELINE = insert(timeline).returning(timeline.c.id)
_CITIZEN_KNOWN = select(citizens.c.id).where(citizens.c.id == bindparam("id"))


_LOCK_CASES = (
    select(cases.c.id)
    .where(cases.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(cases.c.id)
    .with_for_update()
)


def lock_cases(conn: Connection, case_ids: Sequence[str]) -> None:
    """Lock the existing cases among `case_ids` until the transaction ends, in the order of
    their ids: writers that lock several cases this way never wait on each other in a circle.
    (SQLite's writers take turns on the whole database: nothing to do.)"""
    if case_ids and is_postgresql(conn):
        conn.execute(_LOCK_CASES, {"ids": sorted(set(case_ids))}).all()


def load_case(conn: Connection, case_id: str, *, lock: bool = False) -> Case | None:
    """The case, locked until the transaction ends when `lock` (concurrent writers queue)."""
    data = conn.execute(_LOCK_CASE if lock else _LOAD_CASE, {"id": case_id}).scalar()
    return None if data is None else decode_record(Case, data)


def load_note(conn: Connection, note_id: str) -> Note | None:
    data = conn.execute(_LOAD_NOTE, {"id": note_id}).scalar()
    return None if data is None else decode_record(Note, data)


def load_call(conn: Connection, call_id: str) -> Call | None:
    data = conn.execute(_LOAD_CALL, {"id": call_id}).scalar()
    return None if data is None else decode_record(Call, data)


def load_conflict(conn: Connection, conflict_id: str) -> FieldConflict | None:
    data = conn.execute(_LOAD_CONFLICT, {"id": conflict_id}).scalar()
    return None if data is None else decode_record(FieldConflict, data)


def case_row(case: Case, seq: int) -> dict[str, object]:
    """The columns of a case row, all derived from the record itself."""
    return {
        "id": case.id,
        "number": case.number,
        "provisional_ref": case.provisional_ref,
        "centre": case.centre,
        "team": case.team,
        "assignee": case.assignee,
        "confidential": case.confidential,
        "status": case.status.value,
        "citizen_id": case.citizen_id,
        "reg_no": case.reg_no,
        "phone": case.phone,
        "registered_at": case.registered_at,
        "due_date": case.due_date,
        "seq": seq,
        "data": encode_record(case),
    }


def insert_case(conn: Connection, case: Case, seq: int) -> None:
    conn.execute(_INSERT_CASE, case_row(case, seq))


def update_case(conn: Connection, case: Case, seq: int) -> None:
    row = case_row(case, seq)
    row["case_id"] = row.pop("id")
    conn.execute(_UPDATE_CASE, row)


def insert_note(conn: Connection, note: Note, seq: int) -> None:
    row = {"id": note.id, "case_id": note.case_id, "seq": seq, "data": encode_record(note)}
    conn.execute(_INSERT_NOTE, row)


def insert_call(conn: Connection, call: Call, seq: int) -> None:
    row = {"id": call.id, "case_id": call.case_id, "seq": seq, "data": encode_record(call)}
    conn.execute(_INSERT_CALL, row)


def insert_timeline(conn: Connection, entries: Sequence[TimelineEntry], seq: int) -> list[int]:
    """Append the entries; returns their ids."""
    if not entries:
        return []
    rows = [{"case_id": e.case_id, "seq": seq, "data": encode_record(e)} for e in entries]
    return [int(i) for i in conn.execute(_INSERT_TIMELINE, rows).scalars()]


def save_conflict(conn: Connection, conflict: FieldConflict, seq: int) -> None:
    upsert(
        conn,
        conflicts,
        {
            "id": conflict.id,
            "case_id": conflict.case_id,
            "state": conflict.state.value,
            "seq": seq,
            "data": encode_record(conflict),
        },
        ["id"],
    )


def log_change(
    conn: Connection, seq: int, case_id: str, before: ScopeKey | None, after: ScopeKey
) -> None:
    """One change-log row: where the case stood for scoping before and after this change.

    A transaction that changes one case several times (a push's mutations share one) keeps one
    row with its number: where the case stood before the first change and after the last."""
    conn.execute(_log_change_statement(conn.dialect.name), change_row(seq, case_id, before, after))


@cache
def _log_change_statement(dialect: str) -> Any:
    """An insert that, when the transaction already logged the case, keeps the row's "before"
    and takes the new "after"."""
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(case_changes)
    after_columns = ("a_centre", "a_team", "a_assignee", "a_confidential")
    return stmt.on_conflict_do_update(
        index_elements=[case_changes.c.seq, case_changes.c.case_id],
        set_={name: stmt.excluded[name] for name in after_columns},
    )


def change_row(
    seq: int, case_id: str, before: ScopeKey | None, after: ScopeKey
) -> dict[str, object]:
    return {
        "seq": seq,
        "case_id": case_id,
        "created": before is None,
        "b_centre": before.centre if before else None,
        "b_team": before.team if before else None,
        "b_assignee": before.assignee if before else None,
        "b_confidential": before.confidential if before else None,
        "a_centre": after.centre,
        "a_team": after.team,
        "a_assignee": after.assignee,
        "a_confidential": after.confidential,
    }


def next_case_number(conn: Connection, year: int) -> int:
    """The next sequence number of `year`'s permanent case numbers (locked until commit)."""
    table = case_numbers
    dialect_insert = pg_insert if is_postgresql(conn) else sqlite_insert
    stmt = dialect_insert(table).values(year=year, last=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["year"], set_={"last": table.c.last + 1}
    ).returning(table.c.last)
    return int(conn.execute(stmt).scalar_one())


def set_case_number_floor(conn: Connection, year: int, last: int) -> None:
    """Make later numbers of `year` start after `last` (used after bulk seeding)."""
    current = conn.execute(select(case_numbers.c.last).where(case_numbers.c.year == year)).scalar()
    if current is None:
        conn.execute(insert(case_numbers).values(year=year, last=last))
    elif current < last:
        conn.execute(update(case_numbers).where(case_numbers.c.year == year).values(last=last))


def possible_duplicates(
    conn: Connection, case_id: str, reg_no: str | None, phone: str | None, limit: int = 5
) -> list[str]:
    """Other non-confidential cases with the same registration number or phone."""
    matches = []
    if reg_no:
        matches.append(cases.c.reg_no == reg_no)
    if phone:
        matches.append(cases.c.phone == phone)
    if not matches:
        return []
    stmt = (
        select(cases.c.id)
        .where(and_(or_(*matches), cases.c.id != case_id, cases.c.confidential.is_(False)))
        .order_by(cases.c.registered_at.desc())
        .limit(limit)
    )
    return list(conn.execute(stmt).scalars())


def citizen_known(conn: Connection, citizen_id: str) -> bool:
    return conn.execute(_CITIZEN_KNOWN, {"id": citizen_id}).first() is not None


def save_citizen(conn: Connection, citizen: CitizenRecord, seq: int) -> None:
    upsert(
        conn,
        citizens,
        {
            "id": citizen.id,
            "reg_no": citizen.reg_no,
            "phone": citizen.phone,
            "seq": seq,
            "data": dumps(citizen.model_dump()),
        },
        ["id"],
    )


def find_cases_by_number(conn: Connection, number: str) -> list[Case]:
    """Cases whose permanent number or provisional reference is `number`."""
    stmt = select(cases.c.data).where(
        or_(cases.c.number == number, cases.c.provisional_ref == number)
    )
    return [decode_record(Case, data) for data in conn.execute(stmt).scalars()]


def case_bundle(conn: Connection, case_id: str) -> dict[str, list[str]]:
    """The stored JSON of a case's notes, calls, timeline and conflicts (for a direct read)."""
    out: dict[str, list[str]] = {}
    for name, table in (("notes", notes), ("calls", calls), ("conflicts", conflicts)):
        stmt = select(table.c.data).where(table.c.case_id == case_id).order_by(table.c.seq)
        out[name] = list(conn.execute(stmt).scalars())
    stmt = (
        select(timeline.c.id, timeline.c.data)
        .where(timeline.c.case_id == case_id)
        .order_by(timeline.c.id)
    )
    out["timeline"] = [with_id(data, str(tid)) for tid, data in conn.execute(stmt)]
    return out
