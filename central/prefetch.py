"""The next first-sync page, built and compressed while the current one is on the wire.

A first sync is a chain of requests, each needing the cursor of the one before: left alone,
the database, the compression, the link and the desk take turns. Building page N+1 as soon as
page N is answered lets them overlap. A desk keeps its connection alive, so its next request
reaches this same process; a request that finds nothing here is simply built as usual.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

_MAX_PAGES = 8
_MAX_AGE_S = 60.0

T = TypeVar("T")


class PagePrefetch(Generic[T]):
    """Pages built ahead, by key; a page older than `max_age_s` is never handed out (its
    request is built again, from the database as it is now)."""

    def __init__(
        self,
        workers: int = 1,
        *,
        max_age_s: float = _MAX_AGE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="central-prefetch")
        self._max_age_s = max_age_s
        self._clock = clock
        self._lock = threading.Lock()
        self._pages: OrderedDict[Hashable, tuple[float, Future[T]]] = OrderedDict()
        self._closed = False

    def start(self, key: Hashable, build: Callable[[], T]) -> None:
        """Begin building the page a later request with `key` will ask for."""
        now = self._clock()
        with self._lock:
            if self._closed or key in self._pages:
                return
            for old in [k for k, (at, _) in self._pages.items() if now - at > self._max_age_s]:
                self._pages.pop(old)[1].cancel()
            while len(self._pages) >= _MAX_PAGES:
                self._pages.popitem(last=False)[1][1].cancel()
            self._pages[key] = (now, self._pool.submit(build))

    def take(self, key: Hashable) -> T | None:
        """The page built for `key`, or None (not started, cancelled, failed or too old)."""
        with self._lock:
            entry = self._pages.pop(key, None)
        if entry is None:
            return None
        if self._clock() - entry[0] > self._max_age_s:
            entry[1].cancel()
            return None  # built from a database that has moved on since: built again
        try:
            return entry[1].result()
        except Exception:
            return None  # built again by the caller, which then reports the error itself

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pages, self._pages = list(self._pages.values()), OrderedDict()
        for _, future in pages:
            future.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)
