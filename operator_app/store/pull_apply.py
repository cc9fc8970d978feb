"""Applying pulled ops: version-guarded upserts and the view rebuilt for the touched cases.

Runs on the writer's connection inside the writer's transaction; one call is one chunk.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from operator_app.store import bulk_load
from operator_app.store.columns import phone_reversed, view_row
from operator_app.store.local_view import (
    INSERT_VIEW,
    ViewContext,
    ViewState,
    delete_case,
    dumps,
    loads,
    rebase_case,
    set_doc,
    write_view_rows,
)
from operator_app.store.page import CHILD_TABLES, REFERENCE_TYPES
from operator_app.store.search_text import case_doc, name_words, note_bodies

Op = Mapping[str, Any]
# SQLite's bound-parameter limit is far higher; this keeps each IN list's plan cheap.
_LOOKUP_BATCH = 500


@dataclass(slots=True)
class ChunkOutcome:
    """What one chunk changed, for announcements and the page summary."""

    case_ids: set[str] = field(default_factory=set)
    rids: set[int] = field(default_factory=set)
    reference_types: set[str] = field(default_factory=set)
    citizens: bool = False
    applied: int = 0
    skipped: int = 0

    def merge(self, other: ChunkOutcome) -> None:
        self.case_ids |= other.case_ids
        self.rids |= other.rids
        self.reference_types |= other.reference_types
        self.citizens = self.citizens or other.citizens
        self.applied += other.applied
        self.skipped += other.skipped


@dataclass(slots=True)
class _Known:
    """A case the view holds: its rid and the version of its confirmed state."""

    rid: int
    version: int | None
    removed: bool


def _batches(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _LOOKUP_BATCH):
        yield items[start : start + _LOOKUP_BATCH]


def grouped_by_case(ops: Sequence[Op]) -> Sequence[Op]:
    """A page of whole cases with each case's records right after it.

    The central service sends whole cases kind by kind: every case, then every note, call,
    timeline entry and conflict, then the cases' citizens. Applied in that order, a batch
    held cases and no records, and each case's search document was folded twice: when the
    case came, and again, its notes read back, when they did (at 20,000 cases that second
    fold and its reads were 42% of the apply time). Reordered, a case and its records go in
    one batch (`_chunk_end` never splits them) and its document is folded once.

    Only a page of exactly that form is reordered (other ops, then case puts, then puts of
    their records, then puts of citizens): the records of one case keep their order, and no
    record moves before its case or across a remove or a citizen. Anything else is returned
    as it is.
    """
    first = next((i for i, op in enumerate(ops) if op["type"] == "case"), None)
    if first is None:
        return ops
    groups: dict[str, list[Op]] = {}
    in_order: list[list[Op]] = []
    end = first
    while end < len(ops) and ops[end]["type"] == "case":
        op = ops[end]
        if op["op"] != "put":
            return ops
        group = groups.get(op["id"])
        if group is None:
            group = groups[op["id"]] = []
            in_order.append(group)
        group.append(op)
        end += 1
    if end == len(ops):
        return ops  # no records: nothing to move
    others: list[Op] = []  # records of cases the page does not carry
    citizens: list[Op] = []  # the service sends the cases' citizens last
    for op in ops[end:]:
        if op["op"] != "put":
            return ops
        record_type = op["type"]
        if record_type == "citizen":
            citizens.append(op)
        elif record_type in CHILD_TABLES and not citizens:
            group = groups.get(op["data"]["case_id"])
            (others if group is None else group).append(op)
        else:
            return ops
    grouped = list(ops[:first])
    for group in in_order:
        grouped.extend(group)
    grouped.extend(others)
    grouped.extend(citizens)
    return grouped


class OpsApplier:
    """Applies a chunk of ops in order: runs of puts in batches, each remove on its own."""

    def __init__(self, conn: sqlite3.Connection, vs: ViewState, ctx: ViewContext) -> None:
        self._conn = conn
        self._vs = vs
        self._ctx = ctx
        self._bulk = bulk_load.active(conn)
        self._insert_doc = (
            "INSERT INTO deferred_doc(rid, doc) VALUES (?, ?)"
            if self._bulk
            else "INSERT INTO case_fts(rowid, doc) VALUES (?, ?)"
        )

    def apply(self, ops: Sequence[Op]) -> ChunkOutcome:
        outcome = ChunkOutcome()
        run: list[Op] = []
        for op in ops:
            if op["op"] == "put":
                run.append(op)
                continue
            if run:
                self._puts(run, outcome)
                run = []
            self._remove(op, outcome)
        if run:
            self._puts(run, outcome)
        return outcome

    # -- lookups ---------------------------------------------------------------------------

    def _known(self, ids: Iterable[str]) -> dict[str, _Known]:
        known: dict[str, _Known] = {}
        wanted = list(dict.fromkeys(ids))
        for batch in _batches(wanted):
            for case_id, rid, version, removed in self._conn.execute(
                "SELECT v.id, v.rid, s.version, s.removed FROM case_view v"
                " LEFT JOIN srv_case s ON s.rid = v.rid"
                f" WHERE v.id IN ({','.join('?' * len(batch))})",
                batch,
            ):
                known[case_id] = _Known(rid, version, bool(removed))
        return known

    # -- puts ------------------------------------------------------------------------------

    def _puts(self, ops: list[Op], outcome: ChunkOutcome) -> None:
        conn, vs, ctx = self._conn, self._vs, self._ctx
        by_type: dict[str, list[Op]] = {}
        for op in ops:
            record_type = op["type"]
            bucket = by_type.get(record_type)
            if bucket is None:
                bucket = by_type[record_type] = []
            bucket.append(op)
        case_ops = by_type.pop("case", [])
        child_case_ids = [
            op["data"]["case_id"] for t in CHILD_TABLES if t in by_type for op in by_type[t]
        ]
        known = self._known([op["id"] for op in case_ops] + child_case_ids)

        # Version guard: keep each case's newest put above what is stored.
        latest: dict[str, Op] = {}
        for op in case_ops:
            case_id = op["id"]
            seen = latest.get(case_id)
            if seen is not None:
                floor = seen["version"]  # above the stored version, or it would not be here
            else:
                k = known.get(case_id)
                floor = -1 if k is None or k.version is None else k.version
            if op["version"] <= floor:
                outcome.skipped += 1
                continue
            latest[case_id] = op
        new_ids: set[str] = set()
        for case_id in latest:
            if case_id not in known:
                known[case_id] = _Known(vs.allocate_rid(), None, False)
                new_ids.add(case_id)

        conflict_rids = self._conflicts(by_type.get("conflict", []), known)
        pending = vs.pending
        pending_ids = {case_id for case_id in latest if pending.get(case_id)}

        # View rows before confirmed rows: the confirmed rows refer to them. A new case's row
        # is inserted; a held case's row is diffed (an upsert rewrote its entry in all of the
        # view's indexes); a pending case's row is left to its rebase below.
        new_rows = []
        held_rows = []
        srv_rows = []
        due_soon = ctx.due_soon
        for case_id, op in latest.items():
            k = known[case_id]
            data = op["data"]
            version = op["version"]
            if case_id in new_ids or case_id not in pending_ids:
                row = view_row(
                    k.rid,
                    data,
                    sync_state=vs.sync_state(case_id, k.rid),
                    local_json=None,
                    due_soon=due_soon,
                )
                (new_rows if case_id in new_ids else held_rows).append(row)
            srv_rows.append((k.rid, version, dumps(data)))
            k.version, k.removed = version, False
        conn.executemany(INSERT_VIEW, new_rows)
        if held_rows:
            write_view_rows(conn, held_rows)
        conn.executemany(
            "INSERT INTO srv_case(rid, version, removed, data) VALUES (?, ?, 0, ?)"
            " ON CONFLICT(rid) DO UPDATE SET version = excluded.version, removed = 0,"
            " data = excluded.data",
            srv_rows,
        )
        outcome.applied += len(latest)

        new_notes: dict[str, list[str]] = {}
        notes_changed: set[str] = set()
        touched: set[str] = set(latest)
        for record_type, table in CHILD_TABLES.items():
            child_ops = by_type.get(record_type)
            if not child_ops:
                continue
            rows = []
            is_conflict = record_type == "conflict"
            is_note = record_type == "note"
            for op in child_ops:
                data = op["data"]
                case_id = data["case_id"]
                k = known.get(case_id)
                if k is None:
                    outcome.skipped += 1  # a record of a case outside this desk's view
                    continue
                touched.add(case_id)
                if is_conflict:
                    rows.append(
                        (k.rid, op["id"], op["version"], str(data.get("state")), dumps(data))
                    )
                else:
                    rows.append((k.rid, op["id"], op["version"], dumps(data)))
                if is_note:
                    notes_changed.add(case_id)
                    if case_id in new_ids:
                        new_notes.setdefault(case_id, []).append(str(data.get("body") or ""))
            if not rows:
                continue
            columns = (
                "case_rid, id, version, state, data"
                if is_conflict
                else "case_rid, id, version, data"
            )
            updates = "version = excluded.version, data = excluded.data" + (
                ", state = excluded.state" if is_conflict else ""
            )
            cursor = conn.executemany(
                f"INSERT INTO {table}({columns}) VALUES ({','.join('?' * len(rows[0]))})"
                f" ON CONFLICT(case_rid, id) DO UPDATE SET {updates}"
                f" WHERE excluded.version > {table}.version",
                rows,
            )
            outcome.applied += cursor.rowcount
            outcome.skipped += len(rows) - cursor.rowcount

        # Search documents: new cases from what this chunk carried, others re-read.
        new_docs = [
            (known[case_id].rid, case_doc(op["data"], new_notes.get(case_id, ())))
            for case_id, op in latest.items()
            if case_id in new_ids and case_id not in pending_ids
        ]
        # In rowid order: FTS5 flushes its pending terms whenever a rowid goes backwards.
        new_docs.sort()
        # During a first sync, indexed in bulk at its end (bulk_load.py), and their words
        # taken into the vocabulary from the index then, not a page at a time here.
        if not self._bulk:
            vs.vocabulary.add(conn, (doc for _, doc in new_docs))
        elif new_docs:
            bulk_load.defer_terms(conn)
        conn.executemany(self._insert_doc, new_docs)
        for case_id in (set(latest) | notes_changed) - new_ids - pending_ids:
            rid = known[case_id].rid
            data = latest[case_id]["data"] if case_id in latest else self._confirmed(rid)
            if data is not None:
                set_doc(conn, vs, rid, case_doc(data, note_bodies(conn, rid)))

        # A conflict opened or closed changes the row's sync state, nothing else.
        for case_id, rid in conflict_rids.items():
            if case_id not in latest and case_id not in pending_ids:
                conn.execute(
                    "UPDATE case_view SET sync_state = ? WHERE rid = ?",
                    (vs.sync_state(case_id, rid).value, rid),
                )
        for case_id in touched & set(vs.pending):
            if vs.pending.get(case_id):
                rebase_case(conn, vs, ctx, case_id)
        for case_id in touched:
            outcome.case_ids.add(case_id)
            outcome.rids.add(known[case_id].rid)

        self._citizens(by_type.get("citizen", []), outcome)
        self._references(
            [op for t in REFERENCE_TYPES if t in by_type for op in by_type[t]], outcome
        )

    def _confirmed(self, rid: int) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT data FROM srv_case WHERE rid = ?", (rid,)).fetchone()
        return loads(row[0]) if row else None

    def _conflicts(self, ops: list[Op], known: dict[str, _Known]) -> dict[str, int]:
        """Track open conflicts in memory; the cases whose conflicts changed."""
        changed: dict[str, int] = {}
        for op in ops:
            data = op["data"]
            k = known.get(data["case_id"])
            if k is None:
                continue
            open_ids = self._vs.open_conflicts.setdefault(k.rid, set())
            if data.get("state") == "open":
                open_ids.add(op["id"])
            else:
                open_ids.discard(op["id"])
            changed[data["case_id"]] = k.rid
        return changed

    def _citizens(self, ops: list[Op], outcome: ChunkOutcome) -> None:
        if not ops:
            return
        conn = self._conn
        stored: dict[str, tuple[int, int]] = {}
        ids = list(dict.fromkeys(op["id"] for op in ops))
        for batch in _batches(ids):
            for citizen_id, rowid, version in conn.execute(
                "SELECT id, rowid, version FROM srv_citizen"
                f" WHERE id IN ({','.join('?' * len(batch))})",
                batch,
            ):
                stored[citizen_id] = (rowid, version)
        rows = []
        docs_new = []
        docs_changed = []
        for op in ops:
            citizen_id, version, data = op["id"], op["version"], op["data"]
            if citizen_id in stored and version <= stored[citizen_id][1]:
                outcome.skipped += 1
                continue
            existing = stored.get(citizen_id)
            rowid = existing[0] if existing else self._vs.allocate_citizen_rowid()
            stored[citizen_id] = (rowid, version)
            name = str(data.get("name") or "")
            phone = data.get("phone")
            rows.append(
                (
                    rowid,
                    citizen_id,
                    version,
                    name,
                    data.get("reg_no"),
                    phone,
                    phone_reversed(phone),
                    str(data.get("address") or ""),
                    data.get("location"),
                )
            )
            (docs_changed if existing else docs_new).append((rowid, " ".join(name_words(name))))
        conn.executemany(
            "INSERT INTO srv_citizen(rowid, id, version, name, reg_no, phone, phone_rev, address,"
            " location) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(rowid) DO UPDATE SET"
            " version = excluded.version, name = excluded.name, reg_no = excluded.reg_no,"
            " phone = excluded.phone, phone_rev = excluded.phone_rev,"
            " address = excluded.address, location = excluded.location",
            rows,
        )
        conn.executemany("DELETE FROM citizen_fts WHERE rowid = ?", [(r,) for r, _ in docs_changed])
        conn.executemany(
            "INSERT INTO citizen_fts(rowid, name) VALUES (?, ?)", docs_new + docs_changed
        )
        outcome.applied += len(rows)
        outcome.citizens = outcome.citizens or bool(rows)

    def _references(self, ops: list[Op], outcome: ChunkOutcome) -> None:
        for op in ops:
            cursor = self._conn.execute(
                "INSERT INTO ref_item(type, id, version, data) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(type, id) DO UPDATE SET version = excluded.version,"
                " data = excluded.data WHERE excluded.version > ref_item.version",
                (op["type"], op["id"], op["version"], dumps(op["data"])),
            )
            if cursor.rowcount:
                outcome.applied += 1
                outcome.reference_types.add(op["type"])
            else:
                outcome.skipped += 1

    # -- removes ---------------------------------------------------------------------------

    def _remove(self, op: Op, outcome: ChunkOutcome) -> None:
        conn, vs = self._conn, self._vs
        record_type, record_id = op["type"], op["id"]
        if record_type == "case":
            k = self._known([record_id]).get(record_id)
            if k is None:
                outcome.skipped += 1
                return
            if vs.pending.get(record_id):
                # Keep the confirmed state until the pending mutations' results come back.
                conn.execute("UPDATE srv_case SET removed = 1 WHERE rid = ?", (k.rid,))
                rebase_case(conn, vs, self._ctx, record_id)
            else:
                delete_case(conn, k.rid)
                vs.open_conflicts.pop(k.rid, None)
            outcome.applied += 1
            outcome.case_ids.add(record_id)
            outcome.rids.add(k.rid)
        elif record_type in CHILD_TABLES:
            self._remove_child(op, outcome)
        elif record_type == "citizen":
            rows = conn.execute(
                "DELETE FROM srv_citizen WHERE id = ? RETURNING rowid", (record_id,)
            ).fetchall()
            for (rowid,) in rows:
                conn.execute("DELETE FROM citizen_fts WHERE rowid = ?", (rowid,))
            outcome.applied += len(rows)
            outcome.citizens = outcome.citizens or bool(rows)
        else:
            cursor = conn.execute(
                "DELETE FROM ref_item WHERE type = ? AND id = ?", (record_type, record_id)
            )
            if cursor.rowcount:
                outcome.reference_types.add(record_type)
            outcome.applied += cursor.rowcount

    def _remove_child(self, op: Op, outcome: ChunkOutcome) -> None:
        conn, vs = self._conn, self._vs
        record_type, record_id = op["type"], op["id"]
        table = CHILD_TABLES[record_type]
        case_hint = op.get("case_id")
        if isinstance(case_hint, str):
            rows = conn.execute(
                f"DELETE FROM {table} WHERE id = ? AND case_rid ="
                " (SELECT rid FROM case_view WHERE id = ?) RETURNING case_rid",
                (record_id, case_hint),
            ).fetchall()
        else:
            # The protocol's remove carries no case id: a scan, but child removals are rare
            # (records are append-only; whole cases leave a scope as one remove).
            rows = conn.execute(
                f"DELETE FROM {table} WHERE id = ? RETURNING case_rid", (record_id,)
            ).fetchall()
        for (rid,) in rows:
            case_id = conn.execute("SELECT id FROM case_view WHERE rid = ?", (rid,)).fetchone()[0]
            if record_type == "conflict":
                vs.open_conflicts.get(rid, set()).discard(record_id)
            if vs.pending.get(case_id):
                rebase_case(conn, vs, self._ctx, case_id)
            elif record_type == "note":
                data = self._confirmed(rid)
                if data is not None:
                    set_doc(conn, vs, rid, case_doc(data, note_bodies(conn, rid)))
            elif record_type == "conflict":
                conn.execute(
                    "UPDATE case_view SET sync_state = ? WHERE rid = ?",
                    (vs.sync_state(case_id, rid).value, rid),
                )
            outcome.case_ids.add(case_id)
            outcome.rids.add(rid)
        outcome.applied += len(rows)
        outcome.skipped += 0 if rows else 1
