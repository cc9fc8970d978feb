"""Free text matched through the list of indexed words finds what a prefix search finds."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from operator_app.domain.mutations import AddNote, FieldChange, ReassignCase, UpdateCaseFields
from operator_app.store import QueueFilter, Store
from operator_app.store.search_terms import MAX_EXPANSION
from operator_app.store.search_text import fts_query

from .conftest import (
    OPERATOR,
    OTHER_OPERATOR,
    SUPERVISOR,
    FakeClock,
    make_case,
    new_id,
    page,
    put,
)

WORDS = ["zoolokh", "zoolon", "zam", "zamiin", "ulaan", "ulaanbaatar", "shiidverlekh"]
# More words with one beginning than a query lists one by one.
MANY = ["zz" + "".join(p) for p in itertools.product("abcdefghij", repeat=3)][: MAX_EXPANSION + 6]


def _open(path: Path) -> Store:
    return Store.open(path, clock=FakeClock(), threaded=False)


@pytest.fixture(scope="module")
def term_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = _open(tmp_path_factory.mktemp("terms") / "cache.db")
    cases = [make_case(description=" ".join(WORDS[: k + 1])) for k in range(len(WORDS))]
    cases += [make_case(description=word, reg_no=None) for word in MANY]
    store.apply_page(page([put("case", c) for c in cases])).result()
    yield store
    store.close()


def _same_as_prefix_search(store: Store, typed: str) -> None:
    if fts_query(typed) is None:
        return  # nothing to search for (the queue then filters nothing)
    # The queue's text filter still matches every typed word as an FTS5 prefix term.
    assert set(store.search(typed, limit=100_000)) == set(store.queue_ids(QueueFilter(text=typed)))


@pytest.mark.parametrize(
    "typed",
    ["zool", "zoolon", "za", "z", "zz", "zzb", "ulaan", "Улаан", "шийдвэрл", "ub", "ub99", "9"],
)
def test_listed_words_find_what_a_prefix_finds(term_store: Store, typed: str):
    _same_as_prefix_search(term_store, typed)


def test_a_prefix_that_numbers_continue_still_finds_them(term_store: Store):
    # make_case's registration number УБ99112233 is indexed as one word, ub99112233.
    assert len(term_store.search("ub", limit=1000)) == len(WORDS)


def test_a_prefix_of_more_words_than_are_listed_finds_them_all(term_store: Store):
    assert len(term_store.search("zz", limit=1000)) == len(MANY)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.text(alphabet=st.sampled_from("zolnamuibshdvrekh ЗОЛУБ9"), max_size=12))
def test_any_typed_text_finds_what_a_prefix_search_finds(term_store: Store, typed: str):
    _same_as_prefix_search(term_store, typed)


def test_words_of_a_rolled_back_save_are_listed_when_indexed_again(db_path: Path):
    store = _open(db_path)
    try:
        first = make_case(description="zoolokh")
        store.apply_page(page([put("case", first)])).result()
        note = AddNote(new_id(), first.id, "zoolon")
        with pytest.raises(AttributeError):
            store.submit_many([note, object()], OPERATOR).result()  # type: ignore[list-item]
        second = make_case(description="zoolon")
        store.apply_page(page([put("case", second)])).result()
        assert store.search("zool") == [store.rid_of(second.id), store.rid_of(first.id)]
    finally:
        store.close()


def test_saves_reindex_text_they_change_and_only_that(db_path: Path):
    store = _open(db_path)
    try:
        case = make_case(subject="Хогийн цэг", assignee=OPERATOR.id)
        store.apply_page(page([put("case", case)])).result()
        rid = store.rid_of(case.id)
        subject = UpdateCaseFields(case.id, {"subject": FieldChange("Хогийн цэг", "Гэрэлтүүлэг")})
        assert store.submit(subject, SUPERVISOR).result().queued
        assert store.search("гэрэлтүүлэг") == [rid] and store.search("хогийн") == []
        moved = ReassignCase(case.id, OPERATOR.id, OTHER_OPERATOR.id)
        assert store.submit(moved, SUPERVISOR).result().queued
        assert store.search("гэрэлтүүлэг") == [rid]
        note = AddNote(new_id(), case.id, "Чийдэн солигдсон")
        assert store.submit(note, SUPERVISOR).result().queued
        assert store.search("чийдэн гэрэлтүүлэг") == [rid]
    finally:
        store.close()
