"""The JSON form of domain records, as the sync stream carries them and both sides store them."""

from __future__ import annotations

import types
import typing
from dataclasses import fields
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union

from operator_app.domain.model import Call, Case, FieldConflict, Note, TimelineEntry
from operator_app.domain.mutations import to_json

T = TypeVar("T")

RECORD_TYPES: dict[str, type[Any]] = {
    "case": Case,
    "note": Note,
    "call": Call,
    "conflict": FieldConflict,
    "timeline": TimelineEntry,
}


def record_to_json(record: Any) -> dict[str, Any]:
    """A record as a JSON object (dates as ISO text, enums as codes, tuples as lists)."""
    return to_json(record)


def record_from_json(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a record; raises ValueError (or KeyError/TypeError) on malformed data."""
    hints = _hints(cls)
    values = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in data:
            values[f.name] = _convert(hints[f.name], data[f.name])
    return cls(**values)


@cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(hint: Any, raw: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        if raw is None:
            return None
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(options[0], raw)
    if origin is tuple:
        return tuple(raw)
    if origin is frozenset:
        return frozenset(raw)
    if origin is dict or hint is object:
        return raw
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(raw)
    if hint is datetime:
        return datetime.fromisoformat(raw)
    if hint is date:
        return date.fromisoformat(raw)
    if hint is bool:
        if not isinstance(raw, bool):
            raise ValueError("expected a boolean")
        return raw
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError("expected an integer")
        return raw
    if hint is str:
        if not isinstance(raw, str):
            raise ValueError("expected text")
        return raw
    return raw
