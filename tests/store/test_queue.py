"""Queue queries: every filter combination and sort against a plain-Python reading of the rows."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from operator_app.domain.deadlines import DeadlineState
from operator_app.domain.model import CaseType, Channel, Priority, Status
from operator_app.domain.mutations import AddNote
from operator_app.store import CaseSyncState, Facet, QueueFilter, QueueRow, Sort, SortKey, Store
from operator_app.store.queue import queue_plan

from .conftest import OPERATOR, START, FakeClock, make_case, new_id, page, put

CATEGORIES = [
    "health.hospital_services",
    "health.medicine",
    "utilities_and_heating.heating",
    "education",
    "land_and_property.housing",
]
CENTRES = ["c1111", "c1800"]
ASSIGNEES = ["op-1", "op-2", "op-3"]
TEAMS = ["t-a", "t-b"]
LOCATIONS = ["112291", "1125", "2101", "430113", None]
WORDS = ["халаалт", "эмнэлэг", "сургууль", "haalga"]


@pytest.fixture(scope="module")
def queue_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    rng = random.Random(7)
    store = Store.open(
        tmp_path_factory.mktemp("queue") / "cache.db", clock=FakeClock(), threaded=False
    )
    ops = []
    cases = []
    for i in range(80):
        due = (
            START.date() + timedelta(days=rng.choice([-10, -1, 0, 1, 2, 5, 20]))
            if rng.random() > 0.15
            else None
        )
        case = make_case(
            subject=f"{rng.choice(WORDS)} асуудал {i}",
            status=rng.choice(list(Status)),
            type=rng.choice(list(CaseType)),
            category=rng.choice(CATEGORIES),
            centre=rng.choice(CENTRES),
            channel=rng.choice(list(Channel)),
            priority=rng.choice(list(Priority)),
            assignee=rng.choice([*ASSIGNEES, None]),
            team=rng.choice(TEAMS),
            location=rng.choice(LOCATIONS),
            due_date=due,
            registered_at=START - timedelta(hours=rng.randrange(2000)),
            updated_at=None if rng.random() < 0.2 else START - timedelta(hours=rng.randrange(9)),
        )
        numbered = rng.random()
        if numbered < 0.3:  # created on a desk: a provisional number, and the central one or not
            case = replace(
                case,
                number=None if numbered < 0.2 else case.number,
                provisional_ref=f"P-7K3Q-{rng.randrange(1, 30)}",
            )
        elif numbered < 0.35:
            case = replace(case, number=None)
        cases.append(case)
        ops.append(put("case", case))
    store.apply_page(page(ops)).result()
    for case in cases[:5]:  # a few cases with pending work
        store.submit(
            AddNote(new_id(), case.id, "Нэмэлт"), replace(OPERATOR, centres=frozenset(CENTRES))
        ).result()
    yield store
    store.close()


def _matches(f: QueueFilter, row: QueueRow, found: set[int] | None) -> bool:
    checks = [
        not f.statuses or row.status in f.statuses,
        not f.open_only or row.status not in (Status.RESOLVED, Status.CLOSED),
        not f.types or row.type in f.types,
        not f.categories
        or any(row.category == c or row.category.startswith(c + ".") for c in f.categories),
        not f.centres or row.centre in f.centres,
        not f.channels or row.channel in f.channels,
        not f.priorities or row.priority in f.priorities,
        not (f.assignees or f.unassigned)
        or row.assignee in f.assignees
        or (f.unassigned and row.assignee is None),
        not f.teams or row.team in f.teams,
        not f.aimags or (row.location or "")[:2] in f.aimags,
        not f.deadline or row.deadline in f.deadline,
        not f.sync or row.sync_state in f.sync,
        found is None or row.rid in found,
    ]
    return all(checks)


_VALUE = {
    SortKey.REGISTERED_AT: lambda r: r.registered_at,
    SortKey.DUE_DATE: lambda r: r.due_date,
    SortKey.UPDATED_AT: lambda r: r.updated_at,
    SortKey.PRIORITY: lambda r: list(Priority).index(r.priority),
    SortKey.STATUS: lambda r: r.status.value,
    SortKey.ASSIGNEE: lambda r: r.assignee,
    SortKey.NUMBER: lambda r: r.number or r.provisional_ref,
    SortKey.SUBJECT: lambda r: r.subject,
    SortKey.CITIZEN: lambda r: r.citizen_name,
    SortKey.CATEGORY: lambda r: r.category,
    SortKey.CENTRE: lambda r: r.centre,
}


def _ordered(rows: list[QueueRow], sort: Sort) -> list[int]:
    value = _VALUE[sort.key]
    # Ties (and the cases with no value, last) by rid in the sort's direction, as the SQL's
    # last term says: a descending sort walks its index backwards.
    rows = sorted(rows, key=lambda r: r.rid, reverse=sort.descending)
    present = sorted(
        (r for r in rows if value(r) is not None),
        key=lambda r: (value(r), r.rid),
        reverse=sort.descending,
    )
    return [r.rid for r in present] + [r.rid for r in rows if value(r) is None]


def subsets(values):
    return st.frozensets(st.sampled_from(values), max_size=2)


filters = st.builds(
    QueueFilter,
    statuses=subsets(list(Status)),
    open_only=st.booleans(),
    types=subsets(list(CaseType)),
    categories=subsets([*CATEGORIES, "health", "land_and_property"]),
    centres=subsets(CENTRES),
    channels=subsets(list(Channel)),
    priorities=subsets(list(Priority)),
    assignees=subsets(ASSIGNEES),
    unassigned=st.booleans(),
    teams=subsets(TEAMS),
    aimags=subsets(["11", "21", "43"]),
    deadline=subsets(list(DeadlineState)),
    sync=subsets(list(CaseSyncState)),
    text=st.sampled_from(["", "halaalt", "эмнэлэг", "асуудал 1"]),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(f=filters, sort=st.builds(Sort, st.sampled_from(list(_VALUE)), st.booleans()))
def test_queue_ids_agree_with_the_rows_read_plainly(queue_store: Store, f: QueueFilter, sort):
    everything = queue_store.rows(queue_store.queue_ids(QueueFilter()))
    found = set(queue_store.search(f.text, limit=1000)) if f.text else None
    wanted = [r for r in everything if _matches(f, r, found)]
    expected = _ordered(wanted, sort)
    assert queue_store.queue_ids(f, sort) == expected
    # A first screen (read in its own way: index walks, "+centre") is the start of the whole.
    assert queue_store.queue_ids(f, sort, 7) == expected[:7]


def test_facet_counts_count_each_value_under_the_other_filters(queue_store: Store):
    f = QueueFilter(centres=frozenset({"c1111"}), statuses=frozenset({Status.NEW}))
    counts = queue_store.facet_counts(f)
    without_status = queue_store.queue_ids(replace(f, statuses=frozenset()))
    assert sum(counts[Facet.STATUS].values()) == len(without_status)
    assert counts[Facet.STATUS].get("new", 0) == len(queue_store.queue_ids(f))
    assert sum(counts[Facet.DEADLINE].values()) == len(queue_store.queue_ids(f))
    assert counts[Facet.SYNC].get("pending", 0) <= 5


def test_rows_keep_the_order_asked_and_skip_unknown_rids(queue_store: Store):
    ids = queue_store.queue_ids(QueueFilter(), Sort(SortKey.DUE_DATE))[:10]
    asked = [*reversed(ids), 999_999]
    assert [r.rid for r in queue_store.rows(asked)] == list(reversed(ids))


@pytest.mark.parametrize(
    ("f", "sort", "index"),
    [
        (
            QueueFilter(assignees=frozenset({"op-1"}), open_only=True),
            Sort(SortKey.DUE_DATE),
            "ix_view_assignee",
        ),
        (
            QueueFilter(teams=frozenset({"t-a"}), unassigned=True),
            Sort(SortKey.REGISTERED_AT),
            "ix_view_unassigned",
        ),
        (
            QueueFilter(centres=frozenset({"c1111"}), deadline=frozenset({DeadlineState.OVERDUE})),
            Sort(SortKey.DUE_DATE),
            "ix_view_centre",
        ),
        (
            QueueFilter(categories=frozenset({"health.medicine"}), aimags=frozenset({"11"})),
            Sort(SortKey.REGISTERED_AT, True),
            "ix_view_category",
        ),
        (  # the partial index of cases not synced (it was a scan of every case)
            QueueFilter(sync=frozenset({CaseSyncState.CONFLICT, CaseSyncState.REJECTED})),
            Sort(SortKey.REGISTERED_AT, True),
            "ix_view_sync",
        ),
    ],
)
def test_the_typical_views_use_their_index(queue_store: Store, f, sort, index):
    plan = queue_plan(queue_store._conn(), f, sort, START.date(), limit=None)
    assert any(index in step for step in plan), plan


def test_a_queue_query_nobody_wants_stops_and_a_limit_gives_the_first_rids(
    queue_store: Store, monkeypatch: pytest.MonkeyPatch
):
    import operator_app.store.queue as queue_module

    monkeypatch.setattr(queue_module, "CANCEL_CHECK_STEPS", 10)  # checked at once
    everything = queue_store.queue_ids(QueueFilter(), Sort(SortKey.SUBJECT, descending=True))
    assert len(everything) > 10
    first = queue_store.queue_ids(QueueFilter(), Sort(SortKey.SUBJECT, descending=True), 10)
    assert first == everything[:10]
    asked: list[bool] = []

    def cancelled() -> bool:
        asked.append(True)
        return True

    assert queue_store.queue_ids(QueueFilter(), Sort(SortKey.SUBJECT), None, cancelled) == []
    assert asked
    # The connection is left as it was: the next query is not interrupted.
    assert queue_store.queue_ids(QueueFilter(), Sort(SortKey.SUBJECT)) != []


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        (Sort(SortKey.REGISTERED_AT), "ix_open_registered"),
        (Sort(SortKey.REGISTERED_AT, descending=True), "ix_open_registered"),
        (Sort(SortKey.DUE_DATE), "ix_open_due"),
        (Sort(SortKey.DUE_DATE, descending=True), "ix_open_due"),
        (Sort(SortKey.PRIORITY), "ix_open_priority"),
        (Sort(SortKey.SUBJECT), "ix_open_subject"),
        (Sort(SortKey.CITIZEN, descending=True), "ix_open_citizen"),
        (Sort(SortKey.NUMBER), "ix_view_number"),
        (Sort(SortKey.NUMBER, descending=True), "ix_view_number"),
    ],
)
def test_a_first_screen_of_a_centre_queue_walks_the_sort_index(
    queue_store: Store, sort: Sort, index: str
):
    # The planner took the centre index and sorted every open case of the centres (1.5 s at
    # 1M cases) to hand back the first 200; walking the sort's index stops after a screenful.
    f = QueueFilter(centres=frozenset({"c1111", "c1800"}), open_only=True)
    plans = queue_plan(queue_store._conn(), f, sort, START.date())
    assert any(index in plan for plan in plans), plans
    assert not any("TEMP B-TREE" in plan for plan in plans), plans
    everything = queue_store.queue_ids(f, sort)
    assert queue_store.queue_ids(f, sort, 5) == everything[:5]


@pytest.mark.parametrize(
    "sort", [Sort(SortKey.SUBJECT), Sort(SortKey.NUMBER, descending=True), Sort(SortKey.DUE_DATE)]
)
def test_a_first_screen_walk_past_its_budget_gives_way_to_the_planners_reading(
    queue_store: Store, monkeypatch: pytest.MonkeyPatch, sort: Sort
):
    import operator_app.store.queue as queue_module

    # A status among open cases: the walk checks it row by row ("+status"); a rare one
    # would make the walk long. Here every walk is over its budget at its first check.
    f = QueueFilter(statuses=frozenset({Status.NEW, Status.IN_PROGRESS, Status.WAITING}))
    everything = queue_store.queue_ids(f, sort)
    assert len(everything) > 3
    walks: list[str] = []
    read = queue_module._read

    def reading(conn, statements, limit):  # type: ignore[no-untyped-def]
        walks.extend(sql for sql, _ in statements)
        return read(conn, statements, limit)

    monkeypatch.setattr(queue_module, "_read", reading)
    monkeypatch.setattr(queue_module, "WALK_CHECK_STEPS", 1)
    monkeypatch.setattr(queue_module, "WALK_BUDGET_MS", 0)
    assert queue_store.queue_ids(f, sort, 3) == everything[:3]
    assert any("+status" in sql for sql in walks)  # walked first, then read plainly
    assert "+status" not in walks[-1]
