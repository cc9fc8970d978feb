"""The reset phase: the server cannot continue from the desk's cursor, so start over safely.

SYNC.md, "First sync and resets": the outbox is pushed first (the engine runs its push phase
before calling this), a recovery copy of the cache is kept, the server-state tables are
cleared (the store rebuilds the view from the pending outbox alone), and the engine then pulls
from scratch and replays what is still pending. Nothing the operator typed is discarded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from operator_app.store import Store
from sync.protocol import ResetReason

RECOVERY_FOLDER = "recovery"
KEEP_RECOVERY_COPIES = 5
_KNOWN_REASONS = frozenset(r.value for r in ResetReason)

_log = logging.getLogger(__name__).getChild("ResetPhase")


def reason_label(reason: str) -> str:
    """The server's reason if it is one of the protocol's, else "other" (it names a file)."""
    return reason if reason in _KNOWN_REASONS else "other"


class ResetPhase:
    """Keeps a recovery copy, then clears what the server had said."""

    def __init__(
        self,
        store: Store,
        recovery_dir: Path,
        clock: Callable[[], datetime],
        *,
        keep: int = KEEP_RECOVERY_COPIES,
    ) -> None:
        self._store = store
        self._dir = recovery_dir
        self._clock = clock
        self._keep = keep

    def run(self, reason: str) -> Path:
        """Returns the recovery copy's path."""
        label = reason_label(reason)
        self._dir.mkdir(parents=True, exist_ok=True)
        stamp = self._clock().astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        copy = self._dir / f"before-reset-{stamp}-{label}.db"
        self._store.backup_to(copy)
        _log.warning("sync reset (%s): recovery copy kept at %s", label, copy)
        cleared = self._store.reset_server_state().result()
        _log.info("server state cleared; %s pending cases kept", cleared)
        self._prune()
        return copy

    def _prune(self) -> None:
        copies = sorted(self._dir.glob("before-reset-*.db"))
        for old in copies[: max(0, len(copies) - self._keep)]:
            old.unlink(missing_ok=True)
