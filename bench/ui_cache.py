"""The generated cache the queue benchmark reads, built once per size and kept under bench/out/."""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from operator_app.store import Store
from ui.sample_store import fill

NOW = datetime(2026, 5, 1, 4, 0, tzinfo=UTC)
CACHE_DIR = Path(__file__).resolve().parent / "out"
BLOCK = 999_999  # case numbers of one year


def clock() -> datetime:
    return NOW


def cache_path(cases: int, folder: Path = CACHE_DIR) -> Path:
    return folder / f"ui-queue-{cases}.sqlite3"


def ensure_cache(cases: int, folder: Path = CACHE_DIR) -> Path:
    """The cache of `cases` generated cases (the case rows alone: the queue reads nothing else),
    built through the store's pulled-page path the first time, then reused. An interrupted build
    is resumed."""
    path = cache_path(cases, folder)
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    start = time.perf_counter()
    print(f"building a cache of {cases:,} cases at {path} (once)...", file=sys.stderr, flush=True)
    store = Store.open(partial, clock=clock)
    have = _count(partial)
    block = 1 + have // BLOCK if have else 0
    while have < cases:
        # Case numbers run to 999,999 a year: each block is a year of its own, earlier, with
        # a seed of its own (a few generated cases may repeat an earlier one: topped up).
        count = min(BLOCK, cases - have)
        fill(store, count, now=NOW - timedelta(days=365 * block), seed=block, children=False)
        have = _count(partial)
        block += 1
        print(f"{have:,} cases", file=sys.stderr, flush=True)
    store.close()
    os.replace(partial, path)
    print(f"built in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return path


def _count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM case_view").fetchone()[0])
    finally:
        conn.close()
