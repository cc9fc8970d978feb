"""Workload counts of some centres: open cases and their deadlines per assignee, team, centre
and agency, for the supervisor's board and deadline watch. Reader-side: no writes here.

One GROUP BY over the open cases reads the covering partial index `ix_view_workload` in its
own order (no row lookups, no sort); the few hundred groups it returns are summed here into the
four groupings. Deadline days are the local (UTC+8) ISO dates the view stores, compared with
the same columns and conditions as the queue's deadline-state filter (queue.py), so a count
here equals the number of rows that filter returns.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from operator_app.domain.model import Status

UNASSIGNED = ""  # the key of cases with no assignee (or no team)


@dataclass(frozen=True, slots=True)
class DeadlineCounts:
    """Open cases of one group and where their deadlines stand.

    `due_today` and `due_this_week` count cases not yet overdue whose deadline is today, or
    falls from today to the week's end (today included); `due_soon` counts the cases in the
    "due soon" deadline state (by each case's rule, or within the days asked for).
    """

    open: int = 0
    overdue: int = 0
    due_today: int = 0
    due_this_week: int = 0
    due_soon: int = 0

    def __add__(self, other: DeadlineCounts) -> DeadlineCounts:
        return DeadlineCounts(
            self.open + other.open,
            self.overdue + other.overdue,
            self.due_today + other.due_today,
            self.due_this_week + other.due_this_week,
            self.due_soon + other.due_soon,
        )


@dataclass(frozen=True, slots=True)
class WorkloadCounts:
    """The open work of some centres on one day, in four groupings. Groups with no open case
    are absent; UNASSIGNED keys the cases nobody holds (by_assignee) or no team holds."""

    today: date
    week_end: date
    by_assignee: dict[str, DeadlineCounts] = field(default_factory=dict)
    by_team: dict[str, DeadlineCounts] = field(default_factory=dict)
    by_centre: dict[str, DeadlineCounts] = field(default_factory=dict)
    by_agency: dict[str, DeadlineCounts] = field(default_factory=dict)  # transferred cases


def _soon_condition(soon_days: int | None) -> str:
    if soon_days is None:
        # Each case's own rule, as the queue's DUE_SOON filter reads it.
        return "due_date >= :today AND due_soon_from <= :today"
    return "due_date >= :today AND due_date <= :soon_until"


def workload_sql(
    centres: Collection[str], today: date, week_end: date, soon_days: int | None = None
) -> tuple[str, dict[str, Any]]:
    """The statement behind `workload_counts` and its bound parameters."""
    params: dict[str, Any] = {
        "today": today.isoformat(),
        "week_end": week_end.isoformat(),
        "transferred": Status.TRANSFERRED.value,
    }
    if soon_days is not None:
        params["soon_until"] = (today + timedelta(days=soon_days)).isoformat()
    where = "is_open = 1"
    if centres:
        names = []
        for k, centre in enumerate(sorted(centres)):
            params[f"c{k}"] = centre
            names.append(f":c{k}")
        where += f" AND centre IN ({', '.join(names)})"
    # The GROUP BY follows the index's column order, so SQLite groups while it scans.
    sql = (
        "SELECT centre, team, assignee, agency, status = :transferred, count(*),"
        " sum(due_date < :today), sum(due_date = :today),"
        " sum(due_date >= :today AND due_date <= :week_end),"
        f" sum({_soon_condition(soon_days)})"
        f" FROM case_view INDEXED BY ix_view_workload WHERE {where}"
        " GROUP BY centre, team, assignee, agency, status"
    )
    return sql, params


def _add(groups: dict[str, DeadlineCounts], key: str, counts: DeadlineCounts) -> None:
    held = groups.get(key)
    groups[key] = counts if held is None else held + counts


def workload_counts(
    conn: sqlite3.Connection,
    centres: Collection[str],
    today: date,
    week_end: date,
    soon_days: int | None = None,
) -> WorkloadCounts:
    """Open cases of the centres (every centre when none are named) and their deadlines, per
    assignee, team, centre and agency (transferred cases only), as of the local day `today`."""
    sql, params = workload_sql(centres, today, week_end, soon_days)
    out = WorkloadCounts(today, week_end)
    try:
        rows = conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such index" not in str(exc):
            raise
        # A first sync into an empty cache builds its indexes at the end (bulk_load.py).
        rows = conn.execute(sql.replace(" INDEXED BY ix_view_workload", ""), params).fetchall()
    for centre, team, assignee, agency, transferred, *figures in rows:
        counts = DeadlineCounts(*(int(v or 0) for v in figures))
        _add(out.by_centre, centre, counts)
        _add(out.by_team, team or UNASSIGNED, counts)
        _add(out.by_assignee, assignee or UNASSIGNED, counts)
        if transferred and agency:
            _add(out.by_agency, agency, counts)
    return out
