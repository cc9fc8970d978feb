"""Sign-in, rotation, sign-out, the keyring allow-list and offline unlock, against a local stub."""

from __future__ import annotations

import json
import os
import threading
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import keyring
import keyring.backends.fail
import pytest
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend
from keyring.errors import KeyringLocked

from sync.credentials import (
    ALLOWED_KEYRING_BACKENDS,
    MAX_RECORD_CHARS,
    OFFLINE_UNLOCK_WINDOW,
    Credentials,
    KdfParams,
    OfflineUnlockFailure,
    OfflineUnlockRefused,
    choose_keyring,
    is_refused_backend,
    keyring_backend_id,
)
from sync.errors import AuthExpired, InvalidCredentials, Offline, ProtocolError
from sync.http import CentralClient
from sync.keyring_memory import MEMORY_KEYRING_ID, MemoryKeyring
from sync.protocol import OperatorInfo
from tests.faults.fake_clock import FakeClock
from tests.faults.stub_http import Received, Reply, StubHttpServer

USER = "Bold"
PASSWORD = "Нууц-үг-2025!"
OPERATOR = {
    "id": "op-17",
    "username": "bold",
    "display_name": "Болд Батын",
    "role": "operator",
    "centres": ["ub-1111"],
    "teams": ["ub-1111-a"],
    "primary_team": "ub-1111-a",
}
# Cheap argon2id for tests; one test below runs the real cost.
TEST_KDF = KdfParams(time_cost=1, memory_cost_kib=1024)


class AuthStub:
    """The auth endpoints of the central service, just enough: one operator, rotating tokens."""

    def __init__(self, server: StubHttpServer) -> None:
        self._lock = threading.Lock()
        self._issued = 0
        self.valid_refresh: set[str] = set()
        self.refreshes_seen: list[str] = []
        self.logouts: list[tuple[str | None, str | None]] = []
        self.expires_in = 900
        self.operator: dict[str, Any] = dict(OPERATOR)
        server.route("POST", "/api/v1/auth/login", self._login)
        server.route("POST", "/api/v1/auth/refresh", self._refresh)
        server.route("POST", "/api/v1/auth/logout", self._logout)
        server.route(
            "GET", "/api/v1/me", lambda r: Reply.json({"auth": r.headers.get("authorization")})
        )

    def _grant(self) -> Reply:
        self._issued += 1
        refresh = f"refresh-{self._issued}"
        self.valid_refresh.add(refresh)
        return Reply.json(
            {
                "access_token": f"access-{self._issued}",
                "refresh_token": refresh,
                "expires_in": self.expires_in,
                "operator": self.operator,
            }
        )

    def _login(self, request: Received) -> Reply:
        body = request.json()
        with self._lock:
            if body["username"].lower() == "bold" and body["password"] == PASSWORD:
                assert body["device_name"] == "desk-07"
                return self._grant()
        return Reply.error(401, "INVALID_CREDENTIALS", "wrong username or password")

    def _refresh(self, request: Received) -> Reply:
        token = request.json().get("refresh_token")
        with self._lock:
            self.refreshes_seen.append(token)
            if token in self.valid_refresh:
                self.valid_refresh.discard(token)  # rotation: a refresh token works once
                return self._grant()
        return Reply.error(401, "REFRESH_TOKEN_INVALID")

    def _logout(self, request: Received) -> Reply:
        token = request.json().get("refresh_token") if request.body else None
        with self._lock:
            self.logouts.append((request.headers.get("authorization"), token))
            self.valid_refresh.discard(token)
        return Reply(204)


@pytest.fixture
def auth(stub: StubHttpServer) -> AuthStub:
    return AuthStub(stub)


MakeCredentials = Callable[..., Credentials]


@pytest.fixture
def make_credentials(
    client: CentralClient,
    clock: FakeClock,
    memory_keyring: MemoryKeyring,
    allow_memory_keyring: frozenset[str],
) -> MakeCredentials:
    def make(**kwargs: Any) -> Credentials:
        kwargs.setdefault("keyring_backend", memory_keyring)
        kwargs.setdefault("allowed_backends", allow_memory_keyring)
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("kdf", TEST_KDF)
        return Credentials(kwargs.pop("client", client), device_name="desk-07", **kwargs)

    return make


def stored(backend: MemoryKeyring) -> dict[str, str]:
    """The keyring's entries by name (the service part is the same for all)."""
    return {name: value for (_service, name), value in backend.items().items()}


# --- sign-in, rotation, sign-out -------------------------------------------------------------


def test_login_keeps_the_refresh_token_in_the_keyring_and_uses_the_access_token(
    auth: AuthStub,
    client: CentralClient,
    make_credentials: MakeCredentials,
    memory_keyring: MemoryKeyring,
    clock: FakeClock,
) -> None:
    credentials = make_credentials()
    session = credentials.login(USER, PASSWORD)
    assert session.operator == OperatorInfo(**OPERATOR)
    assert session.expires_at == clock.now + timedelta(seconds=900)
    assert credentials.keyring_available
    assert stored(memory_keyring)["bold:refresh-token"] == "refresh-1"
    assert client.get("/me") == {"auth": "Bearer access-1"}
    for value in stored(memory_keyring).values():
        assert PASSWORD not in value
        assert "access-1" not in value  # the access token lives in memory only


def test_a_wrong_password_is_invalid_credentials_and_stores_nothing(
    auth: AuthStub, make_credentials: MakeCredentials, memory_keyring: MemoryKeyring
) -> None:
    credentials = make_credentials()
    with pytest.raises(InvalidCredentials):
        credentials.login(USER, "guess")
    assert stored(memory_keyring) == {}
    assert credentials.session is None


def test_a_malformed_sign_in_answer_is_a_protocol_error(
    stub: StubHttpServer, make_credentials: MakeCredentials, memory_keyring: MemoryKeyring
) -> None:
    stub.route("POST", "/api/v1/auth/login", Reply.json({"access_token": "a", "expires_in": 60}))
    with pytest.raises(ProtocolError):
        make_credentials().login(USER, PASSWORD)
    assert stored(memory_keyring) == {}


def test_refresh_rotates_and_the_new_token_replaces_the_old_at_once(
    auth: AuthStub,
    client: CentralClient,
    make_credentials: MakeCredentials,
    memory_keyring: MemoryKeyring,
) -> None:
    credentials = make_credentials()
    credentials.login(USER, PASSWORD)
    credentials.refresh()
    assert stored(memory_keyring)["bold:refresh-token"] == "refresh-2"
    credentials.refresh()
    assert auth.refreshes_seen == ["refresh-1", "refresh-2"]
    assert stored(memory_keyring)["bold:refresh-token"] == "refresh-3"
    assert client.get("/me") == {"auth": "Bearer access-3"}


def test_a_rejected_refresh_token_is_forgotten(
    auth: AuthStub,
    client: CentralClient,
    make_credentials: MakeCredentials,
    memory_keyring: MemoryKeyring,
) -> None:
    credentials = make_credentials()
    credentials.login(USER, PASSWORD)
    auth.valid_refresh.clear()  # revoked on the server (e.g. signed out elsewhere)
    with pytest.raises(AuthExpired):
        credentials.refresh()
    assert "bold:refresh-token" not in stored(memory_keyring)
    assert credentials.session is None
    assert not client.has_access_token


def test_a_refresh_that_cannot_reach_the_server_keeps_the_token(
    auth: AuthStub,
    stub: StubHttpServer,
    make_credentials: MakeCredentials,
    memory_keyring: MemoryKeyring,
) -> None:
    credentials = make_credentials()
    credentials.login(USER, PASSWORD)
    stub.stop()
    with pytest.raises(Offline):
        credentials.refresh()
    assert stored(memory_keyring)["bold:refresh-token"] == "refresh-1"


def test_refresh_with_nobody_signed_in_asks_for_a_sign_in(
    auth: AuthStub, stub: StubHttpServer, make_credentials: MakeCredentials
) -> None:
    with pytest.raises(AuthExpired):
        make_credentials().refresh()
    with pytest.raises(AuthExpired):
        make_credentials().refresh("someone-else")
    assert stub.received == []


def test_a_saved_sign_in_resumes_after_a_restart(
    auth: AuthStub, stub: StubHttpServer, make_credentials: MakeCredentials, clock: FakeClock
) -> None:
    make_credentials().login(USER, PASSWORD)
    with CentralClient(stub.url, use_system_proxy=False, clock=clock) as fresh_client:
        restarted = make_credentials(client=fresh_client)
        assert restarted.has_saved_sign_in("bold")
        session = restarted.refresh("BOLD ")
        assert session.username == "bold"
        assert fresh_client.get("/me") == {"auth": "Bearer access-2"}


def test_ensure_session_refreshes_only_near_expiry(
    auth: AuthStub, make_credentials: MakeCredentials, clock: FakeClock
) -> None:
    credentials = make_credentials()
    first = credentials.login(USER, PASSWORD)
    clock.advance(timedelta(minutes=10))
    assert credentials.ensure_session() is first
    assert auth.refreshes_seen == []
    clock.advance(timedelta(minutes=4, seconds=30))  # 30 s left, within the 60 s margin
    renewed = credentials.ensure_session()
    assert auth.refreshes_seen == ["refresh-1"]
    assert renewed.expires_at == clock.now + timedelta(seconds=900)


def test_logout_revokes_on_the_server_and_forgets_the_tokens(
    auth: AuthStub,
    client: CentralClient,
    make_credentials: MakeCredentials,
    memory_keyring: MemoryKeyring,
) -> None:
    credentials = make_credentials()
    credentials.login(USER, PASSWORD)
    assert credentials.logout() is True
    assert auth.logouts == [("Bearer access-1", "refresh-1")]
    assert "bold:refresh-token" not in stored(memory_keyring)
    assert not client.has_access_token
    assert credentials.session is None and credentials.username is None
    # Signing out ends a shift, not the device's trust: offline unlock stays possible.
    assert credentials.offline_unlock_possible(USER)


def test_logout_while_offline_still_forgets_the_tokens_here(
    auth: AuthStub,
    stub: StubHttpServer,
    make_credentials: MakeCredentials,
    memory_keyring: MemoryKeyring,
) -> None:
    credentials = make_credentials()
    credentials.login(USER, PASSWORD)
    stub.stop()
    assert credentials.logout() is False
    assert "bold:refresh-token" not in stored(memory_keyring)


def test_forget_removes_everything_for_the_operator(
    auth: AuthStub, make_credentials: MakeCredentials, memory_keyring: MemoryKeyring
) -> None:
    credentials = make_credentials()
    credentials.login(USER, PASSWORD)
    credentials.forget(USER)
    assert stored(memory_keyring) == {}


# --- the keyring allow-list ------------------------------------------------------------------


class PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's plaintext file backend (not installed here)."""

    priority = -1  # type: ignore[assignment]


PlaintextKeyring.__module__ = "keyrings.alt.file"


def test_the_memory_backend_needs_the_explicit_hook() -> None:
    backend = MemoryKeyring()
    assert choose_keyring(backend) is None
    assert choose_keyring(backend, allowed={MEMORY_KEYRING_ID}) is backend
    assert MEMORY_KEYRING_ID not in ALLOWED_KEYRING_BACKENDS
    assert keyring_backend_id(backend) == MEMORY_KEYRING_ID


def test_plaintext_and_fail_backends_are_refused_even_when_listed() -> None:
    plaintext = PlaintextKeyring()
    fail = keyring.backends.fail.Keyring()
    listed = {keyring_backend_id(plaintext), keyring_backend_id(fail)}
    assert is_refused_backend(keyring_backend_id(plaintext))
    assert choose_keyring(plaintext, allowed=listed) is None
    assert choose_keyring(fail, allowed=listed) is None


def test_a_subclass_of_an_allowed_backend_is_not_allowed() -> None:
    class Sneaky(MemoryKeyring):
        priority = -1  # type: ignore[assignment]

    assert choose_keyring(Sneaky(), allowed={MEMORY_KEYRING_ID}) is None


def test_the_chainer_is_looked_through_for_an_allowed_backend() -> None:
    memory = MemoryKeyring()

    class Chain(ChainerBackend):
        priority = -1  # type: ignore[assignment]
        backends: ClassVar[list[KeyringBackend]] = [  # type: ignore[misc]
            keyring.backends.fail.Keyring(),
            PlaintextKeyring(),
            memory,
        ]

    assert choose_keyring(Chain(), allowed={MEMORY_KEYRING_ID}) is memory
    assert choose_keyring(Chain()) is None


def test_the_memory_backend_never_wins_keyring_auto_detection() -> None:
    assert MemoryKeyring.priority < keyring.backends.fail.Keyring.priority
    assert not any(isinstance(b, MemoryKeyring) for b in ChainerBackend.backends)


def test_by_default_the_process_keyring_is_used(
    auth: AuthStub, make_credentials: MakeCredentials, memory_keyring: MemoryKeyring
) -> None:
    # The autouse fixture installed `memory_keyring` with keyring.set_keyring().
    credentials = make_credentials(keyring_backend=None)
    credentials.login(USER, PASSWORD)
    assert credentials.keyring_available
    assert "bold:refresh-token" in stored(memory_keyring)


def test_with_a_refused_backend_the_sign_in_lives_in_memory_and_says_so(
    auth: AuthStub, client: CentralClient, make_credentials: MakeCredentials
) -> None:
    plaintext = PlaintextKeyring()
    credentials = make_credentials(
        keyring_backend=plaintext,
        allowed_backends=ALLOWED_KEYRING_BACKENDS | {keyring_backend_id(plaintext)},
    )
    assert not credentials.keyring_available
    credentials.login(USER, PASSWORD)
    assert plaintext.items() == {}  # nothing written to the "file"
    credentials.refresh()  # the session still works, from memory
    assert client.get("/me") == {"auth": "Bearer access-2"}


def test_with_the_fail_backend_there_is_no_keyring_and_the_flag_says_so(
    auth: AuthStub, make_credentials: MakeCredentials
) -> None:
    credentials = make_credentials(keyring_backend=keyring.backends.fail.Keyring())
    assert not credentials.keyring_available
    credentials.login(USER, PASSWORD)
    assert credentials.refresh().username == "bold"


def test_a_keyring_that_fails_at_run_time_falls_back_to_memory_loudly(
    auth: AuthStub,
    make_credentials: MakeCredentials,
    caplog: pytest.LogCaptureFixture,
) -> None:
    locked = MemoryKeyring(locked=True)
    credentials = make_credentials(keyring_backend=locked)
    assert credentials.keyring_available
    credentials.login(USER, PASSWORD)
    assert not credentials.keyring_available
    assert "kept in memory" in caplog.text
    assert "refresh-1" not in caplog.text
    assert credentials.refresh().username == "bold"


def test_a_keyring_that_fails_to_store_a_rotated_token_keeps_no_spent_one(
    auth: AuthStub, make_credentials: MakeCredentials
) -> None:
    # One failed write sent the vault to memory for the session, while the keyring kept the
    # token that write replaced: spent at the next start, it read as a stolen token's reuse.
    class FailsOnce(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            if password == "refresh-2":
                raise KeyringLocked("the keyring went away for a moment")
            super().set_password(service, username, password)

    backend = FailsOnce()
    credentials = make_credentials(
        keyring_backend=backend, allowed_backends=frozenset({keyring_backend_id(backend)})
    )
    credentials.login(USER, PASSWORD)
    assert "refresh-1" in backend.items().values()
    assert credentials.refresh().username == "bold"  # rotated: refresh-2, not stored
    assert not credentials.keyring_available
    assert "refresh-1" not in backend.items().values()
    assert credentials.refresh().username == "bold"  # the session goes on from memory


def test_no_file_is_written_anywhere(
    auth: AuthStub,
    make_credentials: MakeCredentials,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    credentials = make_credentials(keyring_backend=keyring.backends.fail.Keyring())
    credentials.login(USER, PASSWORD)
    credentials.unlock_offline(USER, PASSWORD)
    credentials.logout()
    assert list(os.scandir(tmp_path)) == []


# --- offline unlock --------------------------------------------------------------------------


def signed_in(make_credentials: MakeCredentials) -> Credentials:
    credentials = make_credentials()
    credentials.login(USER, PASSWORD)
    return credentials


def test_offline_unlock_within_fourteen_days(
    auth: AuthStub, make_credentials: MakeCredentials, clock: FakeClock
) -> None:
    credentials = signed_in(make_credentials)
    signed_in_at = clock.now
    clock.advance(timedelta(days=13, hours=23))
    unlocked = credentials.unlock_offline(" BOLD", PASSWORD)
    assert unlocked.username == "bold"
    assert unlocked.operator == OperatorInfo(**OPERATOR)
    assert unlocked.signed_in_at == signed_in_at
    assert unlocked.usable_until == signed_in_at + OFFLINE_UNLOCK_WINDOW


def test_offline_unlock_after_fourteen_days_is_refused(
    auth: AuthStub, make_credentials: MakeCredentials, clock: FakeClock
) -> None:
    credentials = signed_in(make_credentials)
    clock.advance(OFFLINE_UNLOCK_WINDOW + timedelta(seconds=1))
    with pytest.raises(OfflineUnlockRefused) as caught:
        credentials.unlock_offline(USER, PASSWORD)
    assert caught.value.reason is OfflineUnlockFailure.EXPIRED


def test_a_new_online_sign_in_restarts_the_fourteen_days(
    auth: AuthStub, make_credentials: MakeCredentials, clock: FakeClock
) -> None:
    credentials = signed_in(make_credentials)
    clock.advance(timedelta(days=10))
    credentials.login(USER, PASSWORD)
    clock.advance(timedelta(days=10))
    assert credentials.unlock_offline(USER, PASSWORD).username == "bold"


def test_offline_unlock_with_a_wrong_password_is_refused(
    auth: AuthStub, make_credentials: MakeCredentials
) -> None:
    credentials = signed_in(make_credentials)
    for guess in ("", "нууц-үг-2025!", PASSWORD + " ", "Нууц-үг-2025"):
        with pytest.raises(OfflineUnlockRefused) as caught:
            credentials.unlock_offline(USER, guess)
        assert caught.value.reason is OfflineUnlockFailure.WRONG_PASSWORD


def test_offline_unlock_without_a_record_is_refused(make_credentials: MakeCredentials) -> None:
    with pytest.raises(OfflineUnlockRefused) as caught:
        make_credentials().unlock_offline(USER, PASSWORD)
    assert caught.value.reason is OfflineUnlockFailure.NO_RECORD


def test_the_record_holds_no_password_and_fits_every_keyring(
    auth: AuthStub, make_credentials: MakeCredentials, memory_keyring: MemoryKeyring
) -> None:
    signed_in(make_credentials)
    record = stored(memory_keyring)["bold:offline-unlock"]
    assert PASSWORD not in record
    assert len(record) <= MAX_RECORD_CHARS
    assert set(json.loads(record)) == {
        "v",
        "kdf",
        "salt",
        "verifier",
        "server",
        "username",
        "signed_in_at",
        "operator",
        "mac",
    }


def _tamper(backend: MemoryKeyring, change: Callable[[dict[str, Any]], None]) -> None:
    [(service, name)] = [key for key in backend.items() if key[1] == "bold:offline-unlock"]
    record = json.loads(backend.get_password(service, name) or "")
    change(record)
    backend.set_password(service, name, json.dumps(record))


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.update(signed_in_at="2025-03-20T09:00:00+00:00"),  # stretch the 14 days
        lambda r: r["operator"].update(role="supervisor"),
        lambda r: r.update(operator={**OPERATOR, "centres": ["ub-1111", "darkhan"]}),
        lambda r: r.update(mac=r["verifier"]),
    ],
    ids=["signed_in_at", "role", "centres", "mac"],
)
def test_a_tampered_record_is_refused_even_with_the_right_password(
    auth: AuthStub,
    make_credentials: MakeCredentials,
    memory_keyring: MemoryKeyring,
    clock: FakeClock,
    change: Callable[[dict[str, Any]], None],
) -> None:
    credentials = signed_in(make_credentials)
    clock.advance(timedelta(days=15))  # only a stretched date could make this work
    _tamper(memory_keyring, change)
    with pytest.raises(OfflineUnlockRefused) as caught:
        credentials.unlock_offline(USER, PASSWORD)
    assert caught.value.reason is OfflineUnlockFailure.TAMPERED


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.update(username="dorj"),
        lambda r: r.update(server="https://elsewhere.example"),
        lambda r: r.update(kdf={"time_cost": 10**9, "memory_cost_kib": 8, "parallelism": 1}),
        lambda r: r.update(kdf={"time_cost": 1.0, "memory_cost_kib": 1024, "parallelism": 1}),
        lambda r: r.update(salt="!!"),
        lambda r: r.pop("verifier"),
        lambda r: r.update(signed_in_at="2025-03-01T09:00:00"),  # naive
    ],
    ids=["username", "server", "huge-kdf", "float-kdf", "salt", "no-verifier", "naive-date"],
)
def test_a_malformed_record_is_refused_as_tampered(
    auth: AuthStub,
    make_credentials: MakeCredentials,
    memory_keyring: MemoryKeyring,
    change: Callable[[dict[str, Any]], None],
) -> None:
    credentials = signed_in(make_credentials)
    _tamper(memory_keyring, change)
    with pytest.raises(OfflineUnlockRefused) as caught:
        credentials.unlock_offline(USER, PASSWORD)
    assert caught.value.reason is OfflineUnlockFailure.TAMPERED


def test_a_record_moved_to_another_operator_is_refused(
    auth: AuthStub, make_credentials: MakeCredentials, memory_keyring: MemoryKeyring
) -> None:
    credentials = signed_in(make_credentials)
    [(service, name)] = [k for k in memory_keyring.items() if k[1] == "bold:offline-unlock"]
    memory_keyring.set_password(
        service, "dorj:offline-unlock", memory_keyring.items()[(service, name)]
    )
    with pytest.raises(OfflineUnlockRefused) as caught:
        credentials.unlock_offline("dorj", PASSWORD)
    assert caught.value.reason is OfflineUnlockFailure.TAMPERED


def test_garbage_in_the_keyring_is_refused(
    auth: AuthStub, make_credentials: MakeCredentials, memory_keyring: MemoryKeyring
) -> None:
    credentials = signed_in(make_credentials)
    [(service, name)] = [k for k in memory_keyring.items() if k[1] == "bold:offline-unlock"]
    for garbage in ("not json", "[]", '"x"', "{}"):
        memory_keyring.set_password(service, name, garbage)
        with pytest.raises(OfflineUnlockRefused) as caught:
            credentials.unlock_offline(USER, PASSWORD)
        assert caught.value.reason is OfflineUnlockFailure.TAMPERED


def test_a_clock_set_back_before_the_sign_in_is_refused(
    auth: AuthStub, make_credentials: MakeCredentials, clock: FakeClock
) -> None:
    credentials = signed_in(make_credentials)
    clock.advance(timedelta(minutes=-4))
    assert credentials.unlock_offline(USER, PASSWORD)  # small skew is tolerated
    clock.advance(timedelta(days=-1))
    with pytest.raises(OfflineUnlockRefused) as caught:
        credentials.unlock_offline(USER, PASSWORD)
    assert caught.value.reason is OfflineUnlockFailure.CLOCK_ROLLED_BACK


def test_without_a_keyring_offline_unlock_lasts_only_for_the_session(
    auth: AuthStub, make_credentials: MakeCredentials
) -> None:
    credentials = make_credentials(keyring_backend=keyring.backends.fail.Keyring())
    credentials.login(USER, PASSWORD)
    assert credentials.unlock_offline(USER, PASSWORD).username == "bold"  # the lock screen
    restarted = make_credentials(keyring_backend=keyring.backends.fail.Keyring())
    with pytest.raises(OfflineUnlockRefused) as caught:
        restarted.unlock_offline(USER, PASSWORD)
    assert caught.value.reason is OfflineUnlockFailure.NO_RECORD


def test_a_record_too_large_for_the_keyring_stays_in_memory(
    auth: AuthStub, make_credentials: MakeCredentials, memory_keyring: MemoryKeyring
) -> None:
    auth.operator = {**OPERATOR, "teams": [f"team-{i:04d}" for i in range(200)]}
    credentials = signed_in(make_credentials)
    assert "bold:offline-unlock" not in stored(memory_keyring)
    assert "bold:refresh-token" in stored(memory_keyring)
    assert credentials.unlock_offline(USER, PASSWORD).operator.teams[0] == "team-0000"


def test_after_an_offline_unlock_the_saved_sign_in_resumes_online(
    auth: AuthStub, stub: StubHttpServer, make_credentials: MakeCredentials, clock: FakeClock
) -> None:
    signed_in(make_credentials)
    with CentralClient(stub.url, use_system_proxy=False, clock=clock) as fresh_client:
        restarted = make_credentials(client=fresh_client)
        restarted.unlock_offline(USER, PASSWORD)
        assert restarted.session is None
        assert restarted.ensure_session().username == "bold"  # the link is back
        assert fresh_client.get("/me") == {"auth": "Bearer access-2"}


def test_the_real_cost_parameters_round_trip(
    auth: AuthStub, make_credentials: MakeCredentials, memory_keyring: MemoryKeyring
) -> None:
    credentials = make_credentials(kdf=KdfParams())
    credentials.login(USER, PASSWORD)
    record = json.loads(stored(memory_keyring)["bold:offline-unlock"])
    assert record["kdf"] == {"time_cost": 2, "memory_cost_kib": 65536, "parallelism": 1}
    assert credentials.unlock_offline(USER, PASSWORD).username == "bold"


# --- secrets stay out of errors --------------------------------------------------------------


def test_a_malformed_grant_never_quotes_the_token_it_carries(
    stub: StubHttpServer, make_credentials: MakeCredentials
) -> None:
    grant = {"access_token": "SECRET-ACCESS", "refresh_token": "SECRET-REFRESH"}
    stub.route("POST", "/api/v1/auth/login", Reply.json({**grant, "expires_in": "soon"}))
    with pytest.raises(ProtocolError) as caught:
        make_credentials().login(USER, PASSWORD)
    text = "".join(traceback.format_exception(caught.value))
    assert "expires_in" in text
    for secret in (*grant.values(), PASSWORD):
        assert secret not in text


def test_an_impossible_password_is_refused_without_echoing_it(
    auth: AuthStub, stub: StubHttpServer, make_credentials: MakeCredentials
) -> None:
    password = "Ө" * 2000  # longer than the protocol allows
    with pytest.raises(ValueError) as caught:
        make_credentials().login(USER, password)
    assert password[:50] not in "".join(traceback.format_exception(caught.value))
    assert stub.received == []
