"""The one front door for background work, and for news arriving from other threads.

The GUI thread never runs SQL and never waits on the network. Hand that work to a `TaskRunner`:

- ``run_write(fn, on_done, on_error)`` runs `fn` on the single writer thread, one write at a time,
  in submission order (the store has one write connection);
- ``run_query(fn, on_done, on_error)`` runs `fn` on a small pool, for reads and network calls.

`fn` runs in a worker: **never touch widgets (or any QObject of the GUI thread) in the worker.**
Give it plain data, let it return plain data. `on_done(result)` and `on_error(exception)` run
later on the GUI thread, where touching widgets is fine. A worker exception always reaches
`on_error`, or else the crash hook (`sys.excepthook`): it is never swallowed. When a callback is
a bound method of a QObject (or `receiver=` names one) that has been destroyed by the time the
result arrives, the callbacks are skipped (an error is still logged).

`TaskRunner(synchronous=True)` runs everything inline, callbacks included: for tests.

`ChangeRelay` turns a plain callback, called from any thread (the store's "cases changed" with a
frozenset of case ids, the sync status board), into a Qt signal on the GUI thread, merging the
calls that arrive within one turn of the event loop.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Callable, Set
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")
OnError = Callable[[BaseException], None]

QUERY_WORKERS = 4


def forward_to_excepthook(exc: BaseException) -> None:
    """Hand an exception to the installed crash hook (``ui.crash``), as if it were unhandled."""
    sys.excepthook(type(exc), exc, exc.__traceback__)


@dataclass(eq=False, slots=True)
class _Task:
    name: str
    on_done: Callable[[Any], None] | None
    on_error: OnError | None
    receiver: QObject | None
    future: Future[Any] | None = None


def _receiver_of(explicit: QObject | None, *callbacks: object) -> QObject | None:
    """The QObject whose destruction makes the result moot: given, or a callback's owner."""
    if explicit is not None:
        return explicit
    for callback in callbacks:
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, QObject):
            return owner
    return None


def _on_gui_thread(obj: QObject) -> bool:
    app = QCoreApplication.instance()
    return app is None or obj.thread() == app.thread()


class TaskRunner(QObject):
    """Runs work off the GUI thread and delivers the outcome back on it."""

    _finished = Signal(object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        synchronous: bool = False,
        query_workers: int = QUERY_WORKERS,
        error_hook: OnError = forward_to_excepthook,
    ) -> None:
        super().__init__(parent)
        if not _on_gui_thread(self):
            raise RuntimeError("a TaskRunner belongs to the GUI thread: create it there")
        self._synchronous = synchronous
        self._closed = False
        self._error_hook = error_hook
        self._writer: Executor | None = None
        self._readers: Executor | None = None
        if not synchronous:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-writer")
            self._readers = ThreadPoolExecutor(
                max_workers=query_workers, thread_name_prefix="desk-query"
            )
        # Queued even when emitted on the GUI thread: callbacks never run inside run_*().
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def synchronous(self) -> bool:
        return self._synchronous

    def run_write(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: OnError | None = None,
        *,
        receiver: QObject | None = None,
    ) -> Future[T]:
        """Run a write on the single writer thread; results come back on the GUI thread."""
        return self._submit(self._writer, fn, on_done, on_error, receiver)

    def run_query(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: OnError | None = None,
        *,
        receiver: QObject | None = None,
    ) -> Future[T]:
        """Run a read or a network call on the query pool; results come back on the GUI thread."""
        return self._submit(self._readers, fn, on_done, on_error, receiver)

    def shutdown(self) -> None:
        """Cancel queued queries; finish queued writes, waiting: a save is never dropped."""
        self._closed = True
        if self._readers is not None:
            self._readers.shutdown(wait=False, cancel_futures=True)
        if self._writer is not None:
            self._writer.shutdown(wait=True)

    def _submit(
        self,
        executor: Executor | None,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None,
        on_error: OnError | None,
        receiver: QObject | None,
    ) -> Future[T]:
        task = _Task(
            name=getattr(fn, "__qualname__", repr(fn)),
            on_done=on_done,
            on_error=on_error,
            receiver=_receiver_of(receiver, on_done, on_error),
        )
        if self._closed and executor is not None and executor is self._readers:
            # A timer or late signal of a closing window asks for a read after shutdown: nobody
            # is left to show it, so it is dropped (a write still raises: saves are never dropped).
            dropped: Future[T] = Future()
            dropped.cancel()
            log.debug("Query %s dropped: the runner is shut down", task.name)
            return dropped
        if executor is None:
            future: Future[T] = Future()
            try:
                future.set_result(fn())
            except Exception as exc:
                future.set_exception(exc)
            task.future = future
            self._deliver(task)
            return future
        future = executor.submit(fn)
        task.future = future
        future.add_done_callback(lambda _: self._announce(task))
        return future

    def _announce(self, task: _Task) -> None:
        """Runs in the worker (or wherever the future completed): hand over to the GUI thread."""
        try:
            self._finished.emit(task)
        except RuntimeError:
            # The runner itself is gone (application shutting down): nobody is left to tell.
            exc = task.future.exception() if task.future and not task.future.cancelled() else None
            log.error("Task %s finished after its runner was deleted", task.name, exc_info=exc)

    @Slot(object)
    def _deliver(self, task: _Task) -> None:
        future = task.future
        if future is None or future.cancelled():
            return
        exc = future.exception()
        if task.receiver is not None and not shiboken6.isValid(task.receiver):
            if exc is not None:
                log.error("Task %s failed after its window closed", task.name, exc_info=exc)
            return
        try:
            if exc is None:
                if task.on_done is not None:
                    task.on_done(future.result())
            elif task.on_error is not None:
                task.on_error(exc)
            else:
                self._error_hook(exc)
        except Exception as callback_exc:
            self._error_hook(callback_exc)


# --- ChangeRelay ------------------------------------------------------------------------------


def merge_id_sets(older: Set[Any], newer: Set[Any]) -> frozenset[Any]:
    """Merge two announcements of changed ids into one."""
    return frozenset(older) | frozenset(newer)


def keep_latest(older: object, newer: object) -> object:
    """Merge two state reports: only the latest matters (e.g. the sync status)."""
    return newer


_NOTHING = object()


class ChangeRelay(QObject):
    """A thread-safe plain callback that becomes `changed` on the GUI thread, bursts merged.

    Create it on the GUI thread and pass ``relay.notify`` (or the relay itself) wherever a plain
    callback is wanted. Every call made before the GUI thread gets round to it is merged with
    `merge` (by default: union of id sets) into one `changed` emission.
    """

    changed = Signal(object)
    _wake = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        merge: Callable[[Any, Any], Any] = merge_id_sets,
    ) -> None:
        super().__init__(parent)
        if not _on_gui_thread(self):
            raise RuntimeError("a ChangeRelay belongs to the GUI thread: create it there")
        self._merge = merge
        self._lock = threading.Lock()
        self._pending: Any = _NOTHING
        self._scheduled = False
        self._wake.connect(self._flush, Qt.ConnectionType.QueuedConnection)

    def notify(self, payload: Any) -> None:
        """Callable from any thread; cheap, never blocks on the GUI thread."""
        with self._lock:
            if self._pending is _NOTHING:
                self._pending = payload
            else:
                self._pending = self._merge(self._pending, payload)
            if self._scheduled:
                return
            self._scheduled = True
        # A relay deleted with its window raises here: the news has no reader left.
        with contextlib.suppress(RuntimeError):
            self._wake.emit()

    __call__ = notify

    @Slot()
    def _flush(self) -> None:
        with self._lock:
            payload, self._pending = self._pending, _NOTHING
            self._scheduled = False
        if payload is not _NOTHING:
            self.changed.emit(payload)


def is_gui_thread() -> bool:
    """True on the thread that owns the application (where widgets may be touched)."""
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() == app.thread()
