"""A saved note adds its words to the case's stored document (add_note_doc, doc_with_note):
the document must hold the words a full recompute (case_doc over every note) gives."""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from operator_app.domain.model import Status
from operator_app.domain.mutations import AddNote, ChangeStatus
from operator_app.store import Store, bulk_load, write_jobs
from operator_app.store.search_text import case_doc, doc_with_note, note_bodies

from .conftest import OPERATOR, create_args, make_case, new_id, note_for, page, put


def _docs(store: Store, case_id: str) -> tuple[str, str]:
    """The case's stored document, and the one case_doc makes from its view and notes."""
    conn = store._conn()
    rid = store.rid_of(case_id)
    (data,) = conn.execute(
        "SELECT COALESCE(v.data, s.data) FROM case_view v LEFT JOIN srv_case s ON s.rid = v.rid"
        " WHERE v.rid = ?",
        (rid,),
    ).fetchone()
    row = conn.execute("SELECT doc FROM case_fts WHERE rowid = ?", (rid,)).fetchone()
    assert row is not None, "the case's document is in the index"
    return row[0], case_doc(json.loads(data), note_bodies(conn, rid))


def _assert_same_words(store: Store, case_id: str) -> str:
    stored, full = _docs(store, case_id)
    words = stored.split()
    assert len(words) == len(set(words)), "each word once"
    assert set(words) == set(full.split())
    return stored


def _note(store: Store, case_id: str, body: str) -> None:
    assert store.submit(AddNote(new_id(), case_id, body), OPERATOR).result().queued


@pytest.fixture
def confirmed(store: Store) -> str:
    """A case the server sent, with a note of its own."""
    case = make_case(assignee=OPERATOR.id)
    store.apply_page(page([put("case", case), put("note", note_for(case))])).result()
    return case.id


@pytest.mark.parametrize(
    "body",
    [
        "Иргэнтэй утсаар ярьж, шинэ мэдээлэл авлаа.",  # new words
        "Иргэн утсаар хандаж халаалт муу гэж мэдэгдэв.",  # the description's own words
        "Иргэнтэй дахин холбогдлоо.",  # the server's note again
        "Утас 99112233, 12-р хороо, байр 5а, ABC-123 дугаартай",  # words with digits
        "Бат-Эрдэнэ Болд Хан-Уул дүүрэгт амьдардаг",  # the caller's name and places
        "!!! ... ---",  # no words at all
        "Ｆｕｌｌｗｉｄｔｈ ﬁnance Ǆemal",  # NFKC and casefold
    ],
)
def test_a_note_gives_the_words_a_full_recompute_gives(
    store: Store, confirmed: str, body: str
) -> None:
    before, _ = _docs(store, confirmed)
    _note(store, confirmed, body)
    after = _assert_same_words(store, confirmed)
    assert set(before.split()) <= set(after.split())


def test_notes_one_after_another_and_a_status_between(store: Store, confirmed: str) -> None:
    for body in ("Нэгдүгээр тэмдэглэл 2026-03-02", "Хоёрдугаар тэмдэглэл", "Нэгдүгээр дахин"):
        _note(store, confirmed, body)
        _assert_same_words(store, confirmed)
    status = ChangeStatus(confirmed, Status.IN_PROGRESS)
    assert store.submit(status, OPERATOR).result().queued
    _note(store, confirmed, "Шалгаж эхлэв")
    _assert_same_words(store, confirmed)


def test_a_note_of_new_words_goes_where_the_full_recompute_puts_it(
    store: Store, confirmed: str
) -> None:
    # Before the caller's name and places, as case_doc orders them: the recompute when the
    # server sends the note back finds the same text and leaves the index alone.
    _note(store, confirmed, "Цахилгааны шугам тасарсан")
    stored, full = _docs(store, confirmed)
    assert stored == full


def test_a_note_of_known_words_leaves_the_index_alone(store: Store, confirmed: str) -> None:
    before, _ = _docs(store, confirmed)
    _note(store, confirmed, "Халаалт муу, иргэн утсаар хандаж.")
    after, _ = _docs(store, confirmed)
    assert after == before


def test_a_note_on_a_case_typed_here_with_notes_pending(store: Store) -> None:
    created = store.submit(create_args(), OPERATOR).result()
    for body in ("Эмнэлэгт утсаар холбогдов", "Дугаар 12345 өгсөн", "Эмнэлэгт дахин"):
        _note(store, created.case_id, body)
        _assert_same_words(store, created.case_id)


def test_a_note_on_a_case_whose_document_a_first_sync_holds_back(store: Store) -> None:
    ops = []
    cases = [make_case(assignee=OPERATOR.id) for _ in range(bulk_load.MIN_PAGE_CASES)]
    for case in cases:
        ops += [put("case", case), put("note", note_for(case))]
    store.apply_page(page(ops, has_more=True)).result()
    conn = store._conn()
    held = conn.execute("SELECT count(*) FROM deferred_doc").fetchone()[0]
    assert held == len(cases)
    case_id = cases[3].id
    _note(store, case_id, "Цахилгаангүй 3 хоног, 55501234")
    # Indexed at once and no longer held back, with every word of its text and notes.
    _assert_same_words(store, case_id)
    rid = store.rid_of(case_id)
    assert conn.execute("SELECT 1 FROM deferred_doc WHERE rid = ?", (rid,)).fetchone() is None
    assert conn.execute("SELECT count(*) FROM deferred_doc").fetchone()[0] == held - 1
    assert store.search("tsahilgaangui") == [rid]
    assert store.search("55501234") == [rid]
    _note(store, case_id, "Дахин залгав")  # now from the index
    _assert_same_words(store, case_id)


def test_a_case_without_a_document_gets_a_full_one(store: Store, confirmed: str) -> None:
    rid = store.rid_of(confirmed)
    store._writer.connection.execute("DELETE FROM case_fts WHERE rowid = ?", (rid,))
    _note(store, confirmed, "Шинэ тэмдэглэл")
    stored, full = _docs(store, confirmed)
    assert stored == full


def test_a_note_reads_no_other_note(
    store: Store, confirmed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The point of the fast path: a note's save does not read the case's notes back.
    def refuse(conn: sqlite3.Connection, rid: int) -> list[str]:
        raise AssertionError("every note read back")

    monkeypatch.setattr(write_jobs, "note_bodies", refuse)
    _note(store, confirmed, "Хурдан зам")
    monkeypatch.undo()
    _assert_same_words(store, confirmed)


# Cyrillic and Latin letters, digits, marks, spaces, and what NFKC or casefold changes.
_LETTERS = "абвгдеёжзийклмноөпрстуүфхцчшъыьэюя АӨҮЁЯ abcXYZ 0129 -.,/ ﬁＡ\u0301ß"
_TEXT = st.text(alphabet=st.sampled_from(list(_LETTERS)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    subject=_TEXT,
    description=_TEXT,
    name=st.sampled_from(["", "Бат-Эрдэнэ Болд", "Дорж", "Anna-Maria"]),
    location=st.sampled_from([None, "112291", "11"]),
    notes=st.lists(_TEXT, max_size=3),
    body=_TEXT,
)
def test_doc_with_note_holds_the_words_of_case_doc(
    subject: str,
    description: str,
    name: str,
    location: str | None,
    notes: list[str],
    body: str,
) -> None:
    data = {
        "subject": subject,
        "description": description,
        "citizen_name": name,
        "location": location,
        "phone": "+97699112233",
        "number": "2026-000001",
    }
    doc = doc_with_note(case_doc(data, notes), data, body)
    full = case_doc(data, [*notes, body])
    assert len(doc.split()) == len(set(doc.split()))
    assert set(doc.split()) == set(full.split())


def test_a_notes_new_words_reach_the_vocabulary_that_prefixes_expand_from(
    store: Store, confirmed: str
) -> None:
    # "halaalt" is in the vocabulary (the confirmed case's subject). A typed "halaalt" is
    # expanded to the vocabulary's words that begin it: a note's "halaaltgui" left out of it
    # would leave out a case that has only that word.
    created = store.submit(create_args(), OPERATOR).result()
    _note(store, created.case_id, "Халаалтгүй гурав хонож байна")
    conn = store._conn()
    terms = {t for (t,) in conn.execute("SELECT term FROM search_term WHERE term >= 'halaalt'")}
    assert {"halaalt", "halaaltgui"} <= terms
    assert store.rid_of(created.case_id) in store.search("halaalt")
    assert store.rid_of(confirmed) in store.search("halaalt")
