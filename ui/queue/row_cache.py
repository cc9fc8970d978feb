"""A bounded least-recently-used cache of queue rows, by rid."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from operator_app.store import QueueRow


class RowCache:
    """Keeps the `capacity` rows used last; reading a row counts as using it."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("a row cache needs room for at least one row")
        self._capacity = capacity
        self._rows: OrderedDict[int, QueueRow] = OrderedDict()

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, rid: object) -> bool:
        return rid in self._rows

    def get(self, rid: int) -> QueueRow | None:
        row = self._rows.get(rid)
        if row is not None:
            self._rows.move_to_end(rid)
        return row

    def put(self, row: QueueRow) -> None:
        self._rows[row.rid] = row
        self._rows.move_to_end(row.rid)
        while len(self._rows) > self._capacity:
            self._rows.popitem(last=False)

    def discard(self, rid: int) -> None:
        self._rows.pop(rid, None)

    def clear(self) -> None:
        self._rows.clear()

    def rids(self) -> Iterator[int]:
        """The cached rids, without counting as use."""
        return iter(list(self._rows))

    def rows(self) -> Iterator[QueueRow]:
        """The cached rows, without counting as use."""
        return iter(list(self._rows.values()))
