"""Workload counts: the one GROUP BY equals a per-row count over every case, on a generated seed
with cases of every status and type (some without a deadline), unassigned and team-less cases,
transferred cases at agencies (and answered ones that still name their agency), pending local
changes, and the day boundary in UTC+8."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from operator_app.domain.deadlines import DeadlineState, deadline_state
from operator_app.domain.model import CaseType, Priority, Status
from operator_app.domain.mutations import ReassignCase
from operator_app.store import UNASSIGNED, DeadlineCounts, QueueFilter, QueueRow, Store
from operator_app.store.workload import workload_sql

from .conftest import START, SUPERVISOR, FakeClock, make_case, page, put

CENTRES = ["c1111", "c1800", "c1900"]
ASSIGNEES = ["op-1", "op-2", "op-3", "op-4"]
TEAMS = ["t-a", "t-b", "t-c"]
AGENCIES = ["ministry_finance", "ministry_health", "city_hall"]
DUE_OFFSETS = [-12, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 9, 20]
MINE = frozenset({"c1111", "c1800"})


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, clock: FakeClock) -> Iterator[Store]:
    rng = random.Random(11)
    store = Store.open(
        tmp_path_factory.mktemp("workload") / "cache.db", clock=clock, threaded=False
    )
    ops = []
    for _ in range(700):
        status = rng.choice(list(Status))
        agency = rng.choice(AGENCIES) if status is Status.TRANSFERRED else None
        if agency is None and rng.random() < 0.1:
            agency = rng.choice(AGENCIES)  # answered by the agency: no longer at it
        offset = rng.choice(DUE_OFFSETS)
        ops.append(
            put(
                "case",
                make_case(
                    status=status,
                    type=rng.choice(list(CaseType)),
                    priority=rng.choice(list(Priority)),
                    centre=rng.choice(CENTRES),
                    assignee=rng.choice([*ASSIGNEES, None]),
                    team=rng.choice([*TEAMS, None]),
                    agency=agency,
                    due_date=None if rng.random() < 0.12 else START.date() + timedelta(offset),
                ),
            )
        )
    store.apply_page(page(ops)).result()
    # A pending local change counts as the desk shows it.
    row = store.rows(store.queue_ids(QueueFilter(open_only=True, centres=MINE)))[0]
    result = store.submit(ReassignCase(row.id, row.assignee, "op-9", "cover"), SUPERVISOR).result()
    assert result.mutation_id is not None
    yield store
    store.close()


def _expected(
    rows: list[QueueRow], today: date, week_end: date, soon_days: int | None = None
) -> dict[str, dict[str, DeadlineCounts]]:
    """The counts computed row by row, from each row's deadline state."""
    groups: dict[str, dict[str, list[int]]] = {
        "assignee": {},
        "team": {},
        "centre": {},
        "agency": {},
    }
    for r in rows:
        if r.status in (Status.RESOLVED, Status.CLOSED):
            assert r.deadline is DeadlineState.ANSWERED
            continue
        due = r.due_date
        if soon_days is None:
            soon = r.deadline is DeadlineState.DUE_SOON
        else:
            soon = due is not None and 0 <= (due - today).days <= soon_days
        figures = [
            1,
            r.deadline is DeadlineState.OVERDUE,
            due == today,
            due is not None and today <= due <= week_end,
            soon,
        ]
        keys = {
            "assignee": r.assignee or UNASSIGNED,
            "team": r.team or UNASSIGNED,
            "centre": r.centre,
        }
        if r.status is Status.TRANSFERRED and r.agency:
            keys["agency"] = r.agency
        for grouping, key in keys.items():
            held = groups[grouping].setdefault(key, [0] * 5)
            for k, value in enumerate(figures):
                held[k] += int(value)
    return {g: {k: DeadlineCounts(*v) for k, v in by.items()} for g, by in groups.items()}


def _rows(store: Store, centres: frozenset[str]) -> list[QueueRow]:
    return [r for r in store.rows(store.queue_ids(QueueFilter())) if r.centre in centres]


def _got(store: Store, centres: frozenset[str], **kwargs: object) -> dict[str, dict]:
    today = store.today()
    sunday = today + timedelta(days=6 - today.weekday())
    counts = store.workload_counts(centres, today, sunday, **kwargs)  # type: ignore[arg-type]
    assert counts.today == today and counts.week_end == sunday
    return {
        "assignee": counts.by_assignee,
        "team": counts.by_team,
        "centre": counts.by_centre,
        "agency": counts.by_agency,
    }


def test_row_deadline_states_agree_with_the_domain(seeded: Store, clock: FakeClock) -> None:
    """The per-row reference itself: the view's deadline state is the domain's."""
    rules = seeded.rules().deadlines
    for r in _rows(seeded, frozenset(CENTRES)):
        case = seeded.case(r.id)
        assert case is not None
        assert deadline_state(case, rules, clock()) is r.deadline


@pytest.mark.parametrize("centres", [MINE, frozenset({"c1900"}), frozenset(CENTRES)])
def test_the_counts_equal_a_count_of_every_row(seeded: Store, centres: frozenset[str]) -> None:
    today = seeded.today()
    expected = _expected(_rows(seeded, centres), today, today + timedelta(6 - today.weekday()))
    got = _got(seeded, centres)
    assert got == expected
    # The seed exercises every kind of group and figure.
    assert UNASSIGNED in got["assignee"] and UNASSIGNED in got["team"]
    assert (got["agency"] and "op-9" in got["assignee"]) or centres == {"c1900"}
    totals = sum((c for c in got["centre"].values()), DeadlineCounts())
    assert min(totals.overdue, totals.due_today, totals.due_this_week, totals.due_soon) > 0


def test_every_centre_when_none_are_named(seeded: Store) -> None:
    assert _got(seeded, frozenset()) == _got(seeded, frozenset(CENTRES))


def test_due_soon_within_given_days(seeded: Store) -> None:
    today = seeded.today()
    rows = _rows(seeded, MINE)
    for days in (0, 2, 5):
        expected = _expected(rows, today, today + timedelta(6 - today.weekday()), soon_days=days)
        assert _got(seeded, MINE, soon_days=days) == expected


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 3, 1, 15, 59, 59, tzinfo=START.tzinfo),  # Sunday 23:59:59 in UB
        datetime(2026, 3, 1, 16, 0, 0, tzinfo=START.tzinfo),  # Monday 00:00 in UB
        datetime(2026, 3, 8, 15, 59, 59, tzinfo=START.tzinfo),  # Sunday, a week on
        datetime(2026, 3, 8, 16, 0, 0, tzinfo=START.tzinfo),  # the Monday after
    ],
)
def test_the_local_day_turns_at_midnight_in_ulaanbaatar(
    seeded: Store, clock: FakeClock, instant: datetime
) -> None:
    clock.now = instant
    try:
        today = seeded.today()
        assert today == (instant + timedelta(hours=8)).date()
        expected = _expected(_rows(seeded, MINE), today, today + timedelta(6 - today.weekday()))
        assert _got(seeded, MINE) == expected
    finally:
        clock.now = START


def test_the_count_reads_the_covering_index_without_sorting(seeded: Store) -> None:
    sql, params = workload_sql(MINE, START.date(), START.date() + timedelta(6))
    conn = seeded._conn()
    plan = " ".join(str(step[-1]) for step in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    assert "ix_view_workload" in plan and "COVERING" in plan.upper()
    assert "TEMP B-TREE" not in plan.upper()
