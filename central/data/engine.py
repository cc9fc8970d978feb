"""Engines and transactions for PostgreSQL (production) and SQLite (the embedded demo)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# PostgreSQL SQLSTATEs that mean "try again": serialization failure, deadlock, lock timeout,
# admin shutdown, cannot connect now, and the connection-exception class (08xxx).
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57P01", "57P02", "57P03"})
_WRITE_OPTION = "central_write"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for a bare postgresql:// URL (psycopg2 is not a dependency)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_database_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine configured for concurrent use by the service's worker threads."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=2 * pool_size,
            pool_timeout=30,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,
        )
        _configure_sqlite(engine)
        return engine
    # No pre-ping: it costs a round trip per transaction, and a connection that died under us
    # surfaces as a transient error (503, the desk retries) and is replaced by the pool.
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=2 * pool_size,
        pool_timeout=30,
        pool_recycle=3600,
        # Errors are logged; their parameters may hold citizens' personal data.
        hide_parameters=True,
    )


def _configure_sqlite(engine: Engine) -> None:
    # SQLAlchemy emits BEGIN itself (pysqlite's own transaction handling is off), so that a
    # write transaction can start with BEGIN IMMEDIATE: it takes the write lock up front instead
    # of failing with "database is locked" when a reader later tries to upgrade.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        writing = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def is_postgresql(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "postgresql"


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A read-write transaction; commits on success, rolls back on any exception."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{_WRITE_OPTION: True})
        with conn.begin():
            yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction (one consistent snapshot on SQLite, statement-level on PG).

    On PostgreSQL the statements run in autocommit: under READ COMMITTED each statement reads
    its own snapshot anyway, so BEGIN and COMMIT would only add two round trips (and every
    request authenticates, and most then read). Nothing here may take locks."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")
        return
    with engine.connect() as conn, conn.begin():
        yield conn


def is_transient(exc: BaseException) -> bool:
    """Whether a database error means "retry later" rather than a bug in the mutation."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate in _TRANSIENT_SQLSTATES or sqlstate.startswith("08")
    if isinstance(exc, OperationalError) and isinstance(orig, sqlite3.OperationalError):
        text = str(orig).lower()
        return "locked" in text or "busy" in text
    return False


def upsert(
    conn: Connection,
    table: Table,
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    update: Sequence[str] | None = None,
) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE the `update` columns (all others by default),
    or DO NOTHING when `update` is empty."""
    rows = [values] if isinstance(values, Mapping) else list(values)
    if not rows:
        return
    columns = tuple(rows[0])
    chosen = tuple(c for c in columns if c not in keys) if update is None else tuple(update)
    stmt = _upsert_statement(conn.dialect.name, table, tuple(keys), chosen)
    conn.execute(stmt, [dict(row) for row in rows])


@cache
def _upsert_statement(
    dialect: str, table: Table, keys: tuple[str, ...], chosen: tuple[str, ...]
) -> Any:
    # Built once per shape: statement construction costs more than the insert itself.
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    if chosen:
        return stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in chosen}
        )
    return stmt.on_conflict_do_nothing(index_elements=list(keys))


def analyze(engine: Engine) -> None:
    """Refresh the planner's statistics after a bulk load, so that it picks the indexes (and
    on PostgreSQL the visibility map too, so that covering indexes are read alone)."""
    with engine.connect() as conn:
        if is_postgresql(conn):
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
