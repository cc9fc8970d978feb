"""The words the case index holds (`search_term`), so a typed prefix is matched as the
indexed words it begins.

FTS5 answers a prefix term by merging the postings of every word with that prefix before it
returns a row: 70 ms for a common stem at 300,000 cases, growing with the cache. An OR of
whole words is read lazily and stops at a LIMIT (0.3 ms). The writer keeps the list as it
indexes documents (`Vocabulary`); free-text search expands each typed word from it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable

from operator_app.store.search_text import query_tokens, quoted

_DIGIT = re.compile(r"\d")
# More indexed words than this for one typed prefix: the prefix term is cheaper to match.
MAX_EXPANSION = 300
# sync_state key: present while documents are indexed, or wait to be, without their words in
# search_term (a first sync's, see bulk_load.py).
TERMS_KEY = "deferred_terms"


def case_fts_query(conn: sqlite3.Connection, text: str) -> str | None:
    """`fts_query` for the case index, each prefix replaced by the indexed words it begins.

    A prefix that words with digits may continue, or that begins too many words, stays a
    prefix term. None when nothing searchable is left.
    """
    tokens = query_tokens(text)
    if not tokens:
        return None
    # While a first sync's documents enter the index without their words (bulk_load.py), the
    # vocabulary lacks some: an expansion from it would drop their cases without a sign.
    expand = not terms_owed(conn)
    parts = []
    for token in tokens:
        words = [] if not expand or _DIGIT.search(token) else _words_beginning(conn, token)
        if words and len(words) <= MAX_EXPANSION and not any(_DIGIT.search(w) for w in words):
            parts.append("(" + " OR ".join(quoted(w) for w in words) + ")")
        else:
            parts.append(quoted(token) + "*")
    return " AND ".join(parts)  # FTS5 joins a bracketed group to the next only by AND


# The documents a first sync holds back until its end (deferred_doc, bulk_load.py) are not in
# the index yet: a typed word is looked for in their text, as the start of one of their words
# (documents are folded words and single spaces, like the index's). A scan, but only while
# a first sync runs; searches meanwhile find the cases it has brought so far.
DEFERRED_WORD = "instr(' ' || doc, {}) > 0"


def word_starts(text: str) -> list[str]:
    """What DEFERRED_WORD is given for typed text: each query word after a space."""
    return [" " + token for token in query_tokens(text)]


def terms_owed(conn: sqlite3.Connection) -> bool:
    """Whether documents reached (or are to reach) the index without their words in
    search_term: during a first sync, until bulk_load takes them from the index."""
    return (
        conn.execute("SELECT 1 FROM sync_state WHERE key = ?", (TERMS_KEY,)).fetchone() is not None
    )


def _words_beginning(conn: sqlite3.Connection, prefix: str) -> list[str]:
    return [
        word
        for (word,) in conn.execute(
            "SELECT term FROM search_term WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
            (prefix, prefix + "\U0010ffff", MAX_EXPANSION + 1),
        )
    ]


def term_key(word: str) -> str:
    """What `search_term` holds for an indexed word: the word itself, or for a word with
    digits (numbers are unique per case) its letters before the first digit and a "0",
    which tells a query that a prefix of those letters may continue with digits."""
    digit = _DIGIT.search(word)
    return word if digit is None else word[: digit.start()] + "0"


class Vocabulary:
    """The writer's copy of `search_term`, so a document's known words cost no SQL.

    Everything in it is in the table; after a rolled-back transaction it must be reloaded.
    """

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def reload(self, conn: sqlite3.Connection) -> None:
        self.keys = {key for (key,) in conn.execute("SELECT term FROM search_term")}

    def add(self, conn: sqlite3.Connection, docs: Iterable[str]) -> None:
        """Record the words of documents being indexed (inside the same transaction)."""
        keys = self.keys
        words: set[str] = set()
        for doc in docs:
            words.update(doc.split())
        words -= keys  # set operations in C: most words are known
        new = {term_key(w) for w in words} - keys
        if new:
            conn.executemany(
                "INSERT OR IGNORE INTO search_term(term) VALUES (?)", [(k,) for k in sorted(new)]
            )
            keys |= new


def rebuild_terms(conn: sqlite3.Connection) -> None:
    """Fill `search_term` from the case index (after a rebuild, or when it is created)."""
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.case_fts_terms"
        " USING fts5vocab(main, case_fts, row)"
    )
    try:
        keys = {term_key(term) for (term,) in conn.execute("SELECT term FROM temp.case_fts_terms")}
    finally:
        conn.execute("DROP TABLE temp.case_fts_terms")
    conn.executemany(
        "INSERT OR IGNORE INTO search_term(term) VALUES (?)", [(k,) for k in sorted(keys)]
    )
