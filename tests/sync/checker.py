"""The convergence checker: each desk's cache equals the server's view of that desk's scope, and
the server's audit log shows every mutation of every desk applied exactly once.

The server's view is read the way a brand-new desk of the same operator would see it: a pull
from scratch under a throwaway client id, applied to a plain dictionary (puts guarded by
version, removes cascading to the case's records). The desk's side is read straight from its
SQLite file (read-only), both the confirmed `srv_*` tables and the view the UI reads.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from central.data.tables import audit_log, mutation_results, sync_clients
from sync.http import CentralClient
from sync.protocol import PROTOCOL_SCHEMA_VERSION, PullResponse, parse_pull_answer

CHILD_TYPES = ("note", "call", "timeline", "conflict")


@dataclass
class ScopeView:
    """Cases and their records, as (version, data) by id; conflicts only while open (a first
    sync carries the open ones only)."""

    cases: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    children: dict[str, dict[str, tuple[int, dict[str, Any]]]] = field(
        default_factory=lambda: {kind: {} for kind in CHILD_TYPES}
    )

    def open_conflicts(self) -> dict[str, dict[str, Any]]:
        return {
            cid: data
            for cid, (_v, data) in self.children["conflict"].items()
            if data.get("state") == "open"
        }

    def comparable(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "note": self.children["note"],
            "call": self.children["call"],
            "timeline": {k: d for k, (_v, d) in self.children["timeline"].items()},
            "open_conflicts": self.open_conflicts(),
        }


def server_view(server_url: str, username: str, password: str) -> ScopeView:
    """What a fresh desk of `username` receives in a first sync."""
    view = ScopeView()
    with CentralClient(server_url, use_system_proxy=False) as client:
        grant = client.post(
            "/auth/login",
            {"username": username, "password": password, "device_name": "checker"},
            authenticated=False,
        )
        client.set_access_token(grant["access_token"])
        client_id = f"checker-{uuid.uuid4().hex[:12]}"
        cursor = None
        while True:
            body = client.post(
                "/sync/pull",
                {
                    "client_id": client_id,
                    "cursor": cursor,
                    "schema_version": PROTOCOL_SCHEMA_VERSION,
                    "limit": 1000,
                },
            )
            page = parse_pull_answer(body)
            assert isinstance(page, PullResponse), f"a first sync was reset: {body}"
            for op in body["ops"]:
                _apply(view, op)
            if not page.has_more:
                break
            cursor = page.cursor
        client.post("/auth/logout", {})
    return view


def _apply(view: ScopeView, op: dict[str, Any]) -> None:
    kind, rid = op["type"], op["id"]
    if kind == "case":
        if op["op"] == "put":
            held = view.cases.get(rid)
            if held is None or held[0] < op["version"]:
                view.cases[rid] = (op["version"], op["data"])
        else:
            view.cases.pop(rid, None)
            for records in view.children.values():
                for child_id in [c for c, (_v, d) in records.items() if d.get("case_id") == rid]:
                    del records[child_id]
    elif kind in CHILD_TYPES:
        records = view.children[kind]
        if op["op"] == "put":
            held = records.get(rid)
            if held is None or held[0] < op["version"]:
                records[rid] = (op["version"], op["data"])
        else:
            records.pop(rid, None)


def local_view(cache: Path) -> ScopeView:
    """What the desk's cache holds as confirmed by the server."""
    view = ScopeView()
    with _read_only(cache) as conn:
        rids: dict[int, str] = {}
        for rid, case_id, version, data in conn.execute(
            "SELECT v.rid, v.id, s.version, s.data FROM case_view v JOIN srv_case s USING (rid)"
        ):
            rids[rid] = case_id
            view.cases[case_id] = (version, json.loads(data))
        for kind in CHILD_TYPES:
            for _rid, child_id, version, data in conn.execute(
                f"SELECT case_rid, id, version, data FROM srv_{kind}"
            ):
                view.children[kind][child_id] = (version, json.loads(data))
    return view


class _read_only:
    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def __enter__(self) -> sqlite3.Connection:
        return self._conn

    def __exit__(self, *_exc: object) -> None:
        self._conn.close()


def view_problems(cache: Path) -> list[str]:
    """Inconsistencies of a cache that has nothing pending: the view must equal the
    confirmed state, with nothing left over from a replay."""
    problems: list[str] = []
    with _read_only(cache) as conn:
        checks = {
            "pending mutations": "SELECT count(*) FROM outbox",
            "view rows overlaid by a replay": (
                "SELECT count(*) FROM case_view WHERE data IS NOT NULL"
            ),
            "cases kept after leaving the scope": "SELECT count(*) FROM srv_case WHERE removed",
            "records of replays": "SELECT count(*) FROM pending_record",
            "view rows without a confirmed case": (
                "SELECT count(*) FROM case_view v LEFT JOIN srv_case s USING (rid)"
                " WHERE s.rid IS NULL"
            ),
            "view rows whose status or assignee differ from the confirmed case": (
                "SELECT count(*) FROM case_view v JOIN srv_case s USING (rid)"
                " WHERE v.status IS NOT json_extract(s.data, '$.status')"
                " OR v.assignee IS NOT json_extract(s.data, '$.assignee')"
            ),
        }
        for label, sql in checks.items():
            count = conn.execute(sql).fetchone()[0]
            if count:
                problems.append(f"{count} {label}")
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity[:3]}")
    return problems


def diff(local: ScopeView, server: ScopeView) -> list[str]:
    """Human-readable differences (first few of each kind)."""
    out: list[str] = []
    mine, theirs = local.comparable(), server.comparable()
    for part in mine:
        a, b = mine[part], theirs[part]
        only_local = sorted(set(a) - set(b))
        only_server = sorted(set(b) - set(a))
        differ = sorted(k for k in set(a) & set(b) if a[k] != b[k])
        if only_local:
            out.append(f"{part}: {len(only_local)} only on the desk, e.g. {only_local[:2]}")
        if only_server:
            out.append(f"{part}: {len(only_server)} only on the server, e.g. {only_server[:2]}")
        for key in differ[:2]:
            out.append(f"{part} {key}: desk {a[key]!r} != server {b[key]!r}")
        if len(differ) > 2:
            out.append(f"{part}: {len(differ)} differ in all")
    return out


def assert_converged(cache: Path, server_url: str, username: str, password: str) -> ScopeView:
    """The desk's cache is in step with the server's view of its scope."""
    problems = view_problems(cache)
    problems += diff(local_view(cache), server_view(server_url, username, password))
    assert not problems, "the desk did not converge:\n  " + "\n  ".join(problems)
    return local_view(cache)


@dataclass(frozen=True)
class DeskLedger:
    """What a desk itself knows of its mutations."""

    client_id: str
    made: int  # next_mutation_id - 1
    acknowledged: int  # the server's last_mutation_id, as last pulled
    results: dict[int, str]  # id -> status, as pulled


def desk_ledger(cache: Path) -> DeskLedger:
    with _read_only(cache) as conn:
        state = dict(conn.execute("SELECT key, value FROM sync_state"))
        results = dict(conn.execute("SELECT id, status FROM mutation_result"))
    return DeskLedger(
        str(state["client_id"]),
        int(state.get("next_mutation_id") or 1) - 1,
        int(state.get("last_mutation_id") or 0),
        {int(k): str(v) for k, v in results.items()},
    )


def audit_problems(engine: Engine, ledgers: list[DeskLedger]) -> list[str]:
    """The server's audit log against what the desks made: every mutation recorded exactly
    once, ids without holes, stored results agreeing with the audit and with the desk."""
    problems: list[str] = []
    with engine.connect() as conn:
        for ledger in ledgers:
            cid = ledger.client_id
            last = conn.execute(
                select(sync_clients.c.last_mutation_id).where(sync_clients.c.client_id == cid)
            ).scalar()
            last = int(last or 0)
            audited = conn.execute(
                select(audit_log.c.mutation_id, audit_log.c.status).where(
                    audit_log.c.client_id == cid, audit_log.c.mutation_id.is_not(None)
                )
            ).all()
            stored = dict(
                conn.execute(
                    select(mutation_results.c.mutation_id, mutation_results.c.status).where(
                        mutation_results.c.client_id == cid
                    )
                ).all()
            )
            times = Counter(m for m, _s in audited)
            expected = list(range(1, last + 1))
            say = problems.append
            twice = sorted(m for m, n in times.items() if n > 1)
            if twice:
                say(f"{cid}: mutations recorded more than once: {twice[:5]}")
            if sorted(times) != expected:
                missing = sorted(set(expected) - set(times))
                extra = sorted(set(times) - set(expected))
                say(f"{cid}: audit ids not 1..{last}: missing {missing[:5]}, extra {extra[:5]}")
            if last != ledger.made:
                say(f"{cid}: the server applied up to {last}, the desk made {ledger.made}")
            if ledger.acknowledged != last:
                say(f"{cid}: the desk heard of {ledger.acknowledged}, the server has {last}")
            # Retention prunes stored results with the change log; the audit keeps all.
            if not set(stored) <= set(expected):
                say(f"{cid}: stored results beyond 1..{last}: {sorted(set(stored))[-3:]}")
            audited_as = dict(audited)
            for mid, status in stored.items():
                if audited_as.get(mid) != status:
                    say(f"{cid}: mutation {mid} is {status}, audited {audited_as.get(mid)}")
                if mid in ledger.results and ledger.results[mid] != status:
                    say(f"{cid}: mutation {mid} is {status}, the desk says {ledger.results[mid]}")
            bad = sorted({s for _m, s in audited} - {"applied", "rejected", "conflict"})
            if bad:
                problems.append(f"{cid}: audit statuses {bad}")
    return problems


def assert_audit_holds(engine: Engine, caches: list[Path]) -> None:
    problems = audit_problems(engine, [desk_ledger(c) for c in caches])
    assert not problems, "audit invariants broken:\n  " + "\n  ".join(problems)
