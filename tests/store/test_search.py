"""Lookups and free-text search: Latin and Cyrillic meet, and no typed text raises."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from operator_app.store import QueueFilter, Store

from .conftest import FakeClock, make_case, note_for, page, put

BAT = make_case(
    citizen_name="Бат-Эрдэнэ Дорж",
    phone="+97699112233",
    reg_no="УБ99112233",
    subject="Байрны халаалтын асуудал",
    description="Түвшинтөгс хороолол.",
    number="2026-000123",
    provisional_ref="P-7K3Q-17",
)
OLZII = make_case(
    citizen_name="Өлзийбаяр Сүх",
    phone="+97688776655",
    reg_no="ЧЕ01250512",
    subject="Үйлчилгээний чанар",
    description="Өрхийн эмнэлгийн үйлчилгээ.",
    location="2101",
)
LATIN_NOTE = make_case(
    citizen_name="",
    phone=None,
    reg_no=None,
    subject="Утасны дуудлага",
    description="",
    location=None,
)
CITIZEN = {
    "id": "cit-1",
    "name": "Ганболд Мөнхзул",
    "reg_no": "УК93110667",
    "phone": "+97691115110",
    "address": "Хан-Уул",
    "location": "112291",
}


@pytest.fixture(scope="module")
def search_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store.open(
        tmp_path_factory.mktemp("search") / "cache.db", clock=FakeClock(), threaded=False
    )
    linked = make_case(
        citizen_id="cit-1",
        citizen_name=CITIZEN["name"],
        phone=CITIZEN["phone"],
        reg_no=CITIZEN["reg_no"],
        subject="Цалин олгоогүй",
        description="",
    )
    store.apply_page(
        page(
            [
                put("citizen", CITIZEN),
                put("case", BAT),
                put("case", OLZII),
                put("case", LATIN_NOTE),
                put("case", linked),
                put(
                    "note",
                    note_for(LATIN_NOTE, "Bat-Erdene dahin zalgasan, baishingiin dulaan muu"),
                ),
            ]
        )
    ).result()
    yield store
    store.close()


def _rid(store: Store, case) -> int:
    rid = store.rid_of(case.id)
    assert rid is not None
    return rid


@pytest.mark.parametrize(
    "typed",
    [
        "bat-erdene",
        "Bat Erdene",
        "бат эрдэнэ",
        "Бат-Эрдэнэ",
        "baterdene",
        "Батэрдэнэ",
        "BAT-ERDENE dorj",
    ],
)
def test_bat_erdene_is_found_however_it_is_typed(search_store: Store, typed: str):
    names = [m.name for m in search_store.find_by_name(typed)]
    assert "Бат-Эрдэнэ Дорж" in names
    assert _rid(search_store, BAT) in search_store.search(typed)


@pytest.mark.parametrize(
    ("typed", "case"),
    [("olziibayar", OLZII), ("Ulzii", None), ("uilchilgee", OLZII), ("tuvshin", BAT)],
)
def test_o_and_u_find_the_rounded_vowels(search_store: Store, typed: str, case):
    found = search_store.search(typed)
    if case is None:
        assert _rid(search_store, OLZII) not in found  # O and U stay different letters
    else:
        assert _rid(search_store, case) in found


def test_latin_text_is_found_from_cyrillic_and_word_endings_by_prefix(search_store: Store):
    rid = _rid(search_store, LATIN_NOTE)
    assert rid in search_store.search("Бат-Эрдэнэ залгасан")
    assert rid in search_store.search("байшин")  # baishingiin: the genitive ending
    assert _rid(search_store, BAT) in search_store.search("халаалт")  # халаалтын


def test_text_filter_in_the_queue_uses_the_same_search(search_store: Store):
    ids = search_store.queue_ids(QueueFilter(text="halaalt"))
    assert ids == [_rid(search_store, BAT)]


@pytest.mark.parametrize(
    "typed", ["+976 9911 2233", "99112233", "976-99-11-22-33", "2233", "1122", "9911"]
)
def test_phone_lookup_by_whole_number_suffix_or_middle_digits(search_store: Store, typed: str):
    matches = search_store.find_by_phone(typed)
    assert [m.phone for m in matches] == ["+97699112233"]
    assert matches[0].case_rids == (_rid(search_store, BAT),)


def test_registry_citizens_come_with_their_cases(search_store: Store):
    for found in (
        search_store.find_by_phone("5110"),
        search_store.find_by_reg_no("ук93110667"),
        search_store.find_by_name("Ganbold Monkhzul"),
    ):
        assert [m.citizen_id for m in found] == ["cit-1"]
        assert len(found[0].case_rids) == 1


@pytest.mark.parametrize("typed", ["УБ99112233", "уб 9911 2233", "YБ99112233", "УБ9911"])
def test_registration_number_whole_or_beginning(search_store: Store, typed: str):
    assert [m.reg_no for m in search_store.find_by_reg_no(typed)] == ["УБ99112233"]


@pytest.mark.parametrize("typed", ["2026-000123", "2026-123", "2026 000123", "p-7k3q-17"])
def test_case_by_permanent_or_provisional_number(search_store: Store, typed: str):
    assert search_store.case_by_number(typed) == [_rid(search_store, BAT)]


HOSTILE = [
    '"',
    '""',
    "AND(",
    "OR",
    "NOT",
    "NEAR(a b)",
    "*",
    "a*",
    "^",
    "-",
    "(",
    ")",
    ":",
    "doc:",
    "{doc}: x",
    "'; DROP TABLE case_view; --",
    "\x00",
    "‮",
    "😀",
    "ǂ",
    "a" * 10_000,
    "халаалт " * 2_000,
    "%_%",
    "\\",
    "\u0301",
    "AND",
    "x AND",
    '"x"*',
]


@pytest.mark.parametrize("typed", HOSTILE)
def test_hostile_input_returns_results_or_nothing(search_store: Store, typed: str):
    _every_search(search_store, typed)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.text(max_size=300)
    | st.text(alphabet=st.sampled_from('"*()^:-+ ANDORTNEАБВ0129'), max_size=40)
)
def test_any_typed_text_returns_results_or_nothing(search_store: Store, typed: str):
    _every_search(search_store, typed)


def _every_search(store: Store, typed: str) -> None:
    results = [
        store.search(typed),
        store.queue_ids(QueueFilter(text=typed)),
        store.find_by_name(typed),
        store.find_by_phone(typed),
        store.find_by_reg_no(typed),
        store.case_by_number(typed),
    ]
    assert all(isinstance(r, list) for r in results)
    assert all(len(r) <= 200 for r in results)
