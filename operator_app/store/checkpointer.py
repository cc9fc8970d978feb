"""WAL checkpoints on their own thread and connection, so no commit ever waits for one."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from operator_app.store.connection import open_checkpointer

log = logging.getLogger(__name__)

# At most one PASSIVE checkpoint per interval (unless hurried): it copies whatever the WAL
# gathered meanwhile and never blocks the writer or the readers.
MIN_INTERVAL_S = 0.25


class Checkpointer:
    """Runs PASSIVE checkpoints after commits; `hurry()` asks for a pass now and returns a
    ticket that `on_pass` reports once a pass that started after the request has finished."""

    def __init__(self, path: Path, on_pass: Callable[[int], None] = lambda ticket: None) -> None:
        self._wake = threading.Event()
        self._hurry = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._requested = 0
        self._on_pass = on_pass
        self._conn: sqlite3.Connection = open_checkpointer(path)
        self._thread = threading.Thread(target=self._run, name="store-checkpointer", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """Called after commits."""
        self._wake.set()

    def hurry(self) -> int:
        """Ask for a pass at once (the writer is paused for it)."""
        with self._lock:
            self._requested += 1
            ticket = self._requested
        self._hurry.set()
        self._wake.set()
        return ticket

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stopping.is_set():
                break
            with self._lock:
                serving = self._requested
            try:
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error:
                log.warning("WAL checkpoint failed; the next one will retry", exc_info=True)
            try:
                self._on_pass(serving)
            except Exception:  # pragma: no cover - the writer's wait then times out
                log.exception("checkpoint listener failed")
            self._hurry.wait(MIN_INTERVAL_S)
            self._hurry.clear()

    def close(self) -> None:
        self._stopping.set()
        self._hurry.set()
        self._wake.set()
        self._thread.join()
        self._conn.close()
