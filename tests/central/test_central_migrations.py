"""The Alembic migrations build exactly the schema the code declares, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from central.app import SchemaNotCurrent, build_services
from central.data.tables import metadata
from central.migrate import head_revision, is_current, upgrade
from tests.central.testbed import CentralDb, settings_for


def test_migrations_build_the_declared_schema(central_db: CentralDb) -> None:
    with central_db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_upgrade_twice_is_harmless(central_db: CentralDb) -> None:
    upgrade(central_db.engine)
    assert is_current(central_db.engine)
    assert head_revision() == "0003"


def test_the_app_refuses_a_database_that_was_not_migrated(tmp_path: Path) -> None:
    settings = settings_for(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(SchemaNotCurrent, match="central migrate"):
        build_services(settings)


def test_auto_migrate_prepares_an_empty_database(tmp_path: Path) -> None:
    settings = settings_for(f"sqlite:///{tmp_path / 'auto.db'}", auto_migrate=True)
    services = build_services(settings)
    try:
        assert is_current(services.engine)
    finally:
        services.engine.dispose()
