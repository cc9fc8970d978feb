"""What the full-text index holds and how typed text becomes a safe FTS5 query.

Documents and queries go through the same fold (`operator_app.domain.translit.search_key`,
word by word), so Latin and Cyrillic spellings of a name meet, and no user text ever reaches
MATCH unquoted.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from operator_app.domain.translit import compact_key, search_key
from operator_app.reference import admin_unit_path
from operator_app.store.columns import national_digits

_WORD = re.compile(r"[^\W_]+")
_RUNS = re.compile(r"\d+|\D+")
_DIGIT = re.compile(r"\d")
# A word's key is cached: names, places and the common words of notes repeat endlessly, and
# search_key walks its input character by character.
_FOLD_CACHE: dict[str, tuple[str, ...]] = {}
_RAW_CACHE: dict[str, str] = {}
_FOLD_CACHE_LIMIT = 500_000
_CACHED_NUMBER_CHARS = 6
# Bounds that keep a pasted page from becoming a query that runs for seconds.
MAX_QUERY_TOKENS = 12
MAX_TOKEN_CHARS = 40


def fold_word(word: str) -> tuple[str, ...]:
    """The search-key words of one word (usually one; none for marks alone)."""
    cached = _FOLD_CACHE.get(word)
    if cached is not None:
        return cached
    if word.isdigit():
        return (word,)
    if _DIGIT.search(word):
        # Numbers are unique per case (phones, registration and case numbers): only their
        # letters go through the cache, and the key is the same (no fold spans a digit).
        return (
            "".join(
                run if run.isdigit() else "".join(fold_word(run)) for run in _RUNS.findall(word)
            ),
        )
    if len(_FOLD_CACHE) >= _FOLD_CACHE_LIMIT:
        _FOLD_CACHE.clear()
    folded = tuple(search_key(word).split())
    _FOLD_CACHE[word] = folded
    return folded


def fold_words(text: str) -> list[str]:
    """Folded words of any text, in order."""
    # ASCII is its own NFKC form and casefolds as it lowers (a case's numbers, mostly).
    text = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    for word in _WORD.findall(text):
        out.extend(fold_word(word))
    return out


def _folded(words: list[str]) -> list[str]:
    """Each word's folded words, space-separated (an empty string for marks alone)."""
    # The lookups run in C (map), and so does the search for misses (list.index): a case's
    # numbers miss every time, and walking all its words in Python to find them cost more
    # than the folding.
    parts: list[str | None] = list(map(_RAW_CACHE.get, words))
    index = -1
    try:
        while True:
            index = parts.index(None, index + 1)
            word = words[index]
            if word.isascii() and word.isdigit():
                parts[index] = word  # a number folds to itself, and is unique: not cached
                continue
            folded = " ".join(fold_words(word))
            # Long numbers are unique per case (phones, registration and case numbers):
            # caching them fills memory. Short ones ("12-р", house and flat numbers) repeat.
            if len(word) <= _CACHED_NUMBER_CHARS or not _DIGIT.search(word):
                if len(_RAW_CACHE) >= _FOLD_CACHE_LIMIT:
                    _RAW_CACHE.clear()
                _RAW_CACHE[word] = folded
            parts[index] = folded
    except ValueError:
        pass  # no None is left
    return parts  # type: ignore[return-value]


@lru_cache(maxsize=65536)
def name_words(name: str) -> tuple[str, ...]:
    """A name's folded words, plus each hyphenated part run together (Бат-Эрдэнэ: baterdene)."""
    words = fold_words(name)
    for part in name.split():
        if len(fold_words(part)) > 1:
            words.append(compact_key(part))
    return tuple(words)


@lru_cache(maxsize=4096)
def place_words(location: str | None) -> str:
    """Folded names of an administrative unit and its parents."""
    if not location:
        return ""
    return " ".join(w for unit in admin_unit_path(location) for w in fold_words(unit.name))


# The case fields a document is made of (with the notes): a change elsewhere leaves it be.
DOC_FIELDS: tuple[str, ...] = (
    "subject",
    "description",
    "resolution",
    "address",
    "number",
    "provisional_ref",
    "reg_no",
    "phone",
    "citizen_name",
    "location",
)


def case_doc(data: Mapping[str, Any], note_bodies: Iterable[str] = ()) -> str:
    """The indexed text of a case: subject, description, answer, caller, places, numbers, notes.

    Each word once: the index keeps no positions or counts (detail=none), so repeats would
    only cost time.
    """
    parts = [
        data.get("subject") or "",
        data.get("description") or "",
        data.get("resolution") or "",
        data.get("address") or "",
        data.get("number") or "",
        data.get("provisional_ref") or "",
        data.get("reg_no") or "",
        national_digits(data.get("phone")),
        *note_bodies,
    ]
    # Words as written are made unique before folding (descriptions and notes repeat them),
    # the folded words after (two spellings may fold alike).
    folded = _folded(list(dict.fromkeys(" ".join(parts).split())))
    name = data.get("citizen_name")
    if name:
        folded.append(_name_text(name))
    folded.append(place_words(data.get("location")))
    return " ".join(dict.fromkeys(" ".join(folded).split()))


@lru_cache(maxsize=65536)
def _name_text(name: str) -> str:
    return " ".join(name_words(name))


def doc_with_note(doc: str, data: Mapping[str, Any], body: str) -> str:
    """`doc`, a case's document (case_doc(data, notes)), with a new note's words: the set of
    words case_doc(data, [*notes, body]) gives, without the notes read back.

    The words go where case_doc puts a last note's words, before the caller's name and
    places: the recompute when the server sends the note back (set_doc) then finds the same
    text and leaves the index alone. If the text before those ends with one of their words
    the new ones go before that word too: the same words, in another order (set_doc rewrites
    the document once; the index keeps no positions, detail=none).
    """
    words = doc.split()
    known = set(words)
    raw = list(dict.fromkeys(body.split()))
    added = [w for w in dict.fromkeys(" ".join(_folded(raw)).split()) if w not in known]
    if not added:
        return doc
    name = data.get("citizen_name")
    tail = set(place_words(data.get("location")).split())
    if name:
        tail.update(_name_text(name).split())
    end = len(words)
    while end and words[end - 1] in tail:
        end -= 1
    return " ".join(words[:end] + added + words[end:])


def query_tokens(text: str) -> list[str]:
    """The folded words of typed text that a query uses (bounded in number and length)."""
    tokens: list[str] = []
    for token in fold_words(text[: MAX_QUERY_TOKENS * (MAX_TOKEN_CHARS + 1) * 4]):
        token = token[:MAX_TOKEN_CHARS]
        if token and token not in tokens:
            tokens.append(token)
        if len(tokens) == MAX_QUERY_TOKENS:
            break
    return tokens


def quoted(word: str) -> str:
    """A word as an FTS5 string (never an operator)."""
    return '"' + word.replace('"', '""') + '"'


def fts_query(text: str) -> str | None:
    """A MATCH expression for typed text: every word a quoted prefix term, all required.

    None when nothing searchable is left (only symbols, say): the caller returns no results.
    """
    tokens = query_tokens(text)
    if not tokens:
        return None
    return " ".join(quoted(token) + "*" for token in tokens)


def note_bodies(conn: sqlite3.Connection, rid: int) -> list[str]:
    """Bodies of a case's notes: confirmed and pending."""
    rows = conn.execute(
        "SELECT json_extract(data, '$.body') FROM srv_note WHERE case_rid = ?"
        " UNION ALL SELECT json_extract(data, '$.body') FROM pending_record"
        " WHERE case_rid = ? AND type = 'note'"
        " AND id NOT IN (SELECT id FROM srv_note WHERE case_rid = ?)",
        (rid, rid, rid),
    )
    return [body for (body,) in rows if isinstance(body, str)]


def rebuild_search(conn: sqlite3.Connection, batch: int = 2000) -> None:
    """Re-index every case and citizen (inside the caller's transaction)."""
    conn.execute("DELETE FROM case_fts")
    if conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deferred_doc'"
    ).fetchone():
        conn.execute("DELETE FROM deferred_doc")  # every case is indexed below
    conn.execute("DELETE FROM citizen_fts")
    last = 0
    while True:
        rows = conn.execute(
            "SELECT v.rid, COALESCE(v.data, s.data) FROM case_view v"
            " LEFT JOIN srv_case s ON s.rid = v.rid WHERE v.rid > ? ORDER BY v.rid LIMIT ?",
            (last, batch),
        ).fetchall()
        if not rows:
            break
        docs = [(rid, case_doc(json.loads(data), note_bodies(conn, rid))) for rid, data in rows]
        conn.executemany("INSERT INTO case_fts(rowid, doc) VALUES (?, ?)", docs)
        last = rows[-1][0]
    citizens = conn.execute("SELECT rowid, name FROM srv_citizen").fetchall()
    conn.executemany(
        "INSERT INTO citizen_fts(rowid, name) VALUES (?, ?)",
        [(rowid, " ".join(name_words(name))) for rowid, name in citizens],
    )
