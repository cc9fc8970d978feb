"""Keeps the change log to its retention period (SYNC.md: at least 180 days)."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from central.data import sessions
from central.data.engine import write_transaction
from central.data.retention import prune_before, prune_settled_crashes

log = logging.getLogger(__name__)


def prune(engine: Engine, retention_days: int, now: datetime | None = None) -> int:
    """Prune the change log and expired tokens; returns the new retention horizon (a seq)."""
    now = now or datetime.now(UTC)
    with write_transaction(engine) as conn:
        horizon = prune_before(conn, now - timedelta(days=retention_days))
        prune_settled_crashes(conn)
        sessions.prune_tokens(conn, now - timedelta(days=1))
    return horizon


class RetentionTask:
    """Prunes at start and then every `interval_s`, on a daemon thread."""

    def __init__(self, engine: Engine, retention_days: int, interval_s: int) -> None:
        self._engine = engine
        self._days = retention_days
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="central-retention", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                prune(self._engine, self._days)
            except Exception:
                log.warning("change-log pruning failed; will retry", exc_info=True)
            self._stop.wait(self._interval)
