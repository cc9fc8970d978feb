"""The databases the central tests run on: migrated, with reference data and the demo directory."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from central.data.engine import create_database_engine
from central.migrate import upgrade
from central.passwords import Passwords
from central.seed import seed_demo
from central.settings import Settings


def settings_for(database_url: str, **changes: object) -> Settings:
    """Settings for tests: cheap password hashing and a small sample registry."""
    base = Settings(
        database_url=database_url,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
        demo_registry_size=300,
        retention_interval_s=3600,
    )
    return base.with_(**changes)


@dataclass
class CentralDb:
    """A migrated database with the reference data and the demo directory (no cases)."""

    backend: str
    url: str
    settings: Settings
    engine: Engine

    def settings_with(self, **changes: object) -> Settings:
        return self.settings.with_(**changes)


def prepare(backend: str, url: str, cases: int = 0) -> CentralDb:
    settings = settings_for(url)
    engine = create_database_engine(url, pool_size=5)
    upgrade(engine)
    seed_demo(engine, cases, settings=settings, passwords=Passwords(settings))
    return CentralDb(backend, url, settings, engine)


def copy_database(db: CentralDb, target_url: str, pg_admin: object | None = None) -> None:
    """A backup of `db` as it is now, at `target_url` (whose database must not exist yet on
    PostgreSQL). The engine of `db` is disposed; nothing may be connected to it meanwhile."""
    db.engine.dispose()
    if db.backend == "sqlite":
        source = sqlite3.connect(make_url(db.url).database or "")
        target = sqlite3.connect(make_url(target_url).database or "")
        with target:
            source.backup(target)
        source.close()
        target.close()
        return
    source_name = make_url(db.url).database
    target_name = make_url(target_url).database
    pg_admin.execute(  # type: ignore[attr-defined]
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        (source_name,),
    )
    pg_admin.execute(f'CREATE DATABASE "{target_name}" TEMPLATE "{source_name}"')  # type: ignore[attr-defined]
