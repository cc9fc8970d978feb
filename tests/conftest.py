"""Fixtures shared by every test package: offscreen Qt, and fresh PostgreSQL databases."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PG_URL = os.environ.get("OPERATOR_DESK_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# The PostgreSQL tests are part of the suite: an unreachable server fails them loudly. Only an
# explicit OPERATOR_DESK_SKIP_PG=1 (a laptop without PostgreSQL) turns the failure into a skip.
SKIP_PG = os.environ.get("OPERATOR_DESK_SKIP_PG") == "1"


def _admin_dsn() -> str:
    """A libpq DSN for the maintenance database of the server in PG_URL."""
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    return url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[object]:
    """An autocommit connection to the PostgreSQL server, or a loud failure."""
    import psycopg

    try:
        conn = psycopg.connect(_admin_dsn(), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {PG_URL}: {exc}"
        if SKIP_PG:
            pytest.skip(message)
        pytest.fail(message + " (set OPERATOR_DESK_SKIP_PG=1 to skip on purpose)")
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def new_pg_database(pg_admin: object) -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty PostgreSQL databases (dropped at the end of the session)."""
    from sqlalchemy.engine import make_url

    created: list[str] = []
    counter = itertools.count()
    prefix = f"odt_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    def make() -> str:
        name = f"{prefix}_{next(counter)}"
        pg_admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]
        created.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    for name in created:
        pg_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
