"""Where a pulled page's time goes in a full cache, with no store code in the way (not a test).

`python -m bench.store_floor --db CACHE` takes a cache that `bench.store --keep` left (or any
desk's cache file), copies it, and writes pages of new cases into the copy the plainest way:
one `executemany` a table and one COMMIT a page, on a connection with the store's own
settings. It does so twice, side by side in one run: with every index of the view in place,
and with the view's secondary indexes (the queue, sort and lookup indexes) dropped. The
difference is what those indexes cost each pulled case, whatever the store's own code does;
the table shows each statement's share, the COMMIT (writing the pages the inserts dirtied)
separately.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.report import Figure, table, write_json
from bench.store import case_pages, plain_rows
from operator_app.reference import default_rules
from operator_app.store import bulk_load
from operator_app.store.columns import DueSoon
from operator_app.store.connection import open_writer

PARTS = ("view", "srv", "note", "call", "timeline", "fts", "commit")


def write_pages(path: Path, pages: list[list[dict]], *, indexes: bool) -> dict[str, list[float]]:
    """Seconds per part of each page's transaction (into the file at `path`)."""
    conn = open_writer(path)
    if not indexes:
        for name, _ in bulk_load.droppable(conn):
            conn.execute(f'DROP INDEX "{name}"')
    due_soon = DueSoon(default_rules())
    times: dict[str, list[float]] = {part: [] for part in PARTS}
    for k, ops in enumerate(pages):
        rows = plain_rows(ops, 2_100_000_000 + k * len(ops), due_soon)
        width = len(rows["view"][0])
        statements = [
            ("view", f"INSERT INTO case_view VALUES ({','.join('?' * width)})", rows["view"]),
            ("srv", "INSERT INTO srv_case(rid, version, data) VALUES (?, ?, ?)", rows["srv"]),
            ("note", "INSERT INTO srv_note VALUES (?, ?, ?, ?)", rows["note"]),
            ("call", "INSERT INTO srv_call VALUES (?, ?, ?, ?)", rows["call"]),
            ("timeline", "INSERT INTO srv_timeline VALUES (?, ?, ?, ?)", rows["timeline"]),
            ("fts", "INSERT INTO case_fts(rowid, doc) VALUES (?, ?)", sorted(rows["fts"])),
        ]
        conn.execute("BEGIN IMMEDIATE")
        for part, sql, values in statements:
            start = time.perf_counter()
            conn.executemany(sql, values)
            times[part].append(time.perf_counter() - start)
        start = time.perf_counter()
        conn.execute("COMMIT")
        times["commit"].append(time.perf_counter() - start)
    conn.close()
    return times


def _copy(source: Path, target: Path) -> None:
    """A consistent copy (SQLite's backup API: what the WAL holds included)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _problem(source: Path) -> str | None:
    """Why this file is no full cache to measure in (None if it is one)."""
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if bulk_load.deferred(conn):
                return "its first sync has not ended (the view's indexes are not built yet)"
            if not bulk_load.droppable(conn):
                return "it has no view indexes (is it a desk's cache?)"
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return f"it cannot be read: {exc}"
    return None


def run(args: argparse.Namespace) -> list[Figure]:
    source = Path(args.db)
    if args.dir:
        Path(args.dir).mkdir(parents=True, exist_ok=True)  # a --dir that does not exist yet
    work = Path(tempfile.mkdtemp(prefix="bench-floor-", dir=args.dir))
    pages = list(case_pages(args.pages * args.page_size, args.page_size, args.seed))
    cases = args.page_size
    results: dict[bool, dict[str, list[float]]] = {True: {}, False: {}}
    try:
        for repeat in range(args.repeats):
            for indexes in (True, False):  # alternating, so both meet the same machine load
                copy = work / f"copy-{repeat}-{int(indexes)}.db"
                _copy(source, copy)
                times = write_pages(copy, pages, indexes=indexes)
                for part, values in times.items():
                    results[indexes].setdefault(part, []).extend(values)
                for suffix in ("", "-wal", "-shm"):
                    Path(str(copy) + suffix).unlink(missing_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures = []
    for indexes, label in ((True, "every index"), (False, "no secondary view index")):
        parts = results[indexes]
        totals = [sum(parts[p][i] for p in PARTS) for i in range(len(parts["commit"]))]
        total = statistics.median(totals)
        figures.append(
            Figure(
                f"plain page into a full cache, {label}",
                cases / total,
                "cases/s",
                note=f"{total * 1000:.0f} ms a page of {cases}, median of {len(totals)}",
            )
        )
        for part in PARTS:
            ms = statistics.median(parts[part]) * 1000
            figures.append(
                Figure(f"  {part}, {label}", ms, "ms", note=f"{ms / total / 10:.0f}% of a page")
            )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a full cache (bench.store --keep)")
    parser.add_argument("--pages", type=int, default=8, help="pages written into each copy")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=2, help="copies written each way")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", help="where the copies go (default: the system's temp)")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)
    if not Path(args.db).is_file():
        print(f"no such cache: {args.db}", file=sys.stderr)
        return 2
    problem = _problem(Path(args.db))
    if problem is not None:
        print(f"{args.db} cannot be measured: {problem}", file=sys.stderr)
        return 2
    figures = run(args)
    print(table(figures, name_width=52))
    if args.json:
        write_json(args.json, figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
