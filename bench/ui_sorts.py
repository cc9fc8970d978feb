"""What every sortable column of the queue costs (not a test): `python -m bench.ui_sorts`.

Over the queue benchmark's cache (bench/ui_cache.py), for every column the queue sorts by, in
both directions, over the queue's default question (open cases): the first screen (the rows
the queue paints at once, see ui/queue/model.py) and, with `--whole`, the whole ordered list,
each timed on a reader connection with the store's settings, as the queue's reader threads
run them. Medians; the plan SQLite chose for the first screen is shown with each.
"""

from __future__ import annotations

import argparse
import itertools
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date

from bench.ui_cache import NOW, clock, ensure_cache
from bench.ui_run import FILTERS
from operator_app.domain.deadlines import local_date
from operator_app.domain.model import Channel, Status
from operator_app.store import QueueFilter, Sort, SortKey, Store
from operator_app.store.connection import open_reader
from operator_app.store.queue import queue_ids, queue_plan
from ui.queue.columns import SORT_KEYS
from ui.queue.model import FIRST_SCREEN_ROWS

OPEN = QueueFilter(open_only=True)


def _ms(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _filters(conn: sqlite3.Connection, today: date, repeats: int) -> None:
    """The queue benchmark's filter changes (bench/ui_run.py), under a few sorts."""
    print(f"\n{'filter':<22} {'sort':<14} {'first screen':>12}  plan")
    for (combo, value), key, descending in itertools.product(
        FILTERS, (SortKey.REGISTERED_AT, SortKey.CITIZEN, SortKey.NUMBER), (False, True)
    ):
        if combo == "status":
            f = QueueFilter(statuses=frozenset({Status(value)}))
        else:
            f = QueueFilter(open_only=True, channels=frozenset({Channel(value)}))
        sort = Sort(key, descending)
        ms = _ms(lambda f=f, sort=sort: queue_ids(conn, f, sort, today, FIRST_SCREEN_ROWS), repeats)
        plan = " | ".join(queue_plan(conn, f, sort, today, FIRST_SCREEN_ROWS))
        name = f"{key.value}{' desc' if descending else ''}"
        print(f"{combo + '=' + value:<22} {name:<14} {ms:>9.0f} ms  {plan}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--whole", action="store_true", help="also time the whole lists")
    parser.add_argument("--columns", help="only these columns (comma-separated names)")
    parser.add_argument("--filters", action="store_true", help="also the benchmark's filters")
    args = parser.parse_args(argv)
    path = ensure_cache(args.cases)
    Store.open(path, clock=clock).close()  # brought up to the current schema
    conn = open_reader(path)
    today = local_date(NOW)
    wanted = set(args.columns.split(",")) if args.columns else None
    try:
        print(f"{args.cases:,} cases; open cases, first {FIRST_SCREEN_ROWS} rows; medians")
        print(f"{'column':<10} {'order':<5} {'first screen':>12} {'whole list':>11}  plan")
        for column, key in SORT_KEYS.items():
            if wanted and column.name.lower() not in wanted:
                continue
            for descending in (False, True):
                sort = Sort(key, descending)

                def first(sort: Sort = sort) -> object:
                    return queue_ids(conn, OPEN, sort, today, FIRST_SCREEN_ROWS)

                def whole(sort: Sort = sort) -> object:
                    return queue_ids(conn, OPEN, sort, today)

                first_ms = _ms(first, args.repeats)
                whole_ms = f"{_ms(whole, 1):>8.0f} ms" if args.whole else f"{'—':>11}"
                plan = " | ".join(queue_plan(conn, OPEN, sort, today, FIRST_SCREEN_ROWS))
                order = "desc" if descending else "asc"
                print(
                    f"{column.name.lower():<10} {order:<5} {first_ms:>9.0f} ms {whole_ms}  {plan}",
                    flush=True,
                )
        if args.filters:
            _filters(conn, today, args.repeats)
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
