"""WAL checkpoints on their own thread and connection, so no commit ever waits for one."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from operator_app.store.connection import open_checkpointer

log = logging.getLogger(__name__)

# At most one PASSIVE checkpoint per interval: it copies whatever the WAL gathered meanwhile
# and never blocks the writer or the readers.
MIN_INTERVAL_S = 0.25


class Checkpointer:
    def __init__(self, path: Path) -> None:
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._conn: sqlite3.Connection = open_checkpointer(path)
        self._thread = threading.Thread(target=self._run, name="store-checkpointer", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """Called after commits."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stopping.is_set():
                break
            try:
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error:
                log.warning("WAL checkpoint failed; the next one will retry", exc_info=True)
            self._stopping.wait(MIN_INTERVAL_S)

    def close(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join()
        self._conn.close()
