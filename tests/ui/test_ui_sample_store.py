"""The generated sample cache: case numbers stay within a year's 999,999, however many cases."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from operator_app.domain import identifiers
from operator_app.store import QueueFilter, Store
from tests.ui.desk import NOW, clock
from ui.sample_store import fill

PER_YEAR = 4  # stands in for 999,999: a million cases is no test
CASES = 3 * PER_YEAR - 1


def test_past_a_years_numbers_the_next_block_comes_from_the_year_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(identifiers, "MAX_CASE_SEQ", PER_YEAR)
    store = Store.open(tmp_path / "cache.sqlite3", clock=clock, threaded=False)
    try:
        fill(store, CASES, now=NOW)
        rows = store.rows(list(store.queue_ids(QueueFilter())))
    finally:
        store.close()

    assert len(rows) == CASES
    numbers = [r.number for r in rows]
    assert all(numbers) and len(set(numbers)) == CASES  # no number given twice
    assert all(1 <= int(str(n)[5:]) <= PER_YEAR for n in numbers), numbers
    years = Counter(int(str(n)[:4]) for n in numbers)
    # The first block takes the years its cases were registered in (NOW's 120 days may reach
    # into the year before); each further block a year of its own below those.
    *_, second_oldest, oldest = sorted(years, reverse=True)
    assert (years[second_oldest], years[oldest]) == (PER_YEAR, CASES - 2 * PER_YEAR)
    assert oldest == second_oldest - 1 and second_oldest < NOW.year
    for row in rows:
        # Registered in the year of its number, or at the very end of the year before.
        assert 0 <= int(str(row.number)[:4]) - row.registered_at.year <= 1, row
