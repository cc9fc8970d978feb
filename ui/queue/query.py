"""What the queue shows (filter, sort, quick search) and the snapshot query behind it.

`build_snapshot` runs on a reader thread: it is the only place the queue touches the store for
its ids. Qt-free.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Set
from dataclasses import dataclass, field, replace
from itertools import compress

from operator_app.domain.errors import FieldError
from operator_app.domain.identifiers import (
    parse_case_number,
    parse_registration_number,
    phone_digits,
)
from operator_app.store import QueueFilter, Sort, SortKey, Store

DEFAULT_SORT = Sort(SortKey.REGISTERED_AT, descending=True)
_PHONE_CHARS = frozenset("0123456789 +-().")
MIN_LOOKUP_DIGITS = 4


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """The queue's question; `filter` None means "nothing" (contradictory filters)."""

    filter: QueueFilter | None = field(default_factory=QueueFilter)
    sort: Sort = DEFAULT_SORT
    lookup: str = ""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The answer: case rids in display order, and the rows of the rids asked about."""

    rids: list[int]
    row_of: dict[int, int]  # only the rids `locate` was given: a whole map costs too much
    same: bool = False  # the same rids, in the same order, as the snapshot before
    partial: bool = False  # only the first screenful: the whole list follows


# Slices of the id list worked through at C speed, with the interpreter lock let go between:
# the GUI thread never waits long for it, even at a million rows.
_SLICE = 65_536


def locate(rids: list[int], wanted: Set[int]) -> dict[int, int]:
    """The rows of the `wanted` rids in `rids` (absent ones left out), without a Python-level
    loop over every row."""
    found: dict[int, int] = {}
    if not wanted:
        return found
    for start in range(0, len(rids), _SLICE):
        part = rids[start : start + _SLICE]
        hits = compress(range(start, start + len(part)), map(wanted.__contains__, part))
        found.update((rids[row], row) for row in hits)
        time.sleep(0)  # let the GUI thread have the interpreter
    return found


def snapshot_of(rids: list[int], previous: list[int], wanted: Set[int]) -> Snapshot:
    """A new snapshot, compared with the one shown (off the GUI thread: both may be long)."""
    same = len(rids) == len(previous) and all(
        rids[i : i + _SLICE] == previous[i : i + _SLICE] for i in range(0, len(rids), _SLICE)
    )
    return Snapshot(previous if same else rids, locate(rids, wanted), same)


def _is_case_number(text: str) -> bool:
    return not isinstance(parse_case_number(text), FieldError)


def _is_registration_number(text: str) -> bool:
    return not isinstance(parse_registration_number(text), FieldError)


def _is_phone(text: str) -> bool:
    return set(text) <= _PHONE_CHARS and len(phone_digits(text)) >= MIN_LOOKUP_DIGITS


def is_identifier(text: str) -> bool:
    """Whether quick-search text is a case, phone or registration number (not words)."""
    text = text.strip()
    return _is_case_number(text) or _is_registration_number(text) or _is_phone(text)


def lookup_rids(store: Store, text: str) -> set[int]:
    """Rids of the cases a typed case number, phone or registration number names."""
    text = text.strip()
    wanted: set[int] = set()
    if _is_case_number(text):
        wanted.update(store.case_by_number(text))
    if _is_registration_number(text):
        wanted.update(rid for match in store.find_by_reg_no(text) for rid in match.case_rids)
    # "9911 2233" also reads as a case number of the year 9911: look it up both ways.
    if _is_phone(text):
        wanted.update(rid for match in store.find_by_phone(text) for rid in match.case_rids)
    return wanted


def find_rids(
    store: Store,
    query: QueueQuery,
    limit: int | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[int]:
    """Run the query (on a reader thread): words go to the store's full-text search (Cyrillic
    or Latin), identifiers to its lookups; filters and sort always apply. With `limit`, at
    most that many of the first rids (identifier lookups, a few rids, always come whole)."""
    if query.filter is None:
        return []
    text = query.lookup.strip()
    if not text:
        return store.queue_ids(query.filter, query.sort, limit, cancelled)
    if not is_identifier(text):
        return store.queue_ids(replace(query.filter, text=text), query.sort, limit, cancelled)
    wanted = lookup_rids(store, text)
    if not wanted:
        return []
    # The filtered, sorted ids in SQL, then the looked-up few kept in that order.
    ids = store.queue_ids(query.filter, query.sort, None, cancelled)
    return list(compress(ids, map(wanted.__contains__, ids)))


def build_snapshot(
    store: Store,
    query: QueueQuery,
    previous: list[int] | None = None,
    wanted: Set[int] = frozenset(),
    cancelled: Callable[[], bool] | None = None,
) -> Snapshot:
    """The snapshot of `query` (on a reader thread), compared with `previous`, with the rows of
    the `wanted` rids located; `cancelled` stops the query once nobody wants its answer."""
    return snapshot_of(find_rids(store, query, None, cancelled), previous or [], wanted)


def build_first_screen(
    store: Store,
    query: QueueQuery,
    limit: int,
    previous: list[int] | None = None,
    wanted: Set[int] = frozenset(),
    cancelled: Callable[[], bool] | None = None,
) -> Snapshot:
    """The first `limit` rids of `query` (on a reader thread): an index walk that stops early,
    painted before the whole list arrives. `partial` unless the answer is shorter than that."""
    rids = find_rids(store, query, limit, cancelled)
    if len(rids) < limit or (query.lookup.strip() and is_identifier(query.lookup)):
        return snapshot_of(rids, previous or [], wanted)  # the whole answer already
    return Snapshot(rids, locate(rids, wanted), same=False, partial=True)
