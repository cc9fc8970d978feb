"""Domain records in their wire form: compact JSON text, as stored and as pulled."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from operator_app.domain.records import record_from_json, record_to_json

T = TypeVar("T")


def dumps(value: Any) -> str:
    """Compact JSON; Cyrillic kept as UTF-8 (a third the size of \\u escapes on slow links)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def dumps_ascii(value: Any) -> str:
    """JSON with every non-ASCII character escaped: storable whatever text it carries."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def encode_record(record: Any) -> str:
    return dumps(record_to_json(record))


def decode_record(cls: type[T], text: str) -> T:
    return record_from_json(cls, json.loads(text))


def with_id(data: str, record_id: str) -> str:
    """A stored JSON object with `"id"` added in front (timeline entries get theirs on insert)."""
    head = '{"id":' + json.dumps(record_id)
    body = data[1:].lstrip()
    return head + ("}" if body.startswith("}") else "," + body)
