"""Benchmark of the sync engine end to end (not a test): `python -m bench.sync`.

Creates a fresh PostgreSQL database, seeds `--cases` demo cases, starts `central serve` as its
own process and drives real headless desks (store + engine) against it over loopback:

1. First sync: a supervisor whose scope is every seeded case syncs into an empty cache. The
   rate is cases per second end to end, and its ratio to the store's own apply rate on the
   same pages (the pages fetched again, and only their apply timed).
2. Catch-up: an operator's desk, after a long time offline with `--local-mutations` changes of
   its own while others made `--server-changes` changes in its scope, syncs over a link of
   1 Mbit/s each way, 300 ms latency and 5 % of connections dropped (the fault proxy). Reports
   the time, the bytes that crossed the link each way, and checks in the server's audit log
   that each local mutation was applied exactly once.
3. Propagation: two online desks (long poll on); a note saved on one, timed until the other's
   cache has it; p50 and p95.

A quick run: `python -m bench.sync --quick` (5,000 cases, 2,000 server changes);
`--first-sync-only` stops after 1. (with `--cases`, e.g. 50,000).
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.central import CHEAP_HASHING, central_serve, fresh_database, percentile
from bench.report import Figure, table, write_json
from central.data.engine import create_database_engine
from central.data.tables import audit_log, sync_clients
from central.migrate import upgrade
from central.passwords import Passwords
from central.seed import seed_demo
from central.settings import Settings
from operator_app.domain.model import Status
from operator_app.domain.mutations import AddNote, ChangeStatus
from operator_app.store import Changes, Store
from sync.engine import EngineConfig
from sync.garbage_collection import tuned_garbage_collector
from sync.headless import HeadlessDesk, sample_case
from sync.http import CentralClient, Timeouts
from sync.protocol import MAX_PULL_LIMIT, PROTOCOL_SCHEMA_VERSION
from sync.scheduler import ScheduleConfig
from sync.status import SyncState
from tests.faults.proxy import FaultPlan, FaultProxy

PASSWORD = "demo"
SUPERVISOR = "demo-supervisor"  # every centre: the whole seeded queue
OPERATOR = "demo-operator"  # op-demo: its own cases and team t1111-a's unassigned queue
WRITER = "sup-t1111-a"  # makes the server-side changes in the operator's scope
LINK = FaultPlan(throttle_bps=125_000, latency_s=0.3, drop=0.05)  # 1 Mbit/s each way

log = logging.getLogger("bench.sync")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def engine_config(**changes: Any) -> EngineConfig:
    return replace(
        EngineConfig(schedule=ScheduleConfig(debounce_s=0.05, max_debounce_s=0.5)),
        **changes,
    )


# --- 1. first sync ---------------------------------------------------------------------------


def first_sync(url: str, work: Path, limit: int, repeats: int) -> tuple[list[Figure], HeadlessDesk]:
    """The best of `repeats` first syncs into empty caches, and of as many apply-only runs
    (alternating, so that both meet the same machine load)."""
    best_rate, best_apply = 0.0, 0.0
    desk: HeadlessDesk | None = None
    note = ""
    for attempt in range(repeats):
        if desk is not None:
            desk.close()
        desk = HeadlessDesk(
            url, work / f"supervisor-{attempt}", config=engine_config(pull_limit=limit)
        )
        desk.sign_in(SUPERVISOR, PASSWORD)
        started = time.perf_counter()
        report = desk.engine.run_once()
        elapsed = time.perf_counter() - started
        if not report.ok:
            raise SystemExit(f"the first sync failed: {report.problem}")
        rate = report.cases / elapsed
        say(f"first sync: {report.cases} cases in {elapsed:.1f} s ({rate:.0f}/s)")
        if rate > best_rate:
            best_rate = rate
            note = f"{elapsed:.1f} s, {report.pages} pages of {limit}, best of {repeats}"
            cases = report.cases
        apply_rate = store_apply_rate(url, work / f"apply-only-{attempt}.db", limit)
        say(f"the store alone applies the same pages at {apply_rate:.0f} cases/s")
        best_apply = max(best_apply, apply_rate)
    assert desk is not None
    figures = [
        Figure(
            f"first sync of {cases} cases, end to end", best_rate, "cases/s", 10_000, True, note
        ),
        Figure(
            "first sync rate / the store's own apply rate",
            best_rate / best_apply,
            "ratio",
            0.5,
            True,
        ),
        Figure("the store's own apply rate on the same pages", best_apply, "cases/s"),
    ]
    return figures, desk


def store_apply_rate(url: str, path: Path, limit: int) -> float:
    """Cases per second of `Store.apply_page` alone, on the pages a first sync brings."""
    store = Store.open(path)
    applying = 0.0
    cases = 0
    with CentralClient(url, timeouts=Timeouts(total=600)) as client:
        grant = client.post(
            "/auth/login",
            {"username": SUPERVISOR, "password": PASSWORD, "device_name": "bench"},
            authenticated=False,
        )
        client.set_access_token(grant["access_token"])
        cursor: str | None = None
        client_id = f"bench-apply-{uuid.uuid4().hex[:8]}"
        while True:
            page = client.post(
                "/sync/pull",
                {
                    "client_id": client_id,
                    "cursor": cursor,
                    "schema_version": PROTOCOL_SCHEMA_VERSION,
                    "limit": limit,
                },
            )
            started = time.perf_counter()
            store.apply_page(page).result()
            applying += time.perf_counter() - started
            cases += sum(1 for op in page["ops"] if op["type"] == "case")
            if not page["has_more"]:
                break
            cursor = page["cursor"]
    store.close()
    return cases / applying


# --- 2. catch-up over a slow, lossy link ----------------------------------------------------


def server_changes(
    url: str, case_ids: list[str], count: int, rng: random.Random, writers: int = 4
) -> None:
    """`count` notes by another account on the given cases, pushed straight to the server by
    `writers` desks at once (each numbers its own mutations)."""
    done = [0]
    lock = threading.Lock()
    started = time.perf_counter()
    seeds = [rng.random() for _ in range(writers)]

    def write(share: int, seed: float) -> None:
        local_rng = random.Random(seed)
        with CentralClient(url, timeouts=Timeouts(total=600)) as client:
            grant = client.post(
                "/auth/login",
                {"username": WRITER, "password": PASSWORD, "device_name": "bench-writer"},
                authenticated=False,
            )
            client.set_access_token(grant["access_token"])
            client_id = f"bench-writer-{uuid.uuid4().hex[:8]}"
            next_id = 1
            while next_id <= share:
                batch = []
                for _ in range(min(100, share - next_id + 1)):
                    batch.append(_note_envelope(next_id, local_rng.choice(case_ids)))
                    next_id += 1
                client.post(
                    "/sync/push",
                    {
                        "client_id": client_id,
                        "schema_version": PROTOCOL_SCHEMA_VERSION,
                        "app_version": "bench",
                        "mutations": batch,
                    },
                )
                with lock:
                    before = done[0]
                    done[0] += len(batch)
                    if done[0] // 5000 != before // 5000 or done[0] == count:
                        rate = done[0] / (time.perf_counter() - started)
                        say(f"  {done[0]} server changes ({rate:.0f}/s)")

    shares = [count // writers + (1 if i < count % writers else 0) for i in range(writers)]
    threads = [
        threading.Thread(target=write, args=(share, seed))
        for share, seed in zip(shares, seeds, strict=True)
        if share
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if done[0] != count:
        raise SystemExit("a writer failed to push its share of the server changes")


def _note_envelope(mutation_id: int, case_id: str) -> dict[str, Any]:
    return {
        "id": mutation_id,
        "name": AddNote.NAME,
        "args": {
            "note_id": str(uuid.uuid4()),
            "case_id": case_id,
            "body": "Ахлахын тэмдэглэл.",
            "visibility": "internal",
        },
        "client_time": "2026-03-01T10:00:00+08:00",
    }


def local_mutations(desk: HeadlessDesk, count: int, rng: random.Random) -> int:
    """`count` changes saved on the desk while it is offline: cases, notes, status changes."""
    ids = desk.case_ids()
    made = 0
    while made < count:
        roll = rng.random()
        if roll < 0.1 or not ids:
            result = desk.submit(sample_case(desk.actor, rng))
            ids.append(result.case_id)
        elif roll < 0.2:
            result = desk.submit(ChangeStatus(rng.choice(ids), Status.IN_PROGRESS))
        else:
            result = desk.submit(AddNote(str(uuid.uuid4()), rng.choice(ids), "Офлайн тэмдэглэл"))
        made += result.queued
    return made


def catch_up(
    url: str, port: int, work: Path, local: int, changes: int, rng: random.Random, db_url: str
) -> tuple[list[Figure], HeadlessDesk]:
    desk = HeadlessDesk(url, work / "operator", config=engine_config())
    desk.sign_in(OPERATOR, PASSWORD)
    if not desk.sync_until_clean().ok:
        raise SystemExit("the operator's first sync failed")
    scope = desk.case_ids()
    say(f"catch-up: the operator's scope holds {len(scope)} cases")
    local_made = local_mutations(desk, local, rng)
    server_changes(url, scope, changes, rng)
    desk.close()

    # Seed 1 drops the 4th, 18th and 30th connections (the sign-in, the first, goes through).
    with FaultProxy(port, LINK, seed=1) as proxy:
        slow = HeadlessDesk(proxy.url, work / "operator", config=engine_config(poke=True))
        slow.sign_in(OPERATOR, PASSWORD)  # a sign-in after weeks away
        signed_in = proxy.stats()
        cycles: list[bool] = []
        slow.engine.subscribe_reports(lambda report: cycles.append(report.ok))
        started = time.perf_counter()
        since = datetime.now(UTC)
        slow.engine.start()  # the worker, its backoff and its long poll, as on a desk
        done = slow.engine.status_board.wait_for(
            lambda s: (
                s.pending == 0
                and s.state is SyncState.ONLINE
                and s.last_synced_at is not None
                and s.last_synced_at > since
            ),
            timeout=3600,
        )
        elapsed = time.perf_counter() - started
        slow.engine.stop()
        if done is None:
            raise SystemExit(f"the catch-up did not finish: {slow.engine.status}")
        stats = proxy.stats()
    attempts = len(cycles)
    down = stats.bytes_to_client - signed_in.bytes_to_client
    up = stats.bytes_from_client - signed_in.bytes_from_client
    dropped = stats.dropped - signed_in.dropped
    once = applied_once(db_url, slow.engine.client_id, local_made)
    say(
        f"catch-up: {elapsed:.1f} s, {attempts} cycles, {down / 1e6:.2f} MB down,"
        f" {up / 1e6:.2f} MB up, {dropped} connections dropped, exactly once: {once}"
    )
    figures = [
        Figure(
            f"catch-up ({local_made} local, {changes} server changes) over 1 Mbit/s",
            elapsed,
            "s",
            note=f"{attempts} cycles, {dropped} dropped connections",
        ),
        Figure("catch-up: bytes down the link (gzip)", down, "bytes"),
        Figure("catch-up: bytes up the link", up, "bytes"),
        Figure("catch-up: local mutations applied exactly once", float(once), "bool", 1, True),
    ]
    return figures, slow


def applied_once(db_url: str, client_id: str, made: int) -> bool:
    engine = create_database_engine(db_url, pool_size=1)
    with engine.connect() as conn:
        last = conn.execute(
            select(sync_clients.c.last_mutation_id).where(sync_clients.c.client_id == client_id)
        ).scalar_one()
        audited = conn.execute(
            select(func.count(), func.count(func.distinct(audit_log.c.mutation_id))).where(
                audit_log.c.client_id == client_id, audit_log.c.mutation_id.is_not(None)
            )
        ).one()
    engine.dispose()
    return bool(last == made and audited[0] == audited[1] == made)


# --- 3. propagation --------------------------------------------------------------------------


def propagation(
    writer: HeadlessDesk, reader: HeadlessDesk, samples: int, rng: random.Random
) -> list[Figure]:
    for desk in (writer, reader):
        desk.engine.start()
        if not desk.engine.sync_now().result(600).ok:
            raise SystemExit("a desk could not sync before the propagation test")
    cases = writer.case_ids()
    times: list[float] = []
    for _ in range(samples):
        note = AddNote(str(uuid.uuid4()), rng.choice(cases), "Шууд дамжих тэмдэглэл")
        arrived = threading.Event()

        def watch(
            changes: Changes, note: AddNote = note, arrived: threading.Event = arrived
        ) -> None:
            if note.case_id in changes.case_ids and any(
                n.id == note.note_id for n in reader.store.notes(note.case_id)
            ):
                arrived.set()

        unsubscribe = reader.store.subscribe(watch)
        started = time.perf_counter()
        writer.submit(note)
        if not arrived.wait(30):
            raise SystemExit("a note never reached the other desk")
        times.append(time.perf_counter() - started)
        unsubscribe()
        # Let both desks settle (the writer's own pull of its note) before the next sample.
        writer.engine.status_board.wait_for(lambda s: s.pending == 0, 10)
        time.sleep(rng.uniform(0.05, 0.2))  # arrivals spread like an operator's saves
    for desk in (writer, reader):
        desk.engine.stop()
    p50, p95 = percentile(times, 50), percentile(times, 95)
    say(f"propagation: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms over {samples} notes")
    return [
        Figure("propagation between two online desks (p50)", p50, "s"),
        Figure("propagation between two online desks (p95)", p95, "s", 1.0),
    ]


# --- the run ---------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> list[Figure]:
    rng = random.Random(args.seed)
    work = Path(args.dir or tempfile.mkdtemp(prefix="bench-sync-"))
    work.mkdir(parents=True, exist_ok=True)  # a --dir that does not exist yet
    figures: list[Figure] = []
    with fresh_database(args.pg_url, args.keep) as db_url:
        settings = Settings(database_url=db_url, **CHEAP_HASHING)  # type: ignore[arg-type]
        engine = create_database_engine(db_url)
        upgrade(engine)
        started = time.monotonic()

        def progress(done: int) -> None:
            if done % 20_000 == 0 or done == args.cases:
                say(f"  seeded {done} cases ({time.monotonic() - started:.0f} s)")

        seed_demo(
            engine, args.cases, settings=settings, passwords=Passwords(settings), progress=progress
        )
        engine.dispose()
        # The desks below share this process; it collects as a desk's does (ui/app.py).
        with central_serve(db_url, args.server_workers) as served, tuned_garbage_collector():
            url = served.base
            port = int(url.rsplit(":", 1)[1])
            first, supervisor = first_sync(url, work, args.pull_limit, args.repeats)
            figures += first
            if args.first_sync_only:
                supervisor.close()
                return figures
            caught_up, operator = catch_up(
                url, port, work, args.local_mutations, args.server_changes, rng, db_url
            )
            figures += caught_up
            operator.close()
            writer = HeadlessDesk(url, work / "operator", config=engine_config(poke=True))
            writer.sign_in(OPERATOR, PASSWORD)
            supervisor.close()
            reader = HeadlessDesk(url, supervisor.data_dir, config=engine_config(poke=True))
            reader.sign_in(SUPERVISOR, PASSWORD)
            figures += propagation(writer, reader, args.samples, rng)
            writer.close()
            reader.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, help="seeded cases (100,000; quick: 5,000)")
    parser.add_argument("--local-mutations", type=int, default=500)
    parser.add_argument("--server-changes", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=50, help="propagation samples")
    parser.add_argument("--pull-limit", type=int, default=MAX_PULL_LIMIT)
    parser.add_argument("--server-workers", type=int, default=1)
    parser.add_argument(
        "--repeats", type=int, default=None, help="first syncs to take the best of (quick: 2)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="5,000 cases, 100 local and 2,000 server changes"
    )
    parser.add_argument(
        "--first-sync-only", action="store_true", help="only the first sync (1.), then stop"
    )
    parser.add_argument(
        "--pg-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server to create the scratch database on",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", help="work folder for the desks' caches")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.cases = args.cases or 5_000
        args.local_mutations, args.server_changes = 100, 2_000
        args.samples = min(args.samples, 20)
    args.cases = args.cases or 100_000
    args.repeats = args.repeats or (2 if args.quick else 1)
    logging.basicConfig(level=logging.ERROR)
    figures = run(args)
    print(table(figures, name_width=62, digits=3))
    if args.json:
        write_json(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
