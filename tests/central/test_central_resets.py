"""Resets: a restored database (with and without an epoch bump), an expired cursor, a changed
scope, a cursor the server did not sign."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import make_url

from central.cursor import decode_cursor, encode_cursor
from central.data import meta
from central.data.engine import create_database_engine, write_transaction
from central.data.meta import cursor_secret
from central.retention import prune
from central.server import ServerHandle, run_in_thread
from tests.central.desk import Desk, add_note, create_case, new_id
from tests.central.testbed import CentralDb, copy_database


@pytest.fixture
def backup_url(
    central_db: CentralDb, request: pytest.FixtureRequest, tmp_path: object
) -> Iterator[str]:
    """Where the test may put a copy of `central_db` (dropped afterwards)."""
    if central_db.backend == "sqlite":
        yield central_db.url.replace(".db", "-backup.db")
        return
    pg_admin = request.getfixturevalue("pg_admin")
    url = make_url(central_db.url)
    name = f"{url.database}_bak"
    yield url.set(database=name).render_as_string(hide_password=False)
    pg_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _copy(central_db: CentralDb, target: str, request: pytest.FixtureRequest) -> None:
    admin = request.getfixturevalue("pg_admin") if central_db.backend == "postgresql" else None
    copy_database(central_db, target, admin)


def test_a_restore_without_an_epoch_bump_is_detected(
    central_db: CentralDb, backup_url: str, request: pytest.FixtureRequest
) -> None:
    case_id = new_id()
    with run_in_thread(central_db.settings) as before:
        operator = Desk(before.url, "demo-operator")
        operator.push(create_case(case_id))
        operator.sync()
        early_cursor = operator.cursor
    _copy(central_db, backup_url, request)
    with run_in_thread(central_db.settings) as later:
        operator.base = later.url + "/api/v1"
        operator.push(add_note(case_id), add_note(case_id))
        operator.sync()
        acknowledged = operator.last_mutation_id
    assert acknowledged == 3
    late_cursor = operator.cursor
    assert late_cursor is not None and early_cursor is not None

    restored = central_db.settings_with(database_url=backup_url)
    with run_in_thread(restored) as server:
        operator.base = server.url + "/api/v1"
        assert operator.pull_raw(cursor=late_cursor)["reset"]["reason"] == "cursor_from_future"
        # The restored history moves past the cursor's number with other changes: still caught.
        other = Desk(server.url, "demo-supervisor")
        other.push(*(create_case() for _ in range(6)))
        assert operator.pull_raw(cursor=late_cursor)["reset"]["reason"] == "cursor_from_future"
        # The cursor from before the backup is still good history.
        assert "reset" not in operator.pull_raw(cursor=early_cursor)
        first = operator.pull_raw(cursor=None)
        assert first["last_mutation_id"] == 1  # acknowledged work was lost: the desk re-sends it
        resent = operator.push_envelopes(
            [operator.envelope(*add_note(case_id), mutation_id=i) for i in (2, 3)]
        )
        assert resent.status_code == 200
        assert resent.json()["last_mutation_id"] == 3


def test_a_restore_with_an_epoch_bump_resets_every_cursor(
    central_db: CentralDb, backup_url: str, request: pytest.FixtureRequest
) -> None:
    with run_in_thread(central_db.settings) as server:
        operator = Desk(server.url, "demo-operator")
        operator.push(create_case())
        operator.sync()
        cursor = operator.cursor
    _copy(central_db, backup_url, request)
    engine = create_database_engine(backup_url)
    with write_transaction(engine) as conn:
        assert meta.bump_epoch(conn) == 2
    engine.dispose()
    with run_in_thread(central_db.settings_with(database_url=backup_url)) as server:
        operator.base = server.url + "/api/v1"
        assert operator.pull_raw(cursor=cursor)["reset"]["reason"] == "epoch_changed"
        assert "reset" not in operator.pull_raw(cursor=None)


def test_a_cursor_older_than_the_retained_change_log_expires(
    central_server: ServerHandle, central_db: CentralDb
) -> None:
    operator = Desk(central_server.url, "demo-operator")
    operator.sync()
    old_cursor = operator.cursor
    operator.push(create_case())
    operator.sync()
    recent_cursor = operator.cursor
    horizon = prune(central_db.engine, 0, now=datetime.now(UTC) + timedelta(seconds=1))
    assert horizon > 0
    assert operator.pull_raw(cursor=old_cursor)["reset"]["reason"] == "cursor_expired"
    assert "reset" not in operator.pull_raw(cursor=recent_cursor)


def test_a_changed_scope_resets_the_cursor(server: ServerHandle, desk: Callable[..., Desk]) -> None:
    admin = desk("demo-admin")
    username = f"scope-{new_id()[:8]}"
    created = admin.post(
        "/admin/operators",
        {
            "username": username,
            "role": "operator",
            "password": "secret-1",
            "centres": ["c1111"],
            "teams": ["t1111-a"],
        },
    )
    assert created.status_code == 201, created.text
    operator = Desk(server.url, username, "secret-1")
    operator.sync()
    moved = admin.http.patch(
        f"{admin.base}/admin/operators/{created.json()['id']}", json={"teams": ["t1111-b"]}
    )
    assert moved.status_code == 200, moved.text
    assert operator.pull_raw(cursor=operator.cursor)["reset"]["reason"] == "scope_changed"


def test_a_cursor_the_server_did_not_sign_is_refused(
    shared_db: CentralDb, desk: Callable[..., Desk]
) -> None:
    operator = desk("demo-operator")
    operator.sync()
    assert operator.cursor is not None
    head, _, signature = operator.cursor.partition(".")
    forged = head[:-2] + ("AA" if head[-2:] != "AA" else "BB") + "." + signature
    for cursor in (forged, "garbage", "a.b", "x" * 4096, "' OR 1=1 --"):
        assert operator.pull_raw(cursor=cursor)["reset"]["reason"] == "cursor_invalid"
    secret = cursor_secret(shared_db.engine, "")
    state = decode_cursor(operator.cursor, secret)
    assert state is not None
    other_schema = encode_cursor(replace(state, schema=state.schema + 1), secret)
    assert operator.pull_raw(cursor=other_schema)["reset"]["reason"] == "schema_changed"
