"""Reader connections: one per thread, read-only, never shared."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from operator_app.store.connection import open_reader
from operator_app.store.errors import StoreClosedError


class Readers:
    """Hands each thread its own read-only connection to the cache."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._closed = False

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            with self._lock:
                if self._closed:
                    raise StoreClosedError("the store is closed")
                conn = open_reader(self._path)
                self._all.append(conn)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for conn in self._all:
                conn.close()
            self._all.clear()
