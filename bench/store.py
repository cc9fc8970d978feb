"""Benchmark of the local store at scale (not a test): `python -m bench.store --cases 1000000`.

Builds a cache from synthetic pulled pages (Mongolian names, registration and phone numbers,
places, notes in Cyrillic), then measures, in one run: the first sync's load rate (every case
over every second, the index build its last page triggers included), its pages' rate and
their ratio to a plain `executemany` of the same rows into the same tables (on a connection
with the store's own settings); then pages of new cases into the full cache with every index
in place, and their ratio to the plain `executemany`; the queue views, a supervisor's
workload counts, a page of rows, the lookups and free-text search, local saves alone and while
pages are applied, a supervisor's bulk reassignment of 500 cases, the file size per case and
peak memory. Each figure is a median over repeated runs.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report import Figure, median_ms, table, write_json
from operator_app.domain.deadlines import DeadlineState
from operator_app.domain.model import Actor, Role
from operator_app.domain.mutations import AddNote, ReassignCase
from operator_app.domain.records import record_to_json
from operator_app.domain.translit import to_latin
from operator_app.reference import default_rules
from operator_app.store import QueueFilter, Sort, SortKey, Store, WorkloadCounts, bulk_load
from operator_app.store.columns import CaseSyncState, DueSoon, view_row
from operator_app.store.connection import open_writer
from operator_app.store.local_view import dumps
from operator_app.store.search_text import case_doc
from operator_app.synthetic import (
    CaseBundle,
    DemoDirectory,
    case_bundles,
    citizens,
    demo_directory,
)

NOW = datetime(2026, 5, 1, 4, 0, tzinfo=UTC)
# The generator numbers cases YYYY-NNNNNN: at most 999,999 per year, so larger runs take
# their next block of cases from the year before.
BLOCK = 999_999


# -- synthetic pulled pages ------------------------------------------------------------------


def bundle_ops(bundle: CaseBundle, case_id: str) -> list[dict[str, Any]]:
    """A bundle as the central service sends it, under the case id the keyset order gives it."""
    data = record_to_json(bundle.case)
    data["id"] = case_id
    ops = [{"op": "put", "type": "case", "id": case_id, "version": 1, "data": data}]
    for kind, records in (("note", bundle.notes), ("call", bundle.calls)):
        for record in records:
            child = record_to_json(record)
            child["case_id"] = case_id
            ops.append({"op": "put", "type": kind, "id": child["id"], "version": 1, "data": child})
    for k, entry in enumerate(bundle.timeline):
        child = record_to_json(entry)
        child["case_id"] = case_id
        child["id"] = f"{case_id}:{k}"
        ops.append(
            {"op": "put", "type": "timeline", "id": child["id"], "version": 1, "data": child}
        )
    return ops


def case_pages(n: int, page_size: int, seed: int) -> Iterator[list[dict[str, Any]]]:
    """Pages of ops in case-id order, as a first sync sends them (keyset by case id)."""
    rng = random.Random(seed)
    ids = sorted(str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n))
    directory, rules = demo_directory(), default_rules()
    people = citizens(max(50, n // 3), seed)
    done = 0
    ops: list[dict[str, Any]] = []
    in_page = 0
    for block in range(0, n, BLOCK):
        count = min(BLOCK, n - block)
        now = NOW - timedelta(days=365 * (block // BLOCK))
        for bundle in case_bundles(
            count, seed=seed + block, now=now, directory=directory, rules=rules, people=people
        ):
            ops.extend(bundle_ops(bundle, ids[done]))
            done += 1
            in_page += 1
            if in_page == page_size:
                yield ops
                ops, in_page = [], 0
    if ops:
        yield ops


def citizen_pages(n: int, page_size: int, seed: int) -> Iterator[list[dict[str, Any]]]:
    people = citizens(max(50, n // 3), seed)
    for start in range(0, len(people), page_size):
        yield [
            {
                "op": "put",
                "type": "citizen",
                "id": p.id,
                "version": 1,
                "data": {
                    "id": p.id,
                    "name": p.name,
                    "reg_no": p.reg_no,
                    "phone": p.phone,
                    "address": p.address,
                    "location": p.location,
                },
            }
            for p in people[start : start + page_size]
        ]


def as_page(ops: list[dict[str, Any]], cursor: int, *, has_more: bool = True) -> dict[str, Any]:
    return {
        "cursor": f"bench-{cursor}",
        "has_more": has_more,
        "last_mutation_id": 0,
        "server_time": NOW.isoformat(),
        "ops": ops,
        "mutation_results": [],
    }


# -- the plain-executemany baseline ------------------------------------------------------------


def plain_rows(ops: list[dict[str, Any]], rid0: int, due_soon: DueSoon) -> dict[str, list[tuple]]:
    """The rows the store writes for these ops, under fresh ids and rids (nothing else)."""
    rows: dict[str, list[tuple]] = {
        "view": [],
        "srv": [],
        "fts": [],
        "note": [],
        "call": [],
        "timeline": [],
    }
    rid = rid0
    rid_of: dict[str, int] = {}
    notes: dict[int, list[str]] = {}
    cases: dict[int, dict[str, Any]] = {}
    for op in ops:
        data = op["data"]
        if op["type"] == "case":
            rid += 1
            data = {**data, "id": "plain-" + data["id"]}
            rid_of[op["id"]] = rid
            cases[rid] = data
            rows["view"].append(
                view_row(
                    rid, data, sync_state=CaseSyncState.SYNCED, local_json=None, due_soon=due_soon
                )
            )
            rows["srv"].append((rid, op["version"], dumps(data)))
        else:
            case_rid = rid_of[data["case_id"]]
            rows[op["type"]].append((case_rid, "plain-" + op["id"], op["version"], dumps(data)))
            if op["type"] == "note":
                notes.setdefault(case_rid, []).append(data["body"])
    rows["fts"] = [(r, case_doc(d, notes.get(r, ()))) for r, d in cases.items()]
    return rows


def plain_insert(path: Path, rows: dict[str, list[tuple]]) -> float:
    """Seconds to executemany the rows into the same tables, one transaction; then undone."""
    # The store's own connection settings (page cache and all): the same work, done plainly.
    conn = open_writer(path)
    width = len(rows["view"][0])
    # Where the store puts documents: during a first sync they wait to be indexed at its end.
    docs = "deferred_doc(rid, doc)" if bulk_load.active(conn) else "case_fts(rowid, doc)"
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(f"INSERT INTO case_view VALUES ({','.join('?' * width)})", rows["view"])
    conn.executemany("INSERT INTO srv_case(rid, version, data) VALUES (?, ?, ?)", rows["srv"])
    for kind in ("note", "call", "timeline"):
        conn.executemany(f"INSERT INTO srv_{kind} VALUES (?, ?, ?, ?)", rows[kind])
    conn.executemany(f"INSERT INTO {docs} VALUES (?, ?)", rows["fts"])
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    rids = [(r[0],) for r in rows["view"]]
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("DELETE FROM case_fts WHERE rowid = ?", rids)
    conn.executemany("DELETE FROM case_view WHERE rid = ?", rids)
    conn.execute("COMMIT")
    conn.close()
    return elapsed


# -- bulk work -------------------------------------------------------------------------------


def bulk_reassignment(store: Store, directory: DemoDirectory, repeats: int) -> Figure:
    """A supervisor hands 500 open cases of the centre to one operator (submit_many), until
    the queue they watch shows it: every result back and the centre's queue re-read."""
    team = "t1111-b"
    sup = next(o for o in directory.operators if o.id == f"sup-{team}")
    boss = Actor(sup.id, Role.SUPERVISOR, frozenset(sup.centres), frozenset(sup.teams), team)
    view = QueueFilter(centres=frozenset({"c1111"}), open_only=True)
    crew = [o.id for o in directory.operators if team in o.teams and o.role is Role.OPERATOR]
    open_rids = store.queue_ids(view, Sort(SortKey.REGISTERED_AT))
    times = []
    queued = sent = 0
    for k in range(max(3, repeats // 3)):
        to = crew[k % len(crew)]
        rows = store.rows(open_rids[k * 600 : (k + 1) * 600])
        batch = [
            ReassignCase(row.id, row.assignee, to, reason="ачаалал тэнцвэржүүлэх")
            for row in rows
            if row.assignee != to
        ][:500]
        start = time.perf_counter()
        results = store.submit_many(batch, boss).result()
        store.queue_ids(view, Sort(SortKey.DUE_DATE))
        times.append((time.perf_counter() - start) * 1000)
        queued += sum(r.queued for r in results)
        sent += len(batch)
    times.sort()
    return Figure(
        "bulk reassignment of 500 cases (submit_many)",
        statistics.median(times),
        "ms",
        2000,
        note=f"{times[0]:.0f}–{times[-1]:.0f}; {queued} of {sent} queued",
    )


# -- the run ---------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> list[Figure]:
    n, page_size, repeats = args.cases, args.page_size, args.repeats
    workdir = Path(args.dir or tempfile.mkdtemp(prefix="bench-store-"))
    workdir.mkdir(parents=True, exist_ok=True)  # a --dir that does not exist yet
    path = workdir / "cache.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    store = Store.open(path, clock=lambda: NOW, durable_saves=args.durable_saves)
    due_soon = DueSoon(default_rules())
    figures: list[Figure] = []
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if args.verbose else (lambda *a: None)

    cursor = 0
    for ops in citizen_pages(n, 5000, args.seed):
        cursor += 1
        store.apply_page(as_page(ops, cursor)).result()
    log(f"citizens applied ({n // 3})")

    # The first sync: every page but the last ones, which are kept back for the incremental
    # pages into the full cache and the "saves while pages are applied" phase. Its last page
    # says has_more=false: the store then builds the indexes it deferred (bulk_load.py), and
    # that page's time includes them.
    reserve_cases = max(page_size * 10, n // 20)
    first_sync_cases = n - reserve_cases
    samples_every = max(1, first_sync_cases // page_size // 8)
    rates: list[float] = []
    ratios: list[float] = []
    reserved: list[list[dict[str, Any]]] = []
    applied_cases = 0
    generated = 0
    gen_seconds = 0.0
    sync_seconds = 0.0
    last_page_seconds = 0.0
    t_gen = time.perf_counter()
    for index, ops in enumerate(case_pages(n, page_size, args.seed)):
        gen_seconds += time.perf_counter() - t_gen
        cases = sum(1 for op in ops if op["type"] == "case")
        generated += cases
        if generated > first_sync_cases:
            reserved.append(ops)
            t_gen = time.perf_counter()
            continue
        last = generated + page_size > first_sync_cases
        plain = None
        if index % samples_every == samples_every - 1 and not last:
            rows = plain_rows(ops, 2_000_000_000 + index * page_size * 2, due_soon)
            plain = plain_insert(path, rows)
        cursor += 1
        start = time.perf_counter()
        store.apply_page(as_page(ops, cursor, has_more=not last)).result()
        ours = time.perf_counter() - start
        sync_seconds += ours
        if last:
            last_page_seconds = ours
        else:
            rates.append(cases / ours)
        if plain is not None:
            ratios.append(plain / ours)
            log(f"{applied_cases + cases:>9} cases  ratio {plain / ours:.2f}  {cases / ours:.0f}/s")
        applied_cases += cases
        t_gen = time.perf_counter()
    log(
        f"first sync: {applied_cases} cases in {sync_seconds:.0f}s (last page"
        f" {last_page_seconds:.1f}s); generating pages took {gen_seconds:.0f}s"
    )
    figures.append(
        Figure(
            "first sync: load rate incl. index build",
            applied_cases / sync_seconds,
            "cases/s",
            20_000,
            True,
            f"{applied_cases} cases / {sync_seconds:.0f} s, every page and the build",
        )
    )
    rates.sort()
    figures.append(
        Figure(
            "first sync: page apply rate (indexes deferred)",
            statistics.median(rates),
            "cases/s",
            note=f"p10 {rates[len(rates) // 10]:.0f} – p90 "
            f"{rates[len(rates) * 9 // 10]:.0f}, {len(rates)} pages of {page_size}",
        )
    )
    ratios.sort()
    figures.append(
        Figure(
            "first sync: page / plain executemany",
            statistics.median(ratios),
            "ratio",
            note=f"{ratios[0]:.2f}–{ratios[-1]:.2f}, {len(ratios)} sample pages, same tables",
        )
    )
    figures.append(
        Figure(
            "first sync: last page with the index build",
            last_page_seconds,
            "s",
            note=f"{len(bulk_load.droppable(store._conn()))} view indexes in place after it",
        )
    )

    # -- incremental pages into the full cache, every index in place ---------------------
    incremental = reserved[: max(3, min(8, len(reserved) // 4))]
    reserved = reserved[len(incremental) :]
    inc_rates: list[float] = []
    inc_ratios: list[float] = []
    for k, ops in enumerate(incremental):
        cases = sum(1 for op in ops if op["type"] == "case")
        rows = plain_rows(ops, 2_100_000_000 + k * page_size * 2, due_soon)
        plain = plain_insert(path, rows)
        cursor += 1
        start = time.perf_counter()
        store.apply_page(as_page(ops, cursor)).result()
        ours = time.perf_counter() - start
        inc_rates.append(cases / ours)
        inc_ratios.append(plain / ours)
        applied_cases += cases
        log(f"incremental {applied_cases:>9} cases  ratio {plain / ours:.2f}  {cases / ours:.0f}/s")
    inc_rates.sort()
    inc_ratios.sort()
    figures.append(
        Figure(
            "pulled-page apply rate, full cache (FTS, all indexes)",
            statistics.median(inc_rates),
            "cases/s",
            20_000,
            True,
            f"{inc_rates[0]:.0f}–{inc_rates[-1]:.0f}, {len(inc_rates)} pages of {page_size}"
            f" at {applied_cases} cases",
        )
    )
    figures.append(
        Figure(
            "apply rate / plain executemany, full cache",
            statistics.median(inc_ratios),
            "ratio",
            0.5,
            True,
            f"{inc_ratios[0]:.2f}–{inc_ratios[-1]:.2f}, same pages",
        )
    )

    # -- queue views ---------------------------------------------------------------------
    directory = demo_directory()
    conn = sqlite3.connect(str(path))
    me = conn.execute(
        "SELECT assignee FROM case_view WHERE team = 't1111-a' AND assignee IS NOT NULL"
        " GROUP BY assignee ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    sample_citizen = conn.execute(
        "SELECT name, reg_no, phone FROM srv_citizen WHERE rowid = ?", (max(1, n // 7),)
    ).fetchone()
    conn.close()
    views = [
        (
            "my open cases by deadline",
            QueueFilter(assignees=frozenset({me}), open_only=True),
            Sort(SortKey.DUE_DATE),
        ),
        (
            "team unassigned by age",
            QueueFilter(teams=frozenset({"t1111-a"}), unassigned=True, open_only=True),
            Sort(SortKey.REGISTERED_AT),
        ),
        (
            "centre-wide overdue",
            QueueFilter(centres=frozenset({"c1111"}), deadline=frozenset({DeadlineState.OVERDUE})),
            Sort(SortKey.DUE_DATE),
        ),
        (
            "a category in one aimag",
            QueueFilter(categories=frozenset({"utilities_and_heating"}), aimags=frozenset({"11"})),
            Sort(SortKey.REGISTERED_AT, descending=True),
        ),
        (
            "text filter",
            QueueFilter(text="халаалт", open_only=True),
            Sort(SortKey.REGISTERED_AT, True),
        ),
    ]
    biggest: list[int] = []
    for name, f, sort in views:
        ms, spread, ids = median_ms(lambda f=f, sort=sort: store.queue_ids(f, sort), repeats)
        assert isinstance(ids, list)
        biggest = ids if len(ids) > len(biggest) else biggest
        figures.append(
            Figure(f"queue_ids: {name}", ms, "ms", 250, note=f"{spread}; {len(ids)} ids")
        )
    # The supervisor desk's workload board and deadline watch: one GROUP BY over the open
    # cases of the biggest centre, per assignee, team, centre and agency.
    ms, spread, counts = median_ms(lambda: store.workload_counts({"c1111"}), repeats)
    assert isinstance(counts, WorkloadCounts)
    open_cases = sum(c.open for c in counts.by_centre.values())
    groups = len(counts.by_assignee) + len(counts.by_team) + len(counts.by_agency)
    figures.append(
        Figure(
            "workload_counts: a centre's board",
            ms,
            "ms",
            250,
            note=f"{spread}; {open_cases} open cases, {groups} groups",
        )
    )
    offset = len(biggest) // 2
    page_ids = biggest[offset : offset + 100]
    ms, spread, _ = median_ms(lambda: store.rows(page_ids), repeats * 5)
    figures.append(Figure("rows: a 100-row page", ms, "ms", 5, note=spread))

    # -- search --------------------------------------------------------------------------
    name, reg_no, phone = sample_citizen
    searches = [
        ("search: phone suffix", lambda: store.find_by_phone(phone[-4:]), 50),
        ("search: registration number", lambda: store.find_by_reg_no(reg_no), 50),
        ("search: Latin name", lambda: store.find_by_name(to_latin(name)), 50),
        ("search: Cyrillic name", lambda: store.find_by_name(name), 50),
        ("search: free-text prefix", lambda: store.search("шийдвэрл"), 150),
    ]
    for label, fn, target in searches:
        ms, spread, found = median_ms(fn, repeats)
        size = len(found) if isinstance(found, list) else 0
        figures.append(Figure(label, ms, "ms", target, note=f"{spread}; {size} found"))

    # -- local saves ---------------------------------------------------------------------
    actor = next(o for o in directory.operators if o.id == me)
    who = Actor(
        actor.id, Role.OPERATOR, frozenset(actor.centres), frozenset(actor.teams), actor.teams[0]
    )
    mine = store.queue_ids(QueueFilter(assignees=frozenset({me})), Sort())
    rng = random.Random(args.seed)

    def save() -> float:
        case_id = store.rows([rng.choice(mine)])[0].id
        args_ = AddNote(
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            case_id,
            "Иргэнтэй дахин холбогдож мэдээлэл өглөө.",
        )
        start = time.perf_counter()
        result = store.submit(args_, who).result()
        elapsed = (time.perf_counter() - start) * 1000
        assert result.queued, result.outcome
        return elapsed

    alone = sorted(save() for _ in range(args.saves))
    p95 = alone[int(len(alone) * 0.95)]
    figures.append(
        Figure(
            "local save alone (p95)",
            p95,
            "ms",
            5,
            note=f"median {statistics.median(alone):.2f}, max {alone[-1]:.2f}",
        )
    )

    busy = threading.Event()
    pull_rates: list[float] = []
    pause = (0.1, 0.3) if args.idle_saves else (0.002, 0.01)
    if args.idle_saves:
        from operator_app.store import write_jobs

        write_jobs.IDLE_AFTER_SECONDS = 0.05  # each save finds the pull in idle mode

    def pull() -> None:
        nonlocal cursor
        for ops in reserved:
            cursor += 1
            start = time.perf_counter()
            store.apply_page(as_page(ops, cursor)).result()
            pull_rates.append(
                sum(1 for op in ops if op["type"] == "case") / (time.perf_counter() - start)
            )
        busy.clear()

    busy.set()
    puller = threading.Thread(target=pull)
    puller.start()
    during = []
    while busy.is_set() and len(during) < args.saves * 10:
        during.append(save())
        time.sleep(rng.uniform(*pause))  # an operator's pace, compressed
    puller.join()
    during.sort()
    p95 = during[int(len(during) * 0.95)]
    figures.append(
        Figure(
            "local save while pages apply (p95)",
            p95,
            "ms",
            5,
            note=f"median {statistics.median(during):.2f}, max {during[-1]:.2f},"
            f" {len(during)} saves; pull {statistics.median(pull_rates):.0f}"
            " cases/s meanwhile",
        )
    )
    figures.append(bulk_reassignment(store, directory, args.repeats))
    store.close()
    size = sum(
        Path(str(path) + s).stat().st_size for s in ("", "-wal") if Path(str(path) + s).exists()
    )
    figures.append(Figure("database size per case", size / n, "bytes"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures.append(Figure("peak memory (whole process, generator included)", peak, "MiB"))
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=1000, help="cases per pulled page")
    parser.add_argument("--repeats", type=int, default=9, help="timed runs per query")
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--durable-saves", action="store_true", help="local saves with synchronous=FULL"
    )
    parser.add_argument(
        "--idle-saves",
        action="store_true",
        help="saves while pages apply 0.1-0.3 s apart, each one after IDLE_AFTER_SECONDS (made"
        " 0.05 s), as at an operator's real pace, instead of 2-10 ms apart",
    )
    parser.add_argument("--dir", help="work folder (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("-v", "--verbose", action="store_true", help="progress on stderr")
    parser.add_argument(
        "--no-bulk-load",
        action="store_true",
        help="keep every index while the first sync fills the empty cache (for comparison)",
    )
    args = parser.parse_args(argv)
    if args.no_bulk_load:
        bulk_load.MIN_PAGE_CASES = sys.maxsize
    figures = run(args)
    print(table(figures))
    if args.json:
        write_json(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
