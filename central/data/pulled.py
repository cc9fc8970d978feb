"""A row on its way into a pull: the op's type, id, version and JSON text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Record:
    """One row as a pull op: type, id, version (seq) and the JSON text (None: removed)."""

    type: str
    id: str
    seq: int
    data: str | None
    case_id: str = ""
