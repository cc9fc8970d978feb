"""Sign-in, tokens, throttling and locking, disabled accounts, sign-out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import select

from central.auth import AuthService
from central.data.tables import auth_tokens, operators
from central.errors import ApiError
from central.passwords import Passwords
from central.server import ServerHandle
from central.throttle import ThrottlePolicy, ThrottleState, after_failure, wait_needed
from sync.protocol import ErrorCode, LoginRequest
from tests.central.desk import Desk, new_id
from tests.central.testbed import CentralDb


def new_operator(admin: Desk, password: str = "secret-1", **extra: object) -> dict[str, object]:
    username = f"user-{new_id()[:8]}"
    body = {
        "username": username,
        "role": "operator",
        "password": password,
        "centres": ["c1111"],
        "teams": ["t1111-a"],
        **extra,
    }
    response = admin.post("/admin/operators", body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def login(server: ServerHandle, username: str, password: str) -> requests.Response:
    return requests.post(
        f"{server.url}/api/v1/auth/login",
        json={"username": username, "password": password, "device_name": "test"},
        timeout=30,
    )


def test_sign_in_gives_tokens_and_the_account(server: ServerHandle) -> None:
    response = login(server, "Demo-Operator ", "demo")  # usernames are not case-sensitive
    assert response.status_code == 200
    body = response.json()
    assert body["operator"]["id"] == "op-demo"
    assert (
        body["operator"]["teams"] == ["t1111-a"] and body["operator"]["primary_team"] == "t1111-a"
    )
    assert body["expires_in"] > 0
    me = requests.get(
        f"{server.url}/api/v1/me",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=30,
    )
    assert me.json()["username"] == "demo-operator"


def test_wrong_passwords_and_unknown_users_are_refused_alike(server: ServerHandle) -> None:
    wrong = login(server, "demo-supervisor", "not-demo")
    unknown = login(server, f"nobody-{new_id()[:6]}", "demo")
    hostile = login(server, "admin' OR '1'='1' --", "' OR 1=1 --")
    for response in (wrong, unknown, hostile):
        assert response.status_code == 401
        assert response.json()["code"] == "INVALID_CREDENTIALS"


def test_repeated_failures_slow_sign_in_down(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    account = new_operator(desk("demo-admin"))
    username = str(account["username"])
    for _ in range(5):
        assert login(server, username, "wrong").status_code == 401
    slowed = login(server, username, "secret-1")  # even the right password must wait
    assert slowed.status_code == 429
    assert slowed.json()["code"] == "TOO_MANY_ATTEMPTS"
    assert int(slowed.headers["Retry-After"]) >= 1


def test_tokens_and_passwords_are_stored_only_as_hashes(
    desk: Callable[..., Desk], shared_db: CentralDb
) -> None:
    operator = desk("demo-operator")
    tokens = (operator.tokens["access_token"], operator.tokens["refresh_token"])
    with shared_db.engine.connect() as conn:
        stored = set(conn.execute(select(auth_tokens.c.token_hash)).scalars())
        hashes = set(conn.execute(select(operators.c.password_hash)).scalars())
    assert not {t for t in tokens if t in stored}
    assert all(len(h) == 64 for h in stored)
    assert all(h.startswith("$argon2id$") for h in hashes)


def test_refresh_rotates_and_logout_revokes(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    operator = desk("demo-operator")
    first = operator.tokens
    rotated = operator.post("/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    operator.http.headers["Authorization"] = f"Bearer {second['access_token']}"
    assert operator.get("/me").status_code == 200
    out = operator.http.post(
        f"{operator.base}/auth/logout", json={"refresh_token": second["refresh_token"]}
    )
    assert out.status_code == 204
    after = operator.get("/me")
    assert after.status_code == 401 and after.json()["code"] == "UNAUTHORIZED"
    refused = operator.post("/auth/refresh", {"refresh_token": second["refresh_token"]})
    assert refused.status_code == 401


def test_a_disabled_account_is_refused_at_once(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    admin = desk("demo-admin")
    account = new_operator(admin)
    user = Desk(server.url, str(account["username"]), "secret-1")
    assert user.get("/me").status_code == 200
    disabled = admin.http.patch(
        f"{admin.base}/admin/operators/{account['id']}", json={"disabled": True}
    )
    assert disabled.status_code == 200
    refused = user.get("/me")
    assert refused.status_code == 403 and refused.json()["code"] == "ACCOUNT_DISABLED"
    assert user.post(
        "/auth/refresh", {"refresh_token": user.tokens["refresh_token"]}
    ).status_code in (401, 403)
    again = login(server, str(account["username"]), "secret-1")
    assert again.status_code == 403 and again.json()["code"] == "ACCOUNT_DISABLED"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer nonsense",
        "Basic ZGVtbzpkZW1v",
        "Bearer cat_' OR 1=1 --",
        "Bearer " + "x" * 5000,
    ],
)
def test_bad_tokens_get_401(server: ServerHandle, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = requests.get(f"{server.url}/api/v1/me", headers=headers, timeout=30)
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


# --------------------------------------------------------------------------------------------
# The rules over time, with a clock the test controls
# --------------------------------------------------------------------------------------------


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class TimedAuth:
    """The auth service on the shared database, with a clock the test turns, and a fresh
    account and address of its own (so locks stay inside the test)."""

    auth: AuthService
    clock: Clock
    username: str
    address: str

    def attempt(self, password: str, username: str = "", address: str = "") -> str:
        try:
            self.auth.login(
                LoginRequest(username=username or self.username, password=password),
                address or self.address,
            )
            return "ok"
        except ApiError as exc:
            return exc.code


@pytest.fixture
def timed(desk: Callable[..., Desk], shared_db: CentralDb) -> TimedAuth:
    account = new_operator(desk("demo-admin"))
    settings = shared_db.settings_with(
        access_token_ttl_s=60, login_user_lock_after=8, login_address_slow_after=12
    )
    clock = Clock(datetime.now(UTC))
    auth = AuthService(shared_db.engine, settings, Passwords(settings), clock)
    return TimedAuth(auth, clock, str(account["username"]), f"10.9.{new_id()[:4]}")


def test_failures_lock_a_user_for_a_while(timed: TimedAuth) -> None:
    codes = []
    for _ in range(8):
        codes.append(timed.attempt("wrong"))
        timed.clock.advance(120)  # past every slow-down delay
    assert codes == [ErrorCode.INVALID_CREDENTIALS] * 8
    assert timed.attempt("secret-1") == ErrorCode.ACCOUNT_LOCKED
    timed.clock.advance(12 * 60)
    assert timed.attempt("secret-1") == ErrorCode.ACCOUNT_LOCKED
    timed.clock.advance(2 * 60)
    assert timed.attempt("secret-1") == "ok"


def test_failures_from_one_address_slow_every_user_down(timed: TimedAuth) -> None:
    for i in range(12):
        assert timed.attempt("wrong", username=f"guess-{new_id()[:6]}-{i}") == (
            ErrorCode.INVALID_CREDENTIALS
        )
    assert timed.attempt("secret-1") == ErrorCode.TOO_MANY_ATTEMPTS
    assert timed.attempt("secret-1", address="198.51.100.7") == "ok"


def test_expired_access_tokens_and_reused_refresh_tokens(timed: TimedAuth) -> None:
    auth, clock = timed.auth, timed.clock
    tokens = auth.login(LoginRequest(username=timed.username, password="secret-1"), timed.address)
    clock.advance(61)
    with pytest.raises(ApiError) as expired:
        auth.authenticate(tokens.access_token)
    assert expired.value.code == ErrorCode.TOKEN_EXPIRED
    fresh = auth.refresh(tokens.refresh_token, timed.address)
    # A lost answer makes the desk send the same refresh token again: a short grace...
    clock.advance(10)
    again = auth.refresh(tokens.refresh_token, timed.address)
    assert again.access_token != fresh.access_token
    # ... but much later a reused token means it was stolen: the whole session ends.
    clock.advance(600)
    with pytest.raises(ApiError) as reused:
        auth.refresh(tokens.refresh_token, timed.address)
    assert reused.value.details["reason"] == "reused"
    with pytest.raises(ApiError):
        auth.authenticate(again.access_token)


def test_throttle_policy_forgets_old_failures() -> None:
    policy = ThrottlePolicy(slow_after=2, lock_after=4, lock_s=60, window_s=300, max_delay_s=30)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    state = ThrottleState()
    for _ in range(2):
        state = after_failure(policy, state, now)
    wait = wait_needed(policy, state, now)
    assert wait is not None and wait.code == ErrorCode.TOO_MANY_ATTEMPTS
    assert wait_needed(policy, state, now + timedelta(seconds=2)) is None
    assert after_failure(policy, state, now + timedelta(seconds=301)).failures == 1
