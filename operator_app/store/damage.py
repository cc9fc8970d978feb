"""A damaged cache file: detect it at open, salvage the outbox, move the file aside.

The cache can always be pulled again; the outbox cannot. So before anything else happens to a
damaged file, every pending mutation that can still be read is written to a salvage file.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from operator_app.store.outbox import OutboxEntry, actor_from_json

_HEADER = b"SQLite format 3\x00"
# SQLITE_CORRUPT and SQLITE_NOTADB (primary codes; extended codes keep them in the low byte).
_DAMAGE_CODES = frozenset({11, 26})
_MAX_SCAN_IDS = 100_000


@dataclass(frozen=True, slots=True)
class OpenReport:
    """What opening found. All None/0 for a healthy file."""

    damage: str | None = None
    moved_to: Path | None = None
    salvage_file: Path | None = None
    salvaged_mutations: int = 0


def is_damage(exc: BaseException) -> bool:
    """Whether an SQLite error says the file itself is broken (not busy, not a bad query)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _DAMAGE_CODES
    text = str(exc)
    return "malformed" in text or "not a database" in text


def probe(path: Path, *, full: bool = False) -> str | None:
    """A description of the damage, or None if the file looks sound.

    The quick probe reads the header, the schema, the first and last page of every table and
    the whole outbox: cheap at any size. `full` adds `PRAGMA quick_check` (seconds at 1M cases).
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return None
    with path.open("rb") as fh:
        if fh.read(len(_HEADER)) != _HEADER:
            return "not an SQLite database"
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        tables = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
        for name, sql in tables:
            if "VIRTUAL" in (sql or "").upper() or name.startswith("sqlite_"):
                continue
            conn.execute(f'SELECT * FROM "{name}" LIMIT 1').fetchall()
            if "WITHOUT ROWID" not in (sql or "").upper():
                conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid DESC LIMIT 1').fetchall()
        if any(name == "outbox" for name, _ in tables):
            conn.execute("SELECT * FROM outbox").fetchall()
        if full:
            rows = conn.execute("PRAGMA quick_check").fetchall()
            if rows != [("ok",)]:
                return "; ".join(str(r[0]) for r in rows[:5])
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            return str(exc)
        raise
    finally:
        conn.close()
    return None


def _read_rows(conn: sqlite3.Connection, table: str) -> list[dict[str, Any]]:
    """Every readable row, one by one when a bulk read fails part way."""
    columns = "id, name, v, args, actor, client_time, case_id"
    try:
        rows = conn.execute(f"SELECT {columns} FROM {table} ORDER BY id").fetchall()
    except sqlite3.DatabaseError:
        rows = []
        # The highest id is on the rightmost page; without it there is nothing to go by.
        top = conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0
        for mid in range(1, min(top, _MAX_SCAN_IDS) + 1):
            try:
                row = conn.execute(f"SELECT {columns} FROM {table} WHERE id = ?", (mid,)).fetchone()
            except sqlite3.DatabaseError:
                continue
            if row is not None:
                rows.append(row)
    keys = ("id", "name", "v", "args", "actor", "client_time", "case_id")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def salvage(path: Path, stamp: str) -> tuple[Path, dict[str, Any]]:
    """Write what can be read of the outbox, its archive and the sync state to a JSON file."""
    found: dict[str, Any] = {"source": str(path), "sync_state": {}, "outbox": [], "archive": []}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.DatabaseError:
        conn = None
    if conn is not None:
        try:
            with contextlib.suppress(sqlite3.DatabaseError):
                found["sync_state"] = {
                    str(k): v for k, v in conn.execute("SELECT key, value FROM sync_state")
                }
            for table, key in (("outbox", "outbox"), ("outbox_archive", "archive")):
                with contextlib.suppress(sqlite3.DatabaseError):
                    found[key] = _read_rows(conn, table)
        finally:
            conn.close()
    target = path.with_name(f"{path.name}.salvage-{stamp}.json")
    target.write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    return target, found


def move_aside(path: Path, stamp: str) -> Path:
    """Rename the file (and its WAL and shared-memory files) out of the way."""
    moved = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(path) + suffix)
        if source.exists():
            os.replace(source, Path(str(moved) + suffix))
    return moved


def stamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def check_marker(path: Path) -> Path:
    """A file whose presence asks the next open for a full check (damage seen while running)."""
    return path.with_name(path.name + ".check")


def salvaged_entries(raw: Sequence[Mapping[str, Any]]) -> list[OutboxEntry]:
    """Outbox entries from a salvage file (skipping any that cannot be read back)."""
    out = []
    for item in raw:
        try:
            out.append(
                OutboxEntry(
                    int(item["id"]),
                    str(item["name"]),
                    int(item["v"]),
                    json.loads(item["args"]) if isinstance(item["args"], str) else item["args"],
                    actor_from_json(
                        json.loads(item["actor"])
                        if isinstance(item["actor"], str)
                        else item["actor"]
                    ),
                    datetime.fromisoformat(item["client_time"]),
                    str(item["case_id"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return out
