"""One desk process per data folder: an OS lock file in the folder, held while the desk runs.

Two desks on one folder would be two writers on one local cache, one settings file and one set
of rotating logs, and with ``--demo`` two embedded central services on one SQLite database.
The second start is refused instead (ui/app.py says so). `QLockFile` writes the holder's
process id, host and program name into ``operator-desk.lock`` and keeps an OS lock on it; a
lock left behind by a process that died is stale and taken over, never blocking a start.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from PySide6.QtCore import QLockFile

LOCK_FILE = "operator-desk.lock"


class DataFolderLock:
    """The lock of one data folder: `acquire()` once, `release()` at exit (idempotent)."""

    def __init__(self, root: Path) -> None:
        self.path = root / LOCK_FILE
        self._lock = QLockFile(str(self.path))
        # Never stale because of its age (a desk stays open for days): only when the process
        # that holds it is gone.
        self._lock.setStaleLockTime(0)

    def acquire(self) -> bool:
        """Take the lock without waiting; False when a running desk holds it. OSError when
        the folder does not let the lock file be written."""
        if self._lock.tryLock(0):
            return True
        error = self._lock.error()
        if error == QLockFile.LockError.LockFailedError:
            return False
        code = errno.EACCES if error == QLockFile.LockError.PermissionError else errno.EIO
        raise OSError(code, os.strerror(code), str(self.path))

    def holder(self) -> int | None:
        """The process id written in the lock file by whoever holds it (None if unreadable)."""
        pid, _host, _program = self._lock.getLockInfo()
        return pid or None

    @property
    def held(self) -> bool:
        return self._lock.isLocked()

    def release(self) -> None:
        if self._lock.isLocked():
            self._lock.unlock()
