"""Text the databases cannot store: NUL characters (PostgreSQL refuses them) and lone
surrogates (not encodable as UTF-8). Found here, they are refused as invalid input, not crashes."""

from __future__ import annotations

from typing import Any

_MAX_DEPTH = 64


def _bad(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def unstorable_path(value: Any, path: str = "", depth: int = 0) -> str | None:
    """The path of the first string (or key) in `value` that cannot be stored, else None."""
    if isinstance(value, str):
        return (path or "value")[:200] if _bad(value) else None
    if depth > _MAX_DEPTH:
        return path or "value"
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _bad(key):
                return path or "key"  # the key itself is not echoed back
            if (found := unstorable_path(item, where, depth + 1)) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := unstorable_path(item, f"{path}[{index}]", depth + 1)) is not None:
                return found
    return None


def storable(text: str) -> str:
    """`text` with anything unstorable replaced by U+FFFD (for names echoed into the audit)."""
    if not _bad(text):
        return text
    return "".join("\ufffd" if ch == "\x00" or "\ud800" <= ch <= "\udfff" else ch for ch in text)
