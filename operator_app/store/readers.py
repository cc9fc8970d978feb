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
        self._closed = False

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if self._closed:
            if conn is not None:
                self._local.conn = None
                conn.close()  # by its own thread, after its last query
            raise StoreClosedError("the store is closed")
        if conn is None:
            with self._lock:
                if self._closed:
                    raise StoreClosedError("the store is closed")
                conn = open_reader(self._path)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's connection; others close on their thread's next call.

        Closing a connection while another thread runs a query on it crashes the process
        (seen: a queue page load in flight while the window closed), so another thread's
        connection is never closed from here; its thread closes it, or its end does.
        """
        with self._lock:
            self._closed = True
        mine = getattr(self._local, "conn", None)
        if mine is not None:
            self._local.conn = None
            mine.close()
