"""Load benchmark of the central service (not a test): `python -m bench.central --clients 200`.

Creates a fresh PostgreSQL database, seeds the demo directory and `--cases` cases, adds the
simulated desks' accounts, starts `central serve` as its own process and drives it over
loopback. Measures, in one run:

- first-sync throughput: one supervisor whose scope is every seeded case pulls them all;
- push latency: `--clients` desks long-poll, pull when poked and after each of their pushes
  (as the sync engine does), and push notes, status changes and reassignments at
  `--push-rate` pushes per second overall for `--duration` seconds;
- propagation: from a note's commit (its push answered) to a supervisor's desk having pulled
  it (poked, then pulled);
- cost: the CPU time the service's processes (and the load generator) spent per push during
  the load, a figure that moves little with whatever else the machine is running.

A quick run: `python -m bench.central --clients 20 --duration 10 --cases 5000`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg
from sqlalchemy import select
from sqlalchemy.engine import make_url

from central.data import directory as directory_store
from central.data.clock import record_commit, take_seq
from central.data.engine import create_database_engine, write_transaction
from central.data.tables import cases as case_table
from central.identity import Account
from central.migrate import upgrade
from central.passwords import Passwords
from central.seed import seed_demo
from central.settings import Settings
from operator_app.domain.model import Role

API = "/api/v1"
PASSWORD = "bench-password"
DESKS_PER_CENTRE = 50
DESKS_PER_TEAM = 10
# Bench accounts hash cheaply: sign-in cost is not what this benchmark measures.
CHEAP_HASHING = {"argon2_time_cost": 1, "argon2_memory_kib": 8192, "argon2_parallelism": 1}


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    target: float | None = None
    higher_is_better: bool = False

    @property
    def ok(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": round(self.value, 3),
            "unit": self.unit,
            "target": self.target,
            "ok": self.ok,
        }


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


# --------------------------------------------------------------------------------------------
# The database and the server
# --------------------------------------------------------------------------------------------


@contextmanager
def fresh_database(base_url: str, keep: bool) -> Iterator[str]:
    """A new PostgreSQL database on the server of `base_url`, dropped afterwards."""
    url = make_url(base_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    name = f"bench_central_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"kept database {name}")
        else:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(url: str, cases: int, clients: int) -> list[Account]:
    """Migrate, seed the demo and `cases` cases, and add the desks' accounts: operators in
    teams of a bench centre of their own, and one supervisor per team."""
    settings = Settings(database_url=url, **CHEAP_HASHING)  # type: ignore[arg-type]
    engine = create_database_engine(url)
    upgrade(engine)
    started = time.monotonic()

    def progress(done: int) -> None:
        if done % 20_000 == 0 or done == cases:
            print(f"  seeded {done} cases ({time.monotonic() - started:.0f} s)", flush=True)

    seed_demo(engine, cases, settings=settings, passwords=Passwords(settings), progress=progress)
    centres = max(1, clients // DESKS_PER_CENTRE)
    teams = max(centres, clients // DESKS_PER_TEAM)
    team_centre = {f"tbench-{t}": f"cbench-{t % centres}" for t in range(teams)}
    accounts: list[Account] = []
    password_hash = Passwords(settings).hash(PASSWORD)
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        seq = take_seq(conn)
        record_commit(conn, seq, "bench", now)
        for c in range(centres):
            code = f"cbench-{c}"
            directory_store.save_centre(conn, code, f"Бенч {c}", f"Bench {c}", True, seq)
        for team, centre in team_centre.items():
            directory_store.save_team(
                conn, directory_store.TeamRow(team, centre, team, team, False), seq
            )
        for i in range(clients):
            team = f"tbench-{i % teams}"
            # Two supervisors per centre (the first desks of its first team), the rest operators.
            supervisor = i < teams and (i // centres) < 2
            account = Account(
                id=f"bench-{i}",
                username=f"bench-{i}",
                display_name=f"Bench {i}",
                role=Role.SUPERVISOR if supervisor else Role.OPERATOR,
                centres=frozenset({team_centre[team]}),
                teams=frozenset({team}),
                primary_team=team,
            )
            directory_store.insert_operator(conn, account, password_hash, seq, now)
            accounts.append(account)
    engine.dispose()
    return accounts


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children that are still
    running (Linux /proc; NaN elsewhere). Unlike latencies, it hardly moves with what else the
    machine is running, so it compares builds on a busy box."""
    tick = os.sysconf("SC_CLK_TCK")
    total, found = 0.0, False
    try:
        entries = os.listdir("/proc")
    except OSError:
        return float("nan")
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()  # after the command name
        if int(entry) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
            found = True
    return total if found else float("nan")


@dataclass
class Served:
    base: str
    pid: int


@contextmanager
def central_serve(url: str, workers: int) -> Iterator[Served]:
    port = _free_port()
    # The default pool (10 + 20 overflow per process): 2 workers x 60 connections went past
    # PostgreSQL's max_connections (100) on a server shared with other work.
    env = {**os.environ, "CENTRAL_DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "central", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit("central serve exited during start-up")
            try:
                if httpx.get(f"{base}{API}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("central serve did not start within 60 s")
            time.sleep(0.1)
        yield Served(base, process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


# --------------------------------------------------------------------------------------------
# Simulated desks
# --------------------------------------------------------------------------------------------


@dataclass
class Desk:
    username: str
    http: httpx.AsyncClient
    client_id: str = field(default_factory=lambda: f"bench-{uuid.uuid4().hex[:12]}")
    token: str = ""
    operator_id: str = ""
    centre: str = ""
    cursor: str | None = None
    next_id: int = 1
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen_notes: set[str] = field(default_factory=set)
    push_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pull_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def login(self) -> None:
        response = await self.http.post(
            f"{API}/auth/login",
            json={"username": self.username, "password": PASSWORD, "device_name": "bench"},
        )
        response.raise_for_status()
        body = response.json()
        self.token = body["access_token"]
        self.operator_id = body["operator"]["id"]
        self.centre = body["operator"]["centres"][0]

    async def pull(self, limit: int = 500) -> tuple[int, list[str]]:
        """Pull until nothing waits; returns the number of case puts and the note ids seen.
        One pull at a time, as a desk's engine does (after a push, and when poked)."""
        async with self.pull_lock:
            return await self._pull(limit)

    async def _pull(self, limit: int) -> tuple[int, list[str]]:
        case_puts = 0
        notes: list[str] = []
        while True:
            response = await self.http.post(
                f"{API}/sync/pull",
                json={
                    "client_id": self.client_id,
                    "cursor": self.cursor,
                    "schema_version": 1,
                    "limit": limit,
                },
                headers=self.headers,
            )
            response.raise_for_status()
            page = response.json()
            if "reset" in page:
                self.cursor = None
                self.cases.clear()
                continue
            for op in page["ops"]:
                if op["type"] == "case":
                    if op["op"] == "put":
                        self.cases[op["id"]] = op["data"]
                        case_puts += 1
                    else:
                        self.cases.pop(op["id"], None)
                elif op["type"] == "note" and op["op"] == "put":
                    notes.append(op["id"])
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return case_puts, notes

    async def poke(self, timeout: float) -> bool:
        response = await self.http.get(
            f"{API}/sync/poke",
            params={"cursor": self.cursor or "", "timeout": timeout, "client_id": self.client_id},
            headers=self.headers,
            timeout=timeout + 30,
        )
        response.raise_for_status()
        return bool(response.json()["changed"])

    async def push(
        self, name: str, args: dict[str, Any]
    ) -> tuple[int, dict[str, Any], float, float]:
        """Push one mutation: (status, body, sent, answered); the times bracket the request
        itself, not the wait for this desk's previous push (a desk sends one at a time)."""
        async with self.push_lock:
            mutation_id = self.next_id  # used up only once the server has answered
            sent = time.monotonic()
            response = await self.http.post(
                f"{API}/sync/push",
                json={
                    "client_id": self.client_id,
                    "schema_version": 1,
                    "app_version": "bench",
                    "mutations": [
                        {
                            "id": mutation_id,
                            "name": name,
                            "args": args,
                            "client_time": datetime.now(UTC).isoformat(),
                        }
                    ],
                },
                headers=self.headers,
            )
            answered = time.monotonic()
            body = response.json() if response.status_code == 200 else {}
            if response.status_code == 200:
                self.next_id += 1
            return response.status_code, body, sent, answered


@dataclass
class Load:
    push_latencies: list[float] = field(default_factory=list)
    propagation: list[float] = field(default_factory=list)
    committed_notes: dict[str, float] = field(default_factory=dict)
    failures: Counter[str] = field(default_factory=Counter)
    pushes: int = 0
    server_cpu_s: float = float("nan")  # the service's processes, during the load
    generator_cpu_s: float = float("nan")  # this process (the simulated desks), likewise


def _new_case(desk: Desk) -> tuple[str, dict[str, Any]]:
    # An operator's new case goes to them and their primary team (the domain's rule).
    return "create_case", {
        "case_id": str(uuid.uuid4()),
        "centre": desk.centre,
        "channel": "phone",
        "type": "complaint",
        "category": "health",
        "subject": "Эмнэлэгт дугаар авч чадахгүй байна",
        "description": "Иргэн утсаар хандав.",
        "registered_at": datetime.now(UTC).isoformat(),
    }


_NEXT_STATUS = {"new": "in_progress", "in_progress": "waiting", "waiting": "in_progress"}


def _operator_mutation(desk: Desk, rng: random.Random) -> tuple[str, dict[str, Any]]:
    """A note (most often) or a status change on one of the desk's cases."""
    owned = [c for c in desk.cases.values() if c.get("assignee") == desk.operator_id]
    if not owned:
        return _new_case(desk)
    case = rng.choice(owned)
    if rng.random() < 0.7 or case["status"] not in _NEXT_STATUS:
        body = "Иргэнтэй дахин холбогдов."
        return "add_note", {"note_id": str(uuid.uuid4()), "case_id": case["id"], "body": body}
    to = _NEXT_STATUS[case["status"]]
    return "change_status", {"case_id": case["id"], "from": case["status"], "to": to}


def _supervisor_mutation(
    desk: Desk, rng: random.Random, members: list[str]
) -> tuple[str, dict[str, Any]] | None:
    """A reassignment of one of the team's cases to another member."""
    assigned = [c for c in desk.cases.values() if c.get("assignee") in members]
    if not assigned or len(members) < 2:
        return None
    case = rng.choice(assigned)
    target = rng.choice([m for m in members if m != case["assignee"]])
    return "reassign_case", {
        "case_id": case["id"],
        "expected_assignee": case["assignee"],
        "new_assignee": target,
        "reason": "Ачаалал тэнцвэржүүлэх",
    }


def _desk_client(base: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    return httpx.AsyncClient(base_url=base, limits=limits, timeout=60)


async def run_load(
    base: str,
    accounts: list[Account],
    duration: float,
    rate: float,
    seed: int,
    server_cpu: Callable[[], float],
) -> tuple[Load, int]:
    rng = random.Random(seed)
    load = Load()
    async with AsyncExitStack() as clients:
        # Each desk has its own connections, as a desk on its own machine would: a long poll
        # parked on one, pulls and pushes on the others.
        desks = [
            Desk(a.username, await clients.enter_async_context(_desk_client(base)))
            for a in accounts
        ]
        supervisors = {a.username for a in accounts if a.role is Role.SUPERVISOR}
        team_of = {a.username: a.primary_team for a in accounts}
        members: dict[str | None, list[str]] = {}
        for a in accounts:
            if a.role is Role.OPERATOR:
                members.setdefault(a.primary_team, []).append(a.id)
        gate = asyncio.Semaphore(8)

        async def start(desk: Desk) -> None:
            async with gate:
                await desk.login()
                await desk.pull()
                if desk.username not in supervisors:
                    for _ in range(2):
                        await desk.push(*_new_case(desk))
                    await desk.pull()

        print(f"  signing in and syncing {len(desks)} desks ...", flush=True)
        await asyncio.gather(*(start(d) for d in desks))
        stop = asyncio.Event()

        async def pull(desk: Desk) -> None:
            _, notes = await desk.pull()
            now = time.monotonic()
            # Measured at supervisors only: a case always stays in their scope, whereas an
            # operator who gets a case reassigned receives its old notes with it.
            watching = desk.username in supervisors
            for note_id in notes:
                committed = load.committed_notes.get(note_id)
                if watching and committed is not None and note_id not in desk.seen_notes:
                    load.propagation.append(now - committed)
                desk.seen_notes.add(note_id)

        async def listen(desk: Desk) -> None:
            while not stop.is_set():
                try:
                    if await desk.poke(timeout=25):
                        await pull(desk)
                except httpx.HTTPError as exc:
                    load.failures[type(exc).__name__] += 1

        async def one_push(desk: Desk) -> None:
            if desk.username in supervisors:
                chosen = _supervisor_mutation(desk, rng, members[team_of[desk.username]])
                if chosen is None:
                    return
                name, args = chosen
            else:
                name, args = _operator_mutation(desk, rng)
            try:
                status, body, started, finished = await desk.push(name, args)
            except httpx.HTTPError as exc:
                load.failures[type(exc).__name__] += 1
                return
            load.pushes += 1
            if status != 200:
                load.failures[f"HTTP {status}"] += 1
                return
            load.push_latencies.append(finished - started)
            result = body["results"][0]
            if name == "add_note" and result["status"] == "applied":
                # The push's answer means committed: propagation is measured from here.
                load.committed_notes[args["note_id"]] = finished
                desk.seen_notes.add(args["note_id"])
            if name == "change_status" and result["status"] == "applied":
                desk.cases[args["case_id"]] = {**desk.cases[args["case_id"]], "status": args["to"]}
            try:  # a desk's engine pulls right after it pushes (sync/engine.py)
                await pull(desk)
            except httpx.HTTPError as exc:
                load.failures[type(exc).__name__] += 1

        async def pushing() -> None:
            operators = [d for d in desks if d.username not in supervisors]
            bosses = [d for d in desks if d.username in supervisors]
            interval = 1.0 / rate
            next_at = time.monotonic()
            tasks = set()
            while not stop.is_set():
                next_at += interval
                # About one push in seven is a supervisor's reassignment.
                pool = bosses if bosses and rng.random() < 0.15 else operators
                task = asyncio.create_task(one_push(rng.choice(pool)))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            await asyncio.gather(*tasks)

        listeners = [asyncio.create_task(listen(d)) for d in desks]
        print(f"  load: {rate:g} pushes/s for {duration:g} s ...", flush=True)
        cpu_before, own_before = server_cpu(), time.process_time()
        pusher = asyncio.create_task(pushing())
        await asyncio.sleep(duration)
        stop.set()
        await pusher
        load.server_cpu_s = server_cpu() - cpu_before
        load.generator_cpu_s = time.process_time() - own_before
        for listener in listeners:  # parked in long polls: no need to wait them out
            listener.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
    return load, len(desks)


_PAGE_HEAD = re.compile(rb'^\{"cursor":"([^"]+)","has_more":(true|false)')
_CASE_OP = b'"op":"put","type":"case"'


@dataclass
class FirstSync:
    cases: int
    seconds: float
    pages: int
    wire_bytes: int
    json_bytes: int


async def first_sync(base: str, username: str, password: str, limit: int) -> FirstSync:
    """One desk's first sync of its whole scope, page after page.

    The server is what is measured: each page is downloaded and decompressed whole, its
    cursor read from the head and its case ops counted, but not decoded into objects (a desk
    applies pages on its own writer thread while it fetches the next one)."""
    async with httpx.AsyncClient(base_url=base, timeout=300) as http:
        response = await http.post(
            f"{API}/auth/login",
            json={"username": username, "password": password, "device_name": "bench"},
        )
        response.raise_for_status()
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        client_id = f"bench-first-{uuid.uuid4().hex[:8]}"
        cursor: str | None = None
        cases = pages = wire = raw = 0
        started = time.monotonic()
        while True:
            body = {"client_id": client_id, "cursor": cursor, "schema_version": 1, "limit": limit}
            async with http.stream("POST", f"{API}/sync/pull", json=body, headers=headers) as page:
                page.raise_for_status()
                content = await page.aread()
                wire += page.num_bytes_downloaded
            head = _PAGE_HEAD.match(content)
            if head is None:
                raise SystemExit(f"unexpected pull answer: {content[:200]!r}")
            cases += content.count(_CASE_OP)
            pages += 1
            raw += len(content)
            cursor = head.group(1).decode()
            if head.group(2) == b"false":
                break
        elapsed = time.monotonic() - started
        json.loads(content)  # the last page at least must be valid JSON
        return FirstSync(cases, elapsed, pages, wire, raw)


# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Batched pushes: what one desk's push of many mutations costs the server
# --------------------------------------------------------------------------------------------

BATCH_CENTRE = "c1111"
BATCH_HOLDERS = ("op-t1111-b-0", "op-t1111-b-1")
PUSH_REQUEST_SIZE = 100  # mutations per request, as the sync engine sends them (SYNC.md)


def batch_push_times(url: str, sizes: tuple[int, ...], repeats: int) -> dict[str, list[float]]:
    """Seconds for a supervisor's desk to push `size` reassignments (and as many notes), in
    requests of 100 one after the other, every result back: `{"500 reassignments": [...], ...}`."""
    settings = Settings(database_url=url, **CHEAP_HASHING)  # type: ignore[arg-type]
    engine = create_database_engine(url)
    upgrade(engine)
    seed_demo(engine, 6000, settings=settings, passwords=Passwords(settings))
    with engine.connect() as conn:
        rows = conn.execute(
            select(case_table.c.id, case_table.c.assignee)
            .where(
                case_table.c.centre == BATCH_CENTRE,
                case_table.c.assignee.is_not(None),
                case_table.c.status.not_in(("resolved", "closed")),
            )
            .order_by(case_table.c.id)
            .limit(max(sizes))
        ).all()
    engine.dispose()
    holders = {row.id: row.assignee for row in rows}
    if len(holders) < max(sizes):
        raise SystemExit(f"only {len(holders)} cases to reassign")
    times: dict[str, list[float]] = {}
    with central_serve(url, 1) as served, httpx.Client(base_url=served.base, timeout=120) as http:
        login = http.post(
            f"{API}/auth/login",
            json={"username": "demo-supervisor", "password": "demo", "device_name": "bench"},
        )
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        client_id = f"bench-batch-{uuid.uuid4().hex[:12]}"
        next_id = 1

        def push(mutations: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
            nonlocal next_id
            results: list[dict[str, Any]] = []
            for start in range(0, len(mutations), PUSH_REQUEST_SIZE):
                chunk = mutations[start : start + PUSH_REQUEST_SIZE]
                envelopes = [
                    {
                        "id": next_id + i,
                        "name": name,
                        "args": args,
                        "client_time": datetime.now(UTC).isoformat(),
                    }
                    for i, (name, args) in enumerate(chunk)
                ]
                response = http.post(
                    f"{API}/sync/push",
                    json={
                        "client_id": client_id,
                        "schema_version": 1,
                        "app_version": "bench",
                        "mutations": envelopes,
                    },
                    headers=headers,
                )
                response.raise_for_status()
                results.extend(response.json()["results"])
                next_id += len(chunk)
            return results

        for _ in range(repeats):
            for size in sizes:
                ids = list(holders)[:size]
                moves = []
                for case_id in ids:
                    target = BATCH_HOLDERS[holders[case_id] == BATCH_HOLDERS[0]]
                    moves.append(
                        (
                            "reassign_case",
                            {
                                "case_id": case_id,
                                "expected_assignee": holders[case_id],
                                "new_assignee": target,
                                "reason": "Ачаалал тэнцвэржүүлэх",
                            },
                        )
                    )
                started = time.monotonic()
                results = push(moves)
                times.setdefault(f"{size} reassignments", []).append(time.monotonic() - started)
                for (_, args), result in zip(moves, results, strict=True):
                    if result["status"] != "applied":
                        raise SystemExit(f"reassignment not applied: {result}")
                    holders[args["case_id"]] = args["new_assignee"]
                notes_ = [
                    (
                        "add_note",
                        {"note_id": str(uuid.uuid4()), "case_id": case_id, "body": "Тэмдэглэл."},
                    )
                    for case_id in ids
                ]
                started = time.monotonic()
                results = push(notes_)
                times.setdefault(f"{size} notes", []).append(time.monotonic() - started)
                if any(r["status"] != "applied" for r in results):
                    raise SystemExit("a note was not applied")
    return times


def batch_push_main(args: argparse.Namespace) -> int:
    sizes = (PUSH_REQUEST_SIZE, 5 * PUSH_REQUEST_SIZE)
    figures: list[Figure] = []
    notes: list[str] = []
    for backend in ("sqlite", "postgresql"):
        with contextlib.ExitStack() as stack:
            if backend == "sqlite":
                folder = stack.enter_context(tempfile.TemporaryDirectory())
                url = f"sqlite:///{folder}/central.db"
            else:
                url = stack.enter_context(fresh_database(args.database_url, args.keep))
            print(f"{backend}: batched pushes ...", flush=True)
            times = batch_push_times(url, sizes, args.repeats)
        for name, values in times.items():
            ms = [v * 1000 for v in values]
            figures.append(
                Figure(
                    f"push of {name} ({backend})",
                    statistics.median(ms),
                    "ms",
                )
            )
            notes.append(f"median of {len(ms)}: " + ", ".join(f"{v:.0f}" for v in ms))
    width = max(len(f.name) for f in figures)
    for f, note in zip(figures, notes, strict=True):
        print(f"{f.name:<{width}}  {f.value:>9.1f} {f.unit}  {note}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump([f.as_json() for f in figures], fh, indent=2)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.central", description=__doc__)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--cases", type=int, default=100_000, help="seeded for the first sync")
    parser.add_argument("--push-rate", type=float, default=20.0, help="pushes per second overall")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "OPERATOR_DESK_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL URL; the benchmark creates (and drops) its own database there",
    )
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--batch-push",
        action="store_true",
        help="instead: time one desk pushing 100 and 500 reassignments and notes in requests "
        "of 100, on SQLite and on PostgreSQL",
    )
    parser.add_argument("--repeats", type=int, default=3, help="rounds of --batch-push")
    args = parser.parse_args(argv)
    if args.batch_push:
        return batch_push_main(args)

    with fresh_database(args.database_url, args.keep) as url:
        print(f"seeding {args.cases} cases and {args.clients} desks ...", flush=True)
        accounts = prepare(url, args.cases, args.clients)
        with central_serve(url, args.workers) as served:
            print("first sync of every seeded case ...", flush=True)
            synced = asyncio.run(first_sync(served.base, "demo-supervisor", "demo", 1000))
            load, connected = asyncio.run(
                run_load(
                    served.base,
                    accounts,
                    args.duration,
                    args.push_rate,
                    args.seed,
                    lambda: process_tree_cpu(served.pid),
                )
            )
    ms = [v * 1000 for v in load.push_latencies]
    figures = [
        Figure("desks connected", connected, "clients", args.clients, higher_is_better=True),
        Figure("push rate", load.pushes / args.duration, "pushes/s", args.push_rate * 0.9, True),
        Figure("push latency p50", percentile(ms, 50), "ms"),
        Figure("push latency p95", percentile(ms, 95), "ms", 100.0),
        Figure("push latency p99", percentile(ms, 99), "ms"),
        Figure("first sync cases", synced.cases, "cases"),
        Figure("first sync throughput", synced.cases / synced.seconds, "cases/s", 10_000.0, True),
        Figure("first sync transferred", synced.wire_bytes / 1e6, "MB (gzip)"),
        Figure("first sync JSON", synced.json_bytes / 1e6, "MB"),
        Figure("propagation p50", percentile([v * 1000 for v in load.propagation], 50), "ms"),
        Figure(
            "propagation p95", percentile([v * 1000 for v in load.propagation], 95), "ms", 1000.0
        ),
        Figure("propagation samples", len(load.propagation), "notes"),
        Figure("failed requests", sum(load.failures.values()), "requests", 0.0),
        # Cost, not speed: what each push (with the pulls and polls it causes) takes of the
        # server's CPU, and of the load generator's, which shares this machine with it.
        Figure("server CPU per push", load.server_cpu_s / max(1, load.pushes) * 1000, "ms"),
        Figure("generator CPU per push", load.generator_cpu_s / max(1, load.pushes) * 1000, "ms"),
    ]
    width = max(len(f.name) for f in figures)
    for f in figures:
        verdict = "" if f.ok is None else ("  ok" if f.ok else "  MISSED")
        target = (
            ""
            if f.target is None
            else f"  (target {'≥' if f.higher_is_better else '≤'} {f.target:g})"
        )
        print(f"{f.name:<{width}}  {f.value:>12.1f} {f.unit}{target}{verdict}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump([f.as_json() for f in figures], fh, indent=2)
    if ms:
        print(f"pushes measured: {len(ms)}; mean {statistics.fmean(ms):.1f} ms")
    if load.failures:
        print("failures:", dict(load.failures.most_common()))
    return 0 if all(f.ok is not False for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
