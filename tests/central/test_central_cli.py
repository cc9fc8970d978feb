"""The `central` command: migrate, seed-demo, create-user, bump-epoch, prune, serve."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from central.cli import main
from central.data import meta
from central.data.engine import create_database_engine, read_transaction
from central.data.tables import calls, case_numbers, cases, citizens, notes
from tests.central.desk import Desk, create_case
from tests.central.testbed import CentralDb

FAST = {
    "CENTRAL_ARGON2_TIME_COST": "1",
    "CENTRAL_ARGON2_MEMORY_KIB": "1024",
    "CENTRAL_ARGON2_PARALLELISM": "1",
    "CENTRAL_DEMO_REGISTRY_SIZE": "300",
}


@pytest.fixture
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty (not migrated) database on each backend."""
    backend = request.param
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'cli.db'}"
    return request.getfixturevalue("new_pg_database")()  # type: ignore[no-any-return]


@pytest.mark.parametrize("empty_url", ["sqlite", "postgresql"], indirect=True)
def test_migrate_seed_create_user_and_bump_epoch(
    empty_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in FAST.items():
        monkeypatch.setenv(key, value)
    run: Callable[..., int] = lambda *args: main(["--database-url", empty_url, *args])  # noqa: E731
    assert run("migrate") == 0
    assert "reference data loaded" in capsys.readouterr().out
    assert run("migrate") == 0
    assert "reference data loaded" not in capsys.readouterr().out
    assert run("seed-demo", "--cases", "120") == 0
    assert "demo data seeded" in capsys.readouterr().out
    assert run("seed-demo", "--cases", "120") == 0
    assert "already" in capsys.readouterr().out

    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-secret\n"))
    assert (
        run(
            "create-user",
            "Night-Shift",
            "--role",
            "operator",
            "--centre",
            "c1111",
            "--team",
            "t1111-b",
            "--password-stdin",
        )
        == 0
    )
    assert "created operator night-shift" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO("x\n"))
    assert run("create-user", "short", "--role", "operator", "--password-stdin") == 1
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-secret\n"))
    assert (
        run("create-user", "lost", "--role", "operator", "--centre", "nowhere", "--password-stdin")
        == 1
    )

    assert run("bump-epoch") == 0
    assert "epoch is now 2" in capsys.readouterr().out
    assert run("prune") == 0

    engine = create_database_engine(empty_url)
    with read_transaction(engine) as conn:
        assert meta.get_int(conn, meta.EPOCH) == 2
        assert conn.execute(select(func.count()).select_from(cases)).scalar_one() == 120
        assert conn.execute(select(func.count()).select_from(notes)).scalar_one() > 0
        assert conn.execute(select(func.count()).select_from(calls)).scalar_one() > 0
        assert conn.execute(select(func.count()).select_from(citizens)).scalar_one() > 0
        numbers = conn.execute(select(cases.c.number)).scalars().all()
        floors = dict(conn.execute(select(case_numbers.c.year, case_numbers.c.last)).all())
    engine.dispose()
    assert len(set(numbers)) == 120
    assert max(int(n.split("-")[1]) for n in numbers) <= max(floors.values())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(db: CentralDb) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`central serve` on the database (two worker processes on PostgreSQL), stopped by SIGTERM
    when the block ends."""
    port = _free_port()
    env = {**os.environ, **FAST, "CENTRAL_DATABASE_URL": db.url}
    # Several processes share one PostgreSQL; SQLite is the single-process demo.
    workers = "2" if db.backend == "postgresql" else "1"
    process = subprocess.Popen(
        [sys.executable, "-m", "central", "serve", "--port", str(port), "--workers", workers],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # bounded wait for the workers to listen
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                if requests.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "central serve did not start"
            time.sleep(0.1)
        yield process, url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_runs_the_service_in_worker_processes(central_db: CentralDb) -> None:
    with serving(central_db) as (process, url):
        operator = Desk(url, "demo-operator")
        assert operator.push_one(*create_case())["status"] == "applied"
        assert operator.sync()[-1]["has_more"] is False
    # A graceful stop: uvicorn re-raises SIGTERM after shutting down (exit by the signal) in a
    # single process, and its supervisor exits 0 after stopping the workers.
    assert process.returncode in (0, -15)


def test_serve_answers_parked_long_polls_at_once_on_sigterm(central_db: CentralDb) -> None:
    # Otherwise uvicorn waits for them (GRACEFUL_SHUTDOWN_S) and then cuts them off: the poll
    # would end in a connection error, not an answer.
    with ThreadPoolExecutor(1) as pool:
        with serving(central_db) as (_, url):
            desk = Desk(url, "demo-operator")
            desk.sync()
            parked = pool.submit(
                desk.get, "/sync/poke", cursor=desk.cursor, timeout=60, client_id=desk.client_id
            )
            # Connections are accepted in order: once a later one is answered, the poll is in.
            assert requests.get(f"{url}/api/v1/health", timeout=10).status_code == 200
        answer = parked.result(timeout=30)
    assert answer.status_code == 200
    assert answer.json()["changed"] is True  # woken: a pull then finds the server gone
