"""Logging for the support desk: UTC ISO-8601 timestamps, a private rotating file.

The rules, for everyone who logs:

- One logger per module, ``log = logging.getLogger(__name__)``, or per class,
  ``class_logger(type(self))``: the logger name says where a line came from.
- INFO and above never carry a citizen's personal data: no names, phone numbers, registration
  numbers, addresses, or the text of a case or note. Log case ids, counts, states and timings.
  Anything personal goes to DEBUG (off unless support turns it on) and through `redact` even then.
- As a safety net, the file handler masks phone and registration numbers in INFO+ lines.

Logs live in the private logs folder (0700), in files readable by the user only (0600).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from dataclasses import dataclass, field
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import IO

LOG_FILE_NAME = "operator-desk.log"
MAX_BYTES = 2_000_000
BACKUP_COUNT = 5
PRIVATE_FILE_MODE = 0o600
LINE_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"

# A registration number is two Cyrillic (or transliterated) letters and eight digits, the first
# six of them the birth date; a Mongolian phone number is eight digits, optionally after +976.
# Case numbers ("2025-001234") start with a year, hence the first phone digit 5-9.
_REGISTRATION_RE = re.compile(r"(?<!\w)[А-ЯЁӨҮа-яёөүA-Za-z]{2}\s?\d{6}(\d{2})(?!\w)")
_PHONE_RE = re.compile(r"(?<![\w+-])(?:\+?976[\s-]?)?[5-9]\d{3}[\s-]?\d{2}(\d{2})(?![\w-])")


def redact(text: str) -> str:
    """Mask phone and registration numbers, keeping the last two digits to tell them apart."""
    text = _REGISTRATION_RE.sub(lambda m: f"<reg …{m.group(1)}>", text)
    return _PHONE_RE.sub(lambda m: f"<phone …{m.group(1)}>", text)


def class_logger(cls: type) -> logging.Logger:
    """The logger of one class: ``ui.bridge.TaskRunner``."""
    return logging.getLogger(f"{cls.__module__}.{cls.__qualname__}")


class UtcFormatter(logging.Formatter):
    """Timestamps as ``2025-03-05T14:07:00.123Z``, whatever the machine's time zone."""

    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"


class RedactingFormatter(UtcFormatter):
    """Applies `redact` to INFO+ lines: a safety net under the no-personal-data rule."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        return redact(line) if record.levelno >= logging.INFO else line


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log file created readable by the user only, whatever the umask."""

    def _open(self) -> IO[str]:
        # FileHandler opens with the process umask (often 0644); open the descriptor ourselves.
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
        if os.name == "posix":
            os.fchmod(fd, PRIVATE_FILE_MODE)  # a file an older build left open to others
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


@dataclass
class LoggingSetup:
    """What `configure_logging` changed, so that it can be undone (tests, a second main())."""

    log_file: Path
    handlers: list[logging.Handler] = field(default_factory=list)
    previous_level: int = logging.WARNING

    def close(self) -> None:
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(self.previous_level)
        self.handlers.clear()


def configure_logging(
    log_dir: Path, *, level: int = logging.INFO, console: bool = False
) -> LoggingSetup:
    """Send the root logger to a private rotating file in `log_dir` (and stderr if asked)."""
    root = logging.getLogger()
    setup = LoggingSetup(log_file=log_dir / LOG_FILE_NAME, previous_level=root.level)
    file_handler = PrivateRotatingFileHandler(
        setup.log_file, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
    )
    file_handler.setFormatter(RedactingFormatter(LINE_FORMAT))
    setup.handlers.append(file_handler)
    if console:
        stream_handler = logging.StreamHandler(sys.stderr)
        stream_handler.setFormatter(RedactingFormatter(LINE_FORMAT))
        setup.handlers.append(stream_handler)
    for handler in setup.handlers:
        root.addHandler(handler)
    root.setLevel(level)
    return setup
