"""The central service's settings: declared once, typed, with defaults, readable from CENTRAL_*."""

from __future__ import annotations

import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import Any

from sync.protocol import MAX_PUSH_BYTES

ENV_PREFIX = "CENTRAL_"


class SequenceMode(StrEnum):
    """How write transactions get their sequence number (SYNC.md, "The server's sequence")."""

    # `UPDATE sync_clock ... RETURNING seq` at the end of the transaction: commit order.
    COMMIT_ORDERED = "commit_ordered"
    # A counter taken before the work, like a bigserial. Wrong on purpose: it exists only so the
    # concurrency test can show that its checker catches skipped changes. Never use it.
    PRECOMMIT_COUNTER = "precommit_counter"


class RegistryKind(StrEnum):
    DEMO = "demo"  # a generated sample registry (operator_app.synthetic)
    NONE = "none"  # no registry: lookups find nobody


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a central process needs; secrets are never logged (see `redacted`)."""

    database_url: str = "sqlite:///central.db"
    # Signs pull cursors. Empty: generated on first start and kept in the database, so every
    # process sharing the database signs alike.
    secret_key: str = ""
    access_token_ttl_s: int = 15 * 60
    # Provincial desks stay offline for days; the refresh token must outlive that.
    refresh_token_ttl_s: int = 60 * 86400
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    argon2_parallelism: int = 2
    login_user_slow_after: int = 5
    login_user_lock_after: int = 10
    login_address_slow_after: int = 20
    login_address_lock_after: int = 100
    login_lock_s: int = 15 * 60
    login_window_s: int = 15 * 60
    login_max_delay_s: int = 60
    max_body_bytes: int = MAX_PUSH_BYTES
    change_retention_days: int = 180
    retention_interval_s: int = 6 * 3600
    sequence_mode: SequenceMode = SequenceMode.COMMIT_ORDERED
    citizen_registry: RegistryKind = RegistryKind.DEMO
    demo_registry_size: int = 20_000
    demo_registry_seed: int = 11
    poison_crash_limit: int = 5
    auto_migrate: bool = False
    pool_size: int = 10
    # Threads serving the synchronous endpoints (AnyIO's limiter; 40 is its default). Fewer
    # threads queue less on the GIL under heavy load; more wait less for a free thread.
    worker_threads: int = 40
    push_threads: int = 16  # pushes have threads of their own (see api/sync.py)
    # zlib level 3 compresses pulled JSON ~5.6x at twice the speed of level 6.
    gzip_level: int = 3

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then CENTRAL_<FIELD> variables, then explicit overrides (e.g. from the CLI)."""
        environ = os.environ if environ is None else environ
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _parse(hints[f.name], raw, f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def to_env(self) -> dict[str, str]:
        """The settings as CENTRAL_* variables, for worker processes started by uvicorn."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            text = ("1" if value else "0") if isinstance(value, bool) else str(value)
            out[ENV_PREFIX + f.name.upper()] = text
        return out

    def redacted(self) -> dict[str, str]:
        """For logs: the settings without secrets or database passwords."""
        from sqlalchemy.engine import make_url

        out = {k.removeprefix(ENV_PREFIX).lower(): v for k, v in self.to_env().items()}
        out["secret_key"] = "***" if self.secret_key else "(stored in the database)"
        out["database_url"] = make_url(self.database_url).render_as_string(hide_password=True)
        return out


def _parse(hint: Any, raw: str, name: str) -> Any:
    try:
        if hint is bool:
            lowered = raw.strip().lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(raw)
            return lowered in ("1", "true", "yes", "on")
        if hint is int:
            return int(raw)
        if isinstance(hint, type) and issubclass(hint, StrEnum):
            return hint(raw.strip())
        return raw
    except ValueError:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}: not a valid value") from None
