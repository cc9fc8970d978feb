"""Benchmark of the queue view at scale (not a test): `python -m bench.ui --cases 1000000`.

Runs, side by side over the same generated SQLite cache, the desk's queue (`QueuePanel`: the
filter bar and `QueueView` over `QueueModel`, rows fetched on reader threads) and Qt's stock
`QSqlQueryModel` in a `QTableView` (queries on the GUI thread, as its documentation shows). Each
run is a new process (a cold start), alternating the two; within a process every action is
repeated. Reported: medians over runs and repetitions.

- painted queue: from the moment the process is spawned to the first paint of real rows;
- scroll to the end: until the last row is painted with its data;
- sort, filter, quick search: from the operator's click (or Enter) until the new answer's first
  rows are painted;
- worst event-loop stall: a precise 5 ms timer on the GUI thread, its largest lateness during
  the actions above; and the GUI thread's own processor time between two of its ticks, at
  most (lateness also counts time spent waiting for a processor that other programs hold);
- peak memory: the process's RSS high-water mark.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.report import Figure, write_json

OURS, QSQL = "ours", "qsql"
NAMES = {OURS: "QueueModel", QSQL: "QSqlQueryModel"}
CHILD_TIMEOUT_S = 900


@dataclass(frozen=True)
class Measure:
    key: str
    name: str
    unit: str
    target: float | None


MEASURES = (
    Measure("cold", "painted queue from a cold start", "ms", 1500),
    Measure("open_to_paint", "… of which store open to paint", "ms", None),
    Measure("sort", "sort change answered", "ms", 300),
    Measure("filter", "filter change answered", "ms", 300),
    Measure("search", "quick search answered", "ms", 300),
    Measure("scroll_end", "scroll to the end", "ms", None),
    Measure("stall_actions", "worst stall: sort, filter, search", "ms", 50),
    Measure("busy_actions", "… GUI thread's own work, longest stretch", "ms", None),
    Measure("stall_all", "worst stall: whole run after paint", "ms", None),
    Measure("rss", "peak memory (RSS high-water)", "MiB", 400),
    Measure("private", "… of which private (RssAnon, sampled)", "MiB", None),
)


# -- the parent: run children, take medians, print --------------------------------------------


def fts_terms() -> list[str]:
    """The quick searches as the store's full-text MATCH expressions (for Qt's side)."""
    from bench.ui_run import SEARCHES
    from operator_app.store.search_text import fts_query

    return [fts_query(text) or '""' for text in SEARCHES]


def run_child(kind: str, args: argparse.Namespace, path: Path) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.ui", "--child", kind, "--db", str(path)]
    command += ["--repeats", str(args.repeats), "--fts", json.dumps(fts_terms())]
    command += ["--started", repr(time.time())]
    if args.trace and kind == OURS:
        command.append("--trace")
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} run failed:\n{done.stderr[-4000:]}")
    if args.trace:
        print(done.stderr, file=sys.stderr, flush=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_child_here(args: argparse.Namespace) -> dict[str, Any]:
    """In the child: one cold run (each side imports only what it needs: Qt alone for Qt's)."""
    out: dict[str, Any] = {}
    if args.child == OURS:
        from bench.ui_run import run_ours

        run_ours(Path(args.db), args.started, args.repeats, out, args.trace)
    else:
        from bench.ui_qsql import run_qsql

        run_qsql(Path(args.db), args.started, args.repeats, json.loads(args.fts), out)
    from bench.ui_probe import peak_rss_mib, private_mib

    out["rss"] = peak_rss_mib()
    # The probe samples while the loop runs; Qt's model holds every row it fetched at the end.
    out["private"] = max(out.get("private", 0.0), private_mib())
    return out


def medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for m in MEASURES:
        values = [v for run in runs for v in _as_list(run.get(m.key))]
        if values:
            # Stalls and memory are worst cases: the worst run counts; times take the median.
            worst = m.key.startswith(("stall", "busy")) or m.key in ("rss", "private")
            out[m.key] = max(values) if worst else statistics.median(values)
    return out


def _as_list(value: Any) -> list[float]:
    if value is None:
        return []
    return [float(v) for v in value] if isinstance(value, list) else [float(value)]


def figures(results: dict[str, dict[str, float]]) -> list[Figure]:
    """Every figure of both sides (Qt's named as such), against the same targets."""
    out = []
    for kind in (OURS, QSQL):
        for m in MEASURES:
            value = results[kind].get(m.key)
            if value is not None:
                name = m.name if kind == OURS else f"{NAMES[QSQL]}: {m.name}"
                out.append(Figure(name, value, m.unit, m.target))
    return out


def table(results: dict[str, dict[str, float]], cases: int, runs: int) -> str:
    head = f"{cases:,} cases, {runs} cold runs each; medians (stalls and memory: worst)"
    lines = [head, f"{'figure':<40} {NAMES[OURS]:>12} {NAMES[QSQL]:>15} {'target':>8}  ok"]
    for m in MEASURES:
        ours, theirs = results[OURS].get(m.key), results[QSQL].get(m.key)
        target = "" if m.target is None else f"≤{m.target:g}"
        ok = "" if m.target is None or ours is None else ("yes" if ours <= m.target else "NO")
        lines.append(
            f"{m.name:<40} {_cell(ours, m.unit):>12} {_cell(theirs, m.unit):>15} {target:>8}  {ok}"
        )
    return "\n".join(lines)


def _cell(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:,.0f} {unit}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="cold starts of each model")
    parser.add_argument("--repeats", type=int, default=5, help="each action, per run")
    parser.add_argument("--only", choices=(OURS, QSQL), help="run one side only")
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument(
        "--trace", action="store_true", help="print what the GUI thread did in each stall"
    )
    parser.add_argument("--child", choices=(OURS, QSQL), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--started", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--fts", default="[]", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_child_here(args)))
        return 0
    from bench.ui_cache import ensure_cache  # the store: not imported by Qt's side

    path = ensure_cache(args.cases)
    kinds = [args.only] if args.only else [OURS, QSQL]
    runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in (OURS, QSQL)}
    for run in range(args.runs):
        for kind in kinds:
            result = run_child(kind, args, path)
            print(f"run {run + 1} {NAMES[kind]}: {_brief(result)}", file=sys.stderr, flush=True)
            runs[kind].append(result)
    results = {kind: medians(runs[kind]) for kind in (OURS, QSQL)}
    print(table(results, args.cases, args.runs))
    if args.json:
        write_json(args.json, figures(results))
    return 0


def _brief(result: dict[str, Any]) -> str:
    parts: list[str] = []
    for key, value in result.items():
        shown: Callable[[float], str] = lambda v: f"{v:.0f}"  # noqa: E731
        parts.append(
            f"{key}=" + ("/".join(map(shown, value)) if isinstance(value, list) else shown(value))
        )
    return " ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
