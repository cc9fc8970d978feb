"""SIGKILL in the middle of a sync, on SQLite and PostgreSQL.

- The central service, as its own process, killed while a desk pushes: after a restart every
  mutation is applied exactly once, however many times it was sent.
- A headless desk, as its own process, killed while it pulls its first sync: its cache passes
  `PRAGMA integrity_check`, holds every page it reported committed, and a new run resumes from
  the last committed page instead of starting over.

`OPERATOR_DESK_FAULT_REPEATS` sets how many kills each test makes (default 2 and 1).
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select

from central.data.tables import audit_log, notes
from sync.engine import SyncReport
from tests.central.testbed import CentralDb
from tests.sync.checker import assert_audit_holds, assert_converged
from tests.sync.harness import (
    PASSWORD,
    ROOT,
    TEST_CONFIG,
    Central,
    CentralProcess,
    Desks,
    new_case,
    new_note,
    wait_until,
)

REPEATS = int(os.environ.get("OPERATOR_DESK_FAULT_REPEATS", "0"))
SERVER_KILLS = max(1, REPEATS or 2)
CLIENT_KILLS = max(1, REPEATS or 1)
NOTES_PER_KILL = 40


def _audited(db: CentralDb, client_id: str) -> int:
    with db.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(audit_log)
                .where(audit_log.c.client_id == client_id)
            ).scalar_one()
        )


def test_the_server_killed_mid_push_applies_every_mutation_exactly_once(
    backend: str, make_central_db: Callable[..., CentralDb], desks: Desks
) -> None:
    db = make_central_db(backend)
    server = CentralProcess(db.settings)
    server.start()
    rng = random.Random(backend)
    try:
        desk = desks.new(server.url, "demo-operator", config=replace(TEST_CONFIG, push_batch=5))
        args = new_case()
        desk.submit(args)
        assert desk.sync_until_clean().ok
        written = 1
        for _kill in range(SERVER_KILLS):
            for i in range(NOTES_PER_KILL):
                desk.submit(new_note(args.case_id, f"Тэмдэглэл {written + i}"))
            before = _audited(db, desk.engine.client_id)
            threshold = before + rng.randrange(3, NOTES_PER_KILL // 2)  # well before the end
            outcome: list[SyncReport] = []
            pushing = threading.Thread(
                target=lambda out=outcome: out.append(desk.engine.run_once())
            )
            pushing.start()
            wait_until(
                "the server to apply part of the push",
                lambda at_least=threshold: _audited(db, desk.engine.client_id) >= at_least,
            )
            server.kill()
            pushing.join(60)
            assert outcome and not outcome[0].ok  # the push broke off
            assert desk.store.pending_count() > 0
            server.start()
            report = desk.sync_until_clean()
            assert report.ok, report.problem
            written += NOTES_PER_KILL
        assert _audited(db, desk.engine.client_id) == written
        with db.engine.connect() as conn:
            count = conn.execute(
                select(func.count()).select_from(notes).where(notes.c.case_id == args.case_id)
            ).scalar_one()
        assert count == written - 1
        assert_audit_holds(db.engine, [desk.store.path])
        assert_converged(desk.store.path, server.url, "demo-operator", PASSWORD)
    finally:
        server.stop()


def _lines(process: subprocess.Popen[str]) -> queue.Queue[str | None]:
    """The process's stdout lines, read on a thread (None at the end)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def _headless(url: str, data: Path, limit: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync.headless",
            "--server",
            url,
            "--data",
            str(data),
            "--user",
            "demo-supervisor",
            "--password",
            PASSWORD,
            "--pull-limit",
            str(limit),
            "--progress",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def test_a_desk_killed_mid_pull_resumes_from_its_last_committed_page(
    backend: str, make_central_db: Callable[..., CentralDb], desks: Desks, tmp_path: Path
) -> None:
    total, limit = 300, 15
    service = Central(make_central_db(backend, cases=total)).start()
    try:
        data = tmp_path / "desks" / "killed-desk"
        cache = data / "cache.db"
        committed_cases = 0
        for kill in range(CLIENT_KILLS):
            process = _headless(service.url, data, limit)
            lines = _lines(process)
            pages = 0
            while pages < 3:
                line = lines.get(timeout=60)
                assert line is not None, "the desk ended before it was killed"
                event = json.loads(line)
                pages += event["event"] == "page"
            process.send_signal(signal.SIGKILL)
            process.wait(30)

            with sqlite3.connect(cache) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                state = dict(conn.execute("SELECT key, value FROM sync_state"))
                cases = conn.execute("SELECT count(*) FROM srv_case").fetchone()[0]
            assert state["cursor"], "no page was committed"
            # Each reported page is committed; a page cut short may have left some chunks.
            assert cases >= committed_cases + 3 * limit - (limit if kill else 0)
            assert cases < total
            committed_cases = cases

        # The same folder, a new process's worth of objects: it must carry on from the cursor.
        again = desks.new(
            service.url,
            "demo-supervisor",
            name=data.name,
            config=replace(TEST_CONFIG, pull_limit=limit),
        )
        assert again.store.sync_state().cursor == state["cursor"]
        report = again.engine.run_once()
        assert report.ok, report.problem
        # Resumed: what came again is at most the page that was cut short.
        assert report.cases <= total - committed_cases + limit
        assert_converged(cache, service.url, "demo-supervisor", PASSWORD)
    finally:
        service.stop()
