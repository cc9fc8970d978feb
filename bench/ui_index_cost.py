"""What the queue's sort indexes of schema step 8 cost every pulled page (not a test):
`python -m bench.ui_index_cost`.

Side by side in one run, alternating: fresh caches with every index, and the same without the
step-8 indexes (dropped after opening). Each gets the same generated pulled pages (cases with
their notes, calls and timeline, as a first sync brings them): `--base` cases untimed, then
`--timed` cases timed page by page (inserts: a first sync), then the same cases again as a
newer version that closes each of them (updates that take them out of the partial indexes of
open cases). Subjects and citizen names are made distinct (free text, as operators type it:
see `_free_text`). Medians of the per-page rates over every run.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.ui_cache import NOW, clock
from operator_app.domain.model import Status
from operator_app.store import Store
from operator_app.store.schema import OPEN_TEXT_SORT_INDEXES
from ui.sample_store import PAGE_CASES, directory_ops, sample_ops
from ui.sample_store import demo_directory as _directory

STEP8_INDEXES = tuple(
    re.search(r"CREATE INDEX (\w+)", statement).group(1)  # type: ignore[union-attr]
    for statement in OPEN_TEXT_SORT_INDEXES
)
Ops = list[dict[str, Any]]


def _page(ops: Ops, cursor: int) -> dict[str, Any]:
    return {
        "cursor": f"cost-{cursor}",
        "has_more": True,
        "last_mutation_id": 0,
        "server_time": NOW.isoformat(),
        "ops": ops,
        "mutation_results": [],
    }


def _free_text(case_ops: Ops, rng: random.Random) -> Ops:
    """The case with a subject and a citizen name of its own: the generator reuses a few
    dozen subjects and a few hundred names, whose index entries go at the end of a few runs;
    operators type free text, whose entries land anywhere in the index."""
    case, *children = case_ops
    data = dict(case["data"])
    data["subject"] = f"{data['subject']} {rng.getrandbits(32):08x}"
    if data.get("citizen_name"):
        data["citizen_name"] = f"{data['citizen_name']} {rng.getrandbits(32):08x}"
    return [{**case, "data": data}, *children]


def _pages(n: int, seed: int, free_text: bool) -> list[Ops]:
    rng = random.Random(seed)
    pages: list[Ops] = []
    ops: Ops = []
    for count, case_ops in enumerate(sample_ops(n, now=NOW, seed=seed), 1):
        ops.extend(_free_text(case_ops, rng) if free_text else case_ops)
        if count % PAGE_CASES == 0:
            pages.append(ops)
            ops = []
    if ops:
        pages.append(ops)
    return pages


def _closed(ops: Ops) -> Ops:
    """The case ops of a page again, one version newer, each case resolved."""
    out = []
    for op in ops:
        if op["type"] == "case":
            data = {**op["data"], "status": Status.RESOLVED.value}
            out.append({**op, "version": op["version"] + 1, "data": data})
    return out


def _cases(ops: Ops) -> int:
    return sum(1 for op in ops if op["type"] == "case")


def _rate(store: Store, page: dict[str, Any], cases: int) -> float:
    """Cases per second of processor time (this process's: the writer thread's, while this
    one waits), which other programs on the machine do not inflate as they do wall time."""
    start = time.process_time()
    store.apply_page(page).result()
    return cases / (time.process_time() - start)


def run_once(
    folder: Path, base: list[Ops], timed: list[Ops], with_step8: bool
) -> tuple[list[float], list[float]]:
    path = folder / ("with.db" if with_step8 else "without.db")
    store = Store.open(path, clock=clock)
    try:
        if not with_step8:
            conn = sqlite3.connect(path)
            for name in STEP8_INDEXES:
                conn.execute(f"DROP INDEX {name}")
            conn.close()
        cursor = 0
        store.apply_page(_page(directory_ops(_directory()), cursor)).result()
        for ops in base:
            cursor += 1
            store.apply_page(_page(ops, cursor)).result()
        inserts, updates = [], []
        for ops in timed:
            cursor += 1
            inserts.append(_rate(store, _page(ops, cursor), _cases(ops)))
        for ops in timed:
            cursor += 1
            closing = _closed(ops)
            updates.append(_rate(store, _page(closing, cursor), _cases(closing)))
        return inserts, updates
    finally:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=int, default=100_000)
    parser.add_argument("--timed", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--generated-text",
        action="store_true",
        help="keep the generator's few subjects and names (the cheapest case for the indexes)",
    )
    args = parser.parse_args(argv)
    pages = _pages(args.base + args.timed, seed=11, free_text=not args.generated_text)
    split = args.base // PAGE_CASES
    base, timed = pages[:split], pages[split:]
    rates: dict[bool, tuple[list[float], list[float]]] = {True: ([], []), False: ([], [])}
    with tempfile.TemporaryDirectory(prefix="bench-index-cost-") as folder:
        for run in range(args.runs):
            for with_step8 in (False, True) if run % 2 == 0 else (True, False):
                inserts, updates = run_once(Path(folder), base, timed, with_step8)
                rates[with_step8][0].extend(inserts)
                rates[with_step8][1].extend(updates)
                print(
                    f"run {run + 1} {'with' if with_step8 else 'without'} step 8: inserts"
                    f" {statistics.median(inserts):,.0f}/s, closing updates"
                    f" {statistics.median(updates):,.0f}/s",
                    file=sys.stderr,
                    flush=True,
                )
    print(
        f"pulled-page apply, {args.base:,} cases then {args.timed:,} timed, {args.runs} runs;"
        " medians of per-page rates (cases per processor-second)"
    )
    print(f"{'':<34} {'without step 8':>15} {'with step 8':>12} {'ratio':>6}")
    for i, name in enumerate(("new cases (first sync)", "closing updates")):
        without = statistics.median(rates[False][i])
        with_ = statistics.median(rates[True][i])
        print(f"{name:<34} {without:>15,.0f} {with_:>12,.0f} {with_ / without:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
