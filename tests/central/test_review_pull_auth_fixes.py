"""Fixes from a review of the central service: pages built ahead are served only to the scope
they were built for and only while fresh; a refresh token re-used within its grace leaves one
chain of tokens, not two; an auto-assignment on arrival is audited with its sequence number."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Hashable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from central.app import Services, build_services
from central.auth import AuthService
from central.data import directory as directory_store
from central.data import meta
from central.data.engine import read_transaction, write_transaction
from central.errors import ApiError
from central.identity import Account
from central.passwords import Passwords
from central.prefetch import PagePrefetch
from central.server import ServerHandle
from central.sync_pull import PulledBody, PullService
from sync.protocol import LoginRequest, PullRequest, TokenResponse
from tests.central.desk import Desk, add_note, create_case, new_id
from tests.central.test_central_auth import Clock, new_operator
from tests.central.test_central_concurrency import _push
from tests.central.testbed import CentralDb

# --------------------------------------------------------------------------------------------
# Pages built ahead
# --------------------------------------------------------------------------------------------


def _case_ops(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for op in body["ops"] if op["type"] == "case"]


def test_a_page_built_ahead_is_not_served_after_the_callers_scope_changed(
    central_server: ServerHandle,
) -> None:
    """A supervisor demoted to an operator of another centre in the middle of a first sync
    gets a reset, not the next page of the old centre's cases built ahead for them."""
    supervisor = Desk(central_server.url, "sup-t1111-a")
    assert supervisor.operator["centres"] == ["c1111"]
    results = supervisor.push(
        *[create_case(team="t1111-a") for _ in range(11)],
        create_case(team="t1111-a", confidential=True),
    )
    assert {r["status"] for r in results} == {"applied"}, results
    first = supervisor.pull_page(limit=5)
    assert first["has_more"] and len(_case_ops(first)) == 5  # the next page is built ahead now

    admin = Desk(central_server.url, "demo-admin")
    demoted = admin.http.patch(
        f"{admin.base}/admin/operators/sup-t1111-a",
        json={
            "role": "operator",
            "centres": ["c1900"],
            "teams": ["t1900-a"],
            "primary_team": "t1900-a",
        },
    )
    assert demoted.status_code == 200, demoted.text
    assert supervisor.get("/me").json()["centres"] == ["c1900"]  # the session goes on

    body = supervisor.pull_raw(limit=5, cursor=supervisor.cursor)
    assert body.get("reset", {}).get("reason") == "scope_changed", [
        (op["data"]["centre"], op["data"].get("confidential")) for op in _case_ops(body)
    ]


class _FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class _BuiltAtOnce(PagePrefetch[PulledBody]):
    """Builds the page ahead before `start` returns (a test cannot wait on the thread
    otherwise), then keeps it exactly as the real prefetch does; counts what it hands out."""

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__(clock=clock)
        self.hits = 0

    def start(self, key: Hashable, build: Callable[[], PulledBody]) -> None:
        page = build()
        super().start(key, lambda: page)

    def take(self, key: Hashable) -> PulledBody | None:
        page = super().take(key)
        self.hits += page is not None
        return page


def test_prefetch_hands_out_no_page_older_than_its_limit() -> None:
    clock = _FakeClock()
    prefetch: PagePrefetch[str] = PagePrefetch(max_age_s=60, clock=clock)
    try:
        prefetch.start("fresh", lambda: "page")
        clock.now += 59
        assert prefetch.take("fresh") == "page"
        prefetch.start("old", lambda: "page")
        clock.now += 61  # and no other start() came along to evict it
        assert prefetch.take("old") is None
        assert prefetch.take("old") is None
    finally:
        prefetch.close()


@pytest.fixture
def services(central_db: CentralDb) -> Iterator[Services]:
    svc = build_services(central_db.settings)
    yield svc
    svc.pull.close()
    svc.engine.dispose()


def _account(svc: Services, operator_id: str) -> Account:
    with read_transaction(svc.engine) as conn:
        account = directory_store.load_account(conn, operator_id)
    assert account is not None
    return account


def test_a_page_built_ahead_too_long_ago_is_built_again(
    services: Services, central_db: CentralDb
) -> None:
    """A desk that comes back for the next page after the limit gets the cases as they are
    now, not as they were when the page was built ahead."""
    account = _account(services, "sup-demo")
    ids = sorted(new_id() for _ in range(4))
    for i, case_id in enumerate(ids):
        _push(services, account, "seed", i + 1, create_case(case_id))
    secret = meta.cursor_secret(services.engine, central_db.settings.secret_key)
    clock = _FakeClock()
    prefetch = _BuiltAtOnce(clock)
    pull = PullService(services.engine, services.sequencer, secret, prefetch)
    try:

        def request(cursor: str | None) -> PullRequest:
            return PullRequest(client_id="desk", cursor=cursor, schema_version=1, limit=2)

        first = json.loads(pull.pull(account, request(None)))
        assert first["has_more"]
        # The second page, built ahead already, holds the last two cases: one changes now.
        page_one = [op for op in first["ops"] if op["type"] == "case"]
        assert [op["id"] for op in page_one] == ids[:2]
        _push(services, account, "seed", len(ids) + 1, add_note(ids[2]))
        clock.now += 61
        second = json.loads(pull.pull(account, request(first["cursor"])))
        assert prefetch.hits == 0
        cases = {op["id"]: op for op in second["ops"] if op["type"] == "case"}
        notes = [op for op in second["ops"] if op["type"] == "note"]
        assert list(cases) == ids[2:]
        assert [op["data"]["case_id"] for op in notes] == [ids[2]]
    finally:
        pull.close()


def test_a_page_built_ahead_is_not_served_after_an_epoch_bump(
    services: Services, central_db: CentralDb
) -> None:
    """The epoch changes under a page built ahead (a restore, then `bump-epoch`): the same
    account, scope and cursor ask for it, and get the reset the cursor calls for."""
    account = _account(services, "sup-demo")
    for i in range(4):
        _push(services, account, "seed", i + 1, create_case(new_id()))
    secret = meta.cursor_secret(services.engine, central_db.settings.secret_key)
    prefetch = _BuiltAtOnce(_FakeClock())
    pull = PullService(services.engine, services.sequencer, secret, prefetch)
    try:
        request = PullRequest(client_id="desk", cursor=None, schema_version=1, limit=2)
        first = json.loads(pull.pull(account, request))
        assert first["has_more"]
        with write_transaction(services.engine) as conn:
            meta.bump_epoch(conn)
        second = json.loads(
            pull.pull(account, request.model_copy(update={"cursor": first["cursor"]}))
        )
        assert second.get("reset", {}).get("reason") == "epoch_changed", second.keys()
    finally:
        pull.close()


# --------------------------------------------------------------------------------------------
# Refresh tokens re-used within the grace
# --------------------------------------------------------------------------------------------


class _Tokens:
    """The auth service on the shared database with a clock the test turns; a fresh account."""

    def __init__(self, admin: Desk, db: CentralDb) -> None:
        self.username = str(new_operator(admin)["username"])
        self.clock = Clock(datetime.now(UTC))
        self.auth = AuthService(db.engine, db.settings, Passwords(db.settings), self.clock)
        self.address = f"10.8.{new_id()[:4]}"

    def login(self) -> TokenResponse:
        return self.auth.login(
            LoginRequest(username=self.username, password="secret-1"), self.address
        )

    def refresh(self, tokens: TokenResponse) -> TokenResponse:
        return self.auth.refresh(tokens.refresh_token, self.address)

    def refused(self, tokens: TokenResponse) -> str:
        """Why the refresh token is refused now (it must be)."""
        with pytest.raises(ApiError) as refused:
            self.refresh(tokens)
        assert refused.value.status == 401
        return str(refused.value.details.get("reason", refused.value.message))

    def works(self, tokens: TokenResponse) -> bool:
        try:
            self.auth.authenticate(tokens.access_token)
        except ApiError:
            return False
        return True


@pytest.fixture
def tokens(desk: Callable[..., Desk], shared_db: CentralDb) -> _Tokens:
    return _Tokens(desk("demo-admin"), shared_db)


def test_a_desk_that_lost_the_refresh_answer_retries_and_goes_on_with_one_chain(
    tokens: _Tokens,
) -> None:
    first = tokens.login()
    lost = tokens.refresh(first)  # the answer never reaches the desk
    tokens.clock.advance(10)
    retried = tokens.refresh(first)
    assert tokens.works(retried)
    assert not tokens.works(lost)  # the lost pair is superseded
    # The desk goes on rotating as usual, retry included (each rotation in its own instant:
    # a token's successors are the tokens its session was given since its first use).
    tokens.clock.advance(1)
    second = tokens.refresh(retried)
    tokens.clock.advance(5)
    second_again = tokens.refresh(retried)
    tokens.clock.advance(1)
    third = tokens.refresh(second_again)
    assert tokens.works(third)
    # Two retries of the same token: still one working pair.
    tokens.clock.advance(1)
    fourth = tokens.refresh(third)
    tokens.clock.advance(5)
    tokens.refresh(third)
    tokens.clock.advance(5)
    fifth = tokens.refresh(third)
    assert tokens.works(fifth) and not tokens.works(fourth) and not tokens.works(second)
    assert tokens.works(tokens.refresh(fifth))


def test_a_refresh_token_replayed_within_the_grace_does_not_fork_the_session(
    tokens: _Tokens,
) -> None:
    """The desk rotates R1 to R2; a thief replays R1 within the grace and gets R3: when the
    desk uses R2, the fork shows and the whole session ends, the thief's chain with it."""
    first = tokens.login()
    desk_pair = tokens.refresh(first)
    tokens.clock.advance(10)
    thief_pair = tokens.refresh(first)
    assert tokens.refused(desk_pair) == "reused"
    assert not tokens.works(thief_pair)
    tokens.refused(thief_pair)  # the session was ended


def test_a_replay_after_the_successor_was_used_ends_the_session(tokens: _Tokens) -> None:
    """R1 -> R2 -> R4 by the desk; R1 replayed within its grace: theft, not a lost answer."""
    first = tokens.login()
    second = tokens.refresh(first)
    tokens.clock.advance(5)
    third = tokens.refresh(second)
    tokens.clock.advance(5)
    assert tokens.refused(first) == "reused"
    assert not tokens.works(third)
    tokens.refused(third)  # the session was ended


def _refresh_at_once(
    tokens: _Tokens,
    pair: TokenResponse,
    start: threading.Barrier,
    outcomes: list[TokenResponse | BaseException],
) -> None:
    start.wait(10)
    try:
        outcomes.append(tokens.refresh(pair))
    except BaseException as exc:  # reported by the test's assertions
        outcomes.append(exc)


def test_a_replay_racing_the_successors_use_ends_the_session(tokens: _Tokens) -> None:
    """The replay of R1 and the use of R2 at the same moment: one of them wins and the other
    shows the fork, whichever order the database puts them in; neither deadlocks."""
    for _ in range(8):
        first = tokens.login()
        second = tokens.refresh(first)
        tokens.clock.advance(1)
        start = threading.Barrier(2)
        outcomes: list[TokenResponse | BaseException] = []

        threads = [
            threading.Thread(target=_refresh_at_once, args=(tokens, pair, start, outcomes))
            for pair in (first, second)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        granted = [o for o in outcomes if isinstance(o, TokenResponse)]
        refused = [o for o in outcomes if isinstance(o, ApiError)]
        assert len(granted) == 1 and len(refused) == 1, outcomes
        assert refused[0].details.get("reason") == "reused"
        assert not tokens.works(granted[0])  # the session was ended


# --------------------------------------------------------------------------------------------
# The audit of an auto-assignment on arrival
# --------------------------------------------------------------------------------------------


def test_an_auto_assignment_on_arrival_is_audited_with_the_pushs_sequence_number(
    central_server: ServerHandle,
) -> None:
    supervisor = Desk(central_server.url, "demo-supervisor")
    mode = supervisor.http.put(
        f"{supervisor.base}/teams/t1111-a/assignment", json={"mode": "round_robin"}
    )
    assert mode.status_code == 200, mode.text
    operator = Desk(central_server.url, "demo-operator")
    name, args = create_case(team="t1111-a")
    assert operator.push_one(name, args)["status"] == "applied"

    auditor = Desk(central_server.url, "demo-auditor")
    entries = auditor.get("/audit", limit=1000).json()["entries"]
    of_case = {e["action"]: e for e in entries if e["case_id"] == args["case_id"]}
    assigned, created = of_case["auto_assign"], of_case["create_case"]
    assert assigned["status"] == "applied"
    assert created["seq"] is not None
    assert assigned["seq"] == created["seq"]  # one transaction, one number
