"""Benchmark of a supervisor's bulk reassignment (not a test): `python -m bench.supervisor`.

Creates a fresh PostgreSQL database, seeds `--cases` demo cases, starts `central serve` as its
own process, and syncs a supervisor's headless desk (store + sync engine) into an empty cache.
Then, `--repeats` times, 500 open cases of the 11-11 centre go to another operator, as the
desk's reassignment dialog does it (`ui.supervisor.batch`, Qt-free):

1. Queued locally: the cases read from the cache, one `reassign_case` each saved through
   `Store.submit_many` in one transaction (every outbox row written, the local view updated),
   until the queue's query shows all 500 under their new holder. Target: 2 s.
2. Results back: the real `SyncEngine` pushes the outbox to the central service on loopback and
   pulls until every case's verdict is in the cache (applied, or a conflict). Target: 10 s.

A quick run: `python -m bench.supervisor --quick` (2,000 cases, one repeat).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.central import CHEAP_HASHING, central_serve, fresh_database
from bench.report import Figure, table, write_json
from central.data.engine import create_database_engine
from central.migrate import upgrade
from central.passwords import Passwords
from central.seed import seed_demo
from central.settings import Settings
from operator_app.store import QueueFilter
from sync.engine import EngineConfig
from sync.headless import HeadlessDesk
from sync.protocol import MAX_PULL_LIMIT
from sync.scheduler import ScheduleConfig
from ui.supervisor.batch import Stage, Target, follow, save_reassignment, tally
from ui.supervisor.workload import open_rows

PASSWORD = "demo"
SUPERVISOR = "demo-supervisor"
CENTRE = "c1111"
HOLDERS = ("op-t1111-b-0", "op-t1111-b-1", "op-t1111-a-3", "op-t1111-f-2")
QUEUED_TARGET_S = 2.0
RESULTS_TARGET_S = 10.0

log = logging.getLogger("bench.supervisor")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def engine_config() -> EngineConfig:
    return replace(
        EngineConfig(schedule=ScheduleConfig(debounce_s=0.05, max_debounce_s=0.5)),
        pull_limit=MAX_PULL_LIMIT,
        poke=False,
    )


def one_batch(
    desk: HeadlessDesk, batch: int, holder: str, used: set[str]
) -> tuple[float, float, dict[Stage, int]]:
    """Reassign `batch` open cases to `holder`: seconds to queue them, seconds to hear back."""
    store = desk.store
    rows = [r for r in open_rows(store, {CENTRE}) if r.assignee != holder and r.id not in used][
        :batch
    ]
    if len(rows) < batch:
        raise SystemExit(f"only {len(rows)} open cases left to move: seed more (--cases)")
    case_ids = [r.id for r in rows]
    used.update(case_ids)
    actor = desk.actor
    target = Target(holder, "t1111-b", frozenset({"t1111-b"}))
    mine = QueueFilter(open_only=True, assignees=frozenset({holder}))
    before = len(store.queue_ids(mine))

    started = time.perf_counter()
    outcomes = save_reassignment(store, actor, case_ids, target, "bench: rebalancing")
    shown = len(store.queue_ids(mine))
    queued_s = time.perf_counter() - started
    queued = sum(o.stage is Stage.QUEUED for o in outcomes)
    if queued != batch or shown - before != batch:
        raise SystemExit(f"expected {batch} queued and shown, got {queued} and {shown - before}")
    if store.pending_count() != batch:
        raise SystemExit(f"expected {batch} outbox rows, found {store.pending_count()}")

    started = time.perf_counter()
    for _ in range(20):
        report = desk.engine.run_once()
        if not report.ok:
            raise SystemExit(f"sync failed: {report.problem}")
        outcomes = follow(store, outcomes)
        if all(o.final for o in outcomes):
            break
    results_s = time.perf_counter() - started
    if not all(o.final for o in outcomes):
        raise SystemExit("not every result came back within 20 sync cycles")
    return queued_s, results_s, tally(outcomes)


def run(args: argparse.Namespace) -> list[Figure]:
    work = Path(args.dir or tempfile.mkdtemp(prefix="bench-supervisor-"))
    work.mkdir(parents=True, exist_ok=True)  # a --dir that does not exist yet
    with fresh_database(args.pg_url, args.keep) as db_url:
        settings = Settings(database_url=db_url, **CHEAP_HASHING)  # type: ignore[arg-type]
        engine = create_database_engine(db_url)
        upgrade(engine)
        seed_demo(engine, args.cases, settings=settings, passwords=Passwords(settings))
        engine.dispose()
        say(f"seeded {args.cases} cases")
        with central_serve(db_url, 1) as served:
            # bench.central yields the base address (older) or a record holding it (newer).
            url = str(getattr(served, "base", served))
            desk = HeadlessDesk(url, work / "supervisor", config=engine_config())
            try:
                desk.sign_in(SUPERVISOR, PASSWORD)
                started = time.perf_counter()
                first = desk.sync_until_clean()
                if not first.ok:
                    raise SystemExit(f"the first sync failed: {first.problem}")
                say(f"first sync: {first.cases} cases in {time.perf_counter() - started:.1f} s")
                queued_times, result_times = [], []
                used: set[str] = set()
                outcome: dict[Stage, int] = {}
                for attempt in range(args.repeats):
                    holder = HOLDERS[attempt % len(HOLDERS)]
                    queued_s, results_s, outcome = one_batch(desk, args.batch, holder, used)
                    say(
                        f"batch {attempt + 1}: {args.batch} queued in {queued_s:.2f} s, "
                        f"results back in {results_s:.2f} s "
                        f"({outcome[Stage.APPLIED]} applied, {outcome[Stage.CONFLICT]} conflicts)"
                    )
                    queued_times.append(queued_s)
                    result_times.append(results_s)
            finally:
                desk.close()
    note = f"median of {args.repeats}, worst {{:.2f}} s"
    return [
        Figure(
            f"bulk reassignment of {args.batch} cases: queued locally",
            statistics.median(queued_times),
            "s",
            QUEUED_TARGET_S,
            note=note.format(max(queued_times)),
        ),
        Figure(
            f"bulk reassignment of {args.batch} cases: all results back",
            statistics.median(result_times),
            "s",
            RESULTS_TARGET_S,
            note=note.format(max(result_times)),
        ),
        Figure(
            "cases applied on the server in the last batch",
            outcome.get(Stage.APPLIED, 0),
            "cases",
            args.batch,
            higher_is_better=True,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=6_000, help="demo cases to seed")
    parser.add_argument("--batch", type=int, default=500, help="cases per reassignment")
    parser.add_argument("--repeats", type=int, default=3, help="batches (distinct cases)")
    parser.add_argument("--quick", action="store_true", help="2,000 cases, one batch")
    parser.add_argument(
        "--pg-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server to create the scratch database on",
    )
    parser.add_argument("--dir", help="work folder for the desk's cache")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.cases, args.repeats = 2_000, 1
    logging.basicConfig(level=logging.ERROR)
    figures = run(args)
    print(table(figures, name_width=56, digits=2))
    if args.json:
        write_json(args.json, figures)
    return 0 if all(f.ok is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
