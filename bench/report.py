"""What every benchmark prints: figures against targets, as a table and as JSON."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One measured figure; `ok` compares it with its target (None when it has none)."""

    name: str
    value: float
    unit: str
    target: float | None = None
    higher_is_better: bool = False
    note: str = ""  # spread, sample sizes: printed, not written to JSON

    @property
    def ok(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": round(self.value, 3),
            "unit": self.unit,
            "target": self.target,
            "ok": self.ok,
        }


def table(figures: Sequence[Figure], name_width: int = 48, digits: int = 2) -> str:
    """The figures as a plain-text table, one line each."""
    header = f"{'figure':<{name_width}} {'value':>12} {'unit':<8} {'target':>8}  ok    note"
    lines = [header]
    for f in figures:
        target = "" if f.target is None else f"{'≥' if f.higher_is_better else '≤'}{f.target:g}"
        ok = "" if f.ok is None else ("yes" if f.ok else "NO")
        value = f"{f.value:>12.{digits}f}"
        lines.append(f"{f.name:<{name_width}} {value} {f.unit:<8} {target:>8}  {ok:<5} {f.note}")
    return "\n".join(lines)


def write_json(path: Path | str, figures: Sequence[Figure]) -> None:
    """Every figure as a list of {"name", "value", "unit", "target", "ok"}."""
    Path(path).write_text(json.dumps([f.as_json() for f in figures], indent=1) + "\n")


def median_ms(fn: Callable[[], object], repeats: int) -> tuple[float, str, object]:
    """Median wall time in ms over `repeats` runs after one warm-up, the spread, the result."""
    result = fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), f"{times[0]:.2f}–{times[-1]:.2f}", result
