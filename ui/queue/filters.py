"""Combining the navigation's base filter with the filter bar's choices. Qt-free."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from operator_app.store import QueueFilter

_SETS = tuple(
    f.name for f in fields(QueueFilter) if f.name not in ("open_only", "unassigned", "text")
)


def _both(a: frozenset[Any], b: frozenset[Any]) -> frozenset[Any] | None:
    """Two "one of" sets ANDed; None when nothing can satisfy both (empty means "any")."""
    if not a:
        return b
    if not b:
        return a
    common = a & b
    return common or None


def combine(base: QueueFilter, extra: QueueFilter) -> QueueFilter | None:
    """Cases matching both filters; None when they contradict each other."""
    values: dict[str, Any] = {}
    for name in _SETS:
        if name in ("assignees",):
            continue
        merged = _both(getattr(base, name), getattr(extra, name))
        if merged is None:
            return None
        values[name] = merged
    assignees = _assignees(base, extra)
    if assignees is None:
        return None
    values["assignees"], values["unassigned"] = assignees
    values["open_only"] = base.open_only or extra.open_only
    values["text"] = " ".join(t for t in (base.text.strip(), extra.text.strip()) if t)
    return replace(QueueFilter(), **values)


def _assignees(base: QueueFilter, extra: QueueFilter) -> tuple[frozenset[str], bool] | None:
    """The assignee condition of both: "theirs (or nobody's, with `unassigned`)" twice."""
    if not (base.assignees or base.unassigned):
        return extra.assignees, extra.unassigned
    if not (extra.assignees or extra.unassigned):
        return base.assignees, base.unassigned
    people = base.assignees & extra.assignees
    nobody = base.unassigned and extra.unassigned
    if not people and not nobody:
        return None
    return people, nobody
