"""Lookups and free-text search. Whatever is typed returns matches or nothing, never an error."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from operator_app.domain.errors import FieldError
from operator_app.domain.identifiers import (
    normalize_phone,
    parse_case_number,
    parse_registration_number,
    phone_digits,
)
from operator_app.store.columns import phone_reversed
from operator_app.store.search_terms import DEFERRED_WORD, case_fts_query, word_starts
from operator_app.store.search_text import fold_words, fts_query

DEFAULT_LIMIT = 50
# Fewer digits than this match too much to be a lookup.
MIN_PHONE_DIGITS = 3
MAX_INPUT = 200  # identifiers are short; anything longer is cut before parsing


@dataclass(frozen=True, slots=True)
class CitizenMatch:
    """A caller found by a lookup, with the rids of their cases (newest first).

    `citizen_id` is None for callers known only from the cases they called about.
    """

    citizen_id: str | None
    name: str
    reg_no: str | None
    phone: str | None
    address: str
    location: str | None
    case_rids: tuple[int, ...]


def _fts_rows(conn: sqlite3.Connection, sql: str, params: Sequence[object]) -> list[tuple]:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc):  # a query FTS5 refused: no matches, not an error
            return []
        raise


def _cases_of(conn: sqlite3.Connection, citizen_id: str) -> tuple[int, ...]:
    return tuple(
        rid
        for (rid,) in conn.execute(
            "SELECT rid FROM case_view WHERE citizen_id = ? ORDER BY registered_at DESC",
            (citizen_id,),
        )
    )


def _citizens(
    conn: sqlite3.Connection, where: str, params: Sequence[object], limit: int
) -> list[CitizenMatch]:
    out = []
    for citizen_id, name, reg_no, phone, address, location in conn.execute(
        f"SELECT id, name, reg_no, phone, address, location FROM srv_citizen WHERE {where} LIMIT ?",
        (*params, limit),
    ):
        cases = _cases_of(conn, citizen_id)
        out.append(CitizenMatch(citizen_id, name, reg_no, phone, address, location, cases))
    return out


def _case_callers(
    conn: sqlite3.Connection, where: str, params: Sequence[object], limit: int, seen: set[str]
) -> list[CitizenMatch]:
    """Callers known from cases (not already found in the registry), one per name and
    number, with their cases newest first."""
    groups: dict[tuple[str, str | None, str | None], list[int]] = {}
    places: dict[tuple[str, str | None, str | None], str | None] = {}
    for rid, citizen_id, name, reg_no, phone, location in conn.execute(
        "SELECT rid, citizen_id, citizen_name, reg_no, phone, location FROM case_view"
        f" WHERE {where} ORDER BY registered_at DESC LIMIT ?",
        (*params, limit * 4),
    ):
        if citizen_id is not None and citizen_id in seen:
            continue
        key = (name, reg_no, phone)
        groups.setdefault(key, []).append(rid)
        places.setdefault(key, location)
    return [
        CitizenMatch(None, key[0], key[1], key[2], "", places[key], tuple(rids))
        for key, rids in list(groups.items())[:limit]
    ]


def _merge(
    found: list[CitizenMatch], extra: Iterable[CitizenMatch], limit: int
) -> list[CitizenMatch]:
    return (found + list(extra))[:limit]


def by_phone(conn: sqlite3.Connection, text: str, limit: int = DEFAULT_LIMIT) -> list[CitizenMatch]:
    """Callers by phone: a whole number, its last digits, or (failing those) digits anywhere."""
    digits = phone_digits(text[:MAX_INPUT])
    if len(digits) < MIN_PHONE_DIGITS:
        return []
    normal = normalize_phone(text[:MAX_INPUT])
    rev = phone_reversed(normal) if isinstance(normal, str) else digits[-8:][::-1]
    assert rev is not None
    # ":" sorts right after "9": [rev, rev + ":") is every reversed number starting with rev.
    where, params = "phone_rev >= ? AND phone_rev < ?", (rev, rev + ":")
    found = _citizens(conn, where, params, limit)
    seen = {m.citizen_id for m in found if m.citizen_id}
    found = _merge(found, _case_callers(conn, where, params, limit, seen), limit)
    if found or len(digits) < 4:
        return found
    # Digits from the middle of a number: a scan of the small phone index, bounded by LIMIT.
    like = ("%" + digits[::-1][:8] + "%",)
    where = "phone_rev IS NOT NULL AND phone_rev LIKE ?"
    found = _citizens(conn, where, like, limit)
    seen = {m.citizen_id for m in found if m.citizen_id}
    return _merge(found, _case_callers(conn, where, like, limit, seen), limit)


def by_reg_no(
    conn: sqlite3.Connection, text: str, limit: int = DEFAULT_LIMIT
) -> list[CitizenMatch]:
    """Callers by registration number, whole or its beginning (look-alike letters forgiven)."""
    parsed = parse_registration_number(text[:MAX_INPUT])
    if isinstance(parsed, FieldError):
        prefix = parse_registration_number(text[:MAX_INPUT] + "0" * 8)
        if isinstance(prefix, FieldError):
            # A partial number: normalise like the full one and match its beginning.
            cleaned = "".join(ch for ch in text[:MAX_INPUT].upper() if ch.isalnum())
            if len(cleaned) < 2:
                return []
            where, params = "reg_no >= ? AND reg_no < ?", (cleaned, cleaned + "\uffff")
        else:
            start = str(prefix)[: len(str(prefix)) - 8]
            where, params = "reg_no >= ? AND reg_no < ?", (start, start + "\uffff")
    else:
        where, params = "reg_no = ?", (str(parsed),)
    found = _citizens(conn, where, params, limit)
    seen = {m.citizen_id for m in found if m.citizen_id}
    return _merge(found, _case_callers(conn, where, params, limit, seen), limit)


def _name_matches(name: str, tokens: list[str]) -> bool:
    words = fold_words(name)
    joined = "".join(words)
    return all(any(w.startswith(t) for w in words) or joined.startswith(t) for t in tokens)


def by_name(conn: sqlite3.Connection, text: str, limit: int = DEFAULT_LIMIT) -> list[CitizenMatch]:
    """Callers by name, in Cyrillic or Latin, each word a prefix (Бат-Эрдэнэ = bat erdene)."""
    query = fts_query(text)
    if query is None:
        return []
    rowids = [
        rowid
        for (rowid,) in _fts_rows(
            conn, "SELECT rowid FROM citizen_fts WHERE citizen_fts MATCH ? LIMIT ?", (query, limit)
        )
    ]
    found: list[CitizenMatch] = []
    if rowids:
        found = _citizens(conn, f"rowid IN ({','.join('?' * len(rowids))})", rowids, limit)
    if len(found) >= limit:
        return found
    # Callers named only on cases: candidates from the case index, names checked here.
    tokens = fold_words(text)
    candidates = [
        rid
        for rid, name in _fts_rows(
            conn,
            "SELECT v.rid, v.citizen_name FROM case_fts f JOIN case_view v ON v.rid = f.rowid"
            " WHERE case_fts MATCH ? AND v.citizen_id IS NULL AND v.citizen_name <> ''"
            " LIMIT ?",
            (query, limit * 20),
        )
        if _name_matches(name, tokens)
    ]
    if not candidates:
        return found
    where = f"rid IN ({','.join('?' * len(candidates))})"
    return _merge(found, _case_callers(conn, where, candidates, limit, set()), limit)


def case_by_number(conn: sqlite3.Connection, text: str) -> list[int]:
    """Rids of the case with this permanent or provisional number (forgiving the typing)."""
    parsed = parse_case_number(text[:MAX_INPUT])
    if isinstance(parsed, FieldError):
        return []
    column = "provisional_ref" if parsed.is_provisional else "number"
    return [
        rid
        for (rid,) in conn.execute(f"SELECT rid FROM case_view WHERE {column} = ?", (str(parsed),))
    ]


def free_text(conn: sqlite3.Connection, text: str, limit: int = 200) -> list[int]:
    """Rids of cases whose subject, description, notes, caller or place match every typed word
    as a prefix, in either script; most recently received first."""
    query = case_fts_query(conn, text)
    if query is None:
        return []
    found = [
        rid
        for (rid,) in _fts_rows(
            conn,
            "SELECT rowid FROM case_fts WHERE case_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            (query, limit),
        )
    ]
    starts = word_starts(text)
    held = conn.execute(
        "SELECT rid FROM deferred_doc WHERE"
        f" {' AND '.join(DEFERRED_WORD.format('?') for _ in starts)} ORDER BY rid DESC LIMIT ?",
        (*starts, limit),
    ).fetchall()
    if held:
        found = sorted({*found, *(rid for (rid,) in held)}, reverse=True)[:limit]
    return found
