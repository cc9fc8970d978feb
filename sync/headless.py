"""A desk without a display: store, client, sign-in and sync engine, for scripts and tests.

    python -m sync.headless --server http://127.0.0.1:8700 --data /tmp/desk1 \\
        --user demo-operator --password demo --create-cases 20 --progress

signs in, optionally makes local changes, syncs until nothing is left to send, prints one
JSON line per event on stdout and exits 0 when the desk ended in step with the server.
`HeadlessDesk` is the same thing as a class, so one process can drive several desks.

Secrets stay in this process's memory (no OS keyring is used): a headless desk signs in with
its password every time it starts, so offline unlock across restarts does not apply to it and
its key derivation is made cheap.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from operator_app.domain.model import Actor, CaseType, Channel, Role
from operator_app.domain.mutations import AddNote, CitizenInfo, CreateCase, MutationArgs
from operator_app.store import LocalResult, PageSummary, QueueFilter, Store
from sync.credentials import ALLOWED_KEYRING_BACKENDS, Credentials, KdfParams, OnlineSession
from sync.engine import EngineConfig, SyncEngine, SyncReport
from sync.garbage_collection import tuned_garbage_collector
from sync.http import CentralClient, Timeouts
from sync.keyring_memory import MemoryKeyring
from sync.protocol import OperatorInfo
from sync.status import StatusBoard

CACHE_FILE = "cache.db"
# The offline-unlock record only lives as long as the process: no point in an expensive KDF.
HEADLESS_KDF = KdfParams(time_cost=1, memory_cost_kib=1024, parallelism=1)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def actor_of(operator: OperatorInfo) -> Actor:
    """The signed-in operator as the domain's actor (who makes local changes)."""
    return Actor(
        operator.id,
        Role(operator.role),
        frozenset(operator.centres),
        frozenset(operator.teams),
        operator.primary_team,
    )


class HeadlessDesk:
    """One desk: its cache in `data_dir`, its own HTTP session, sign-in and sync engine."""

    def __init__(
        self,
        server_url: str,
        data_dir: Path | str,
        *,
        config: EngineConfig | None = None,
        device_name: str = "headless",
        timeouts: Timeouts | None = None,
        ca_bundle: str | None = None,
        allow_plain_http: bool = False,
        clock: Clock = _utc_now,
        rng: random.Random | None = None,
        status_board: StatusBoard | None = None,
        store: Store | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = store or Store.open(self.data_dir / CACHE_FILE, clock=clock)
        self.client = CentralClient(
            server_url,
            timeouts=timeouts,
            ca_bundle=ca_bundle,
            allow_plain_http=allow_plain_http,
            use_system_proxy=False,
            clock=clock,
        )
        self.credentials = Credentials(
            self.client,
            device_name=device_name,
            keyring_backend=MemoryKeyring(),
            allowed_backends=ALLOWED_KEYRING_BACKENDS,  # refused on purpose: memory only
            clock=clock,
            kdf=HEADLESS_KDF,
        )
        self.engine = SyncEngine(
            self.store,
            self.client,
            self.credentials,
            status_board or StatusBoard(),
            clock=clock,
            rng=rng,
            config=config,
        )
        self._operator: OperatorInfo | None = None

    def __enter__(self) -> HeadlessDesk:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def sign_in(self, username: str, password: str) -> OnlineSession:
        session = self.credentials.login(username, password)
        self._operator = session.operator
        return session

    @property
    def actor(self) -> Actor:
        if self._operator is None:
            raise RuntimeError("sign in first")
        return actor_of(self._operator)

    def submit(self, args: MutationArgs) -> LocalResult:
        """Save a change locally as the signed-in operator (queued for the next sync)."""
        return self.store.submit(args, self.actor).result()

    def sync_until_clean(self, attempts: int = 20) -> SyncReport:
        """Run cycles until one succeeds with nothing left to push (or attempts run out)."""
        report = self.engine.run_once()
        for _ in range(attempts - 1):
            if report.ok and self.store.pending_count() == 0:
                break
            report = self.engine.run_once()
        return report

    def case_ids(self) -> list[str]:
        """The ids of every case in the local view."""
        rows = self.store.rows(self.store.queue_ids(QueueFilter()))
        return [row.id for row in rows]

    def close(self) -> None:
        self.engine.close()
        self.client.close()
        self.store.close()


# --- local changes for scripts ---------------------------------------------------------------


def sample_case(actor: Actor, rng: random.Random) -> CreateCase:
    """A plausible new case in the operator's first centre."""
    centre = sorted(actor.centres)[0] if actor.centres else "c1111"
    return CreateCase(
        case_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        centre=centre,
        channel=Channel.PHONE,
        type=rng.choice([CaseType.COMPLAINT, CaseType.REQUEST, CaseType.PETITION]),
        category="utilities_and_heating",
        subject=rng.choice(["Байрны халаалт муу", "Ус тасарсан", "Гэрэлтүүлэг ажиллахгүй"]),
        description="Иргэн утсаар хандав.",
        citizen=CitizenInfo(name="Бат-Эрдэнэ Болд", phone="99112233"),
    )


def sample_note(case_id: str, rng: random.Random) -> AddNote:
    return AddNote(
        str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        case_id,
        rng.choice(["Иргэнтэй холбогдлоо.", "Хариу хүлээж байна.", "Байгууллагад шилжүүлэв."]),
    )


# --- the command ---------------------------------------------------------------------------


def _emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}, ensure_ascii=False, default=str), flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sync.headless", description=__doc__)
    parser.add_argument("--server", required=True, help="the central service's address")
    parser.add_argument("--data", required=True, help="folder of this desk's cache")
    parser.add_argument("--user", required=True)
    parser.add_argument(
        "--password",
        default=os.environ.get("OPERATOR_DESK_PASSWORD"),
        help="(default: $OPERATOR_DESK_PASSWORD)",
    )
    parser.add_argument("--device", default="headless", help="device name shown to admins")
    parser.add_argument("--ca-bundle", help="PEM file of the CA to trust instead of the system's")
    parser.add_argument("--pull-limit", type=int, default=EngineConfig().pull_limit)
    parser.add_argument("--create-cases", type=int, default=0, help="cases to create first")
    parser.add_argument("--add-notes", type=int, default=0, help="notes on cases after syncing")
    parser.add_argument("--attempts", type=int, default=20, help="sync cycles at most")
    parser.add_argument(
        "--watch", type=float, default=0.0, help="then keep syncing for this many seconds"
    )
    parser.add_argument("--progress", action="store_true", help="a line per pulled page")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.password:
        print("a password is needed (--password or $OPERATOR_DESK_PASSWORD)", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    config = EngineConfig(pull_limit=args.pull_limit, poke=args.watch > 0)
    # Built first, then the collector tuned as the desk's window tunes it: with the default
    # thresholds a 100,000-case first sync spent 2–2.5 s collecting (sync/garbage_collection.py).
    with (
        HeadlessDesk(args.server, args.data, config=config, device_name=args.device) as desk,
        tuned_garbage_collector(),
    ):
        if args.progress:

            def on_page(summary: PageSummary) -> None:
                _emit(
                    "page",
                    applied=summary.applied,
                    skipped=summary.skipped,
                    has_more=summary.has_more,
                    cursor=summary.cursor,
                )

            desk.engine.subscribe_pages(on_page)
        session = desk.sign_in(args.user, args.password)
        _emit("signed_in", operator=session.operator.id, client_id=desk.engine.client_id)
        for _ in range(args.create_cases):
            result = desk.submit(sample_case(desk.actor, rng))
            if not result.queued:
                _emit("refused", reason=str(result.outcome))
        report = desk.sync_until_clean(args.attempts)
        if args.add_notes:
            cases = desk.case_ids()
            for _ in range(args.add_notes if cases else 0):
                desk.submit(sample_note(rng.choice(cases), rng))
            report = desk.sync_until_clean(args.attempts)
        if args.watch > 0:
            stop = threading.Event()
            desk.engine.start()
            stop.wait(args.watch)
            desk.engine.stop()
            report = desk.sync_until_clean(args.attempts)
        pending = desk.store.pending_count()
        _emit(
            "done",
            ok=report.ok,
            pending=pending,
            problem=report.problem.code if report.problem else None,
            last_mutation_id=desk.store.last_mutation_id(),
        )
        return 0 if report.ok and pending == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
