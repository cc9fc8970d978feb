"""Sign-in, token refresh and sign-out; the bearer-token check every endpoint goes through.

Access tokens are short-lived; refresh tokens rotate on every use. Both are opaque random
values stored only as SHA-256 hashes. Failed sign-ins slow down and then lock, per user and per
address (see throttle.py); disabled accounts are refused at once, on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import Enum, auto

from sqlalchemy import Connection, Engine, select, update

from central.data import audit, directory, sessions
from central.data.engine import read_transaction, write_transaction
from central.data.tables import auth_sessions, auth_tokens
from central.errors import ApiError
from central.identity import Account
from central.passwords import Passwords
from central.settings import Settings
from central.throttle import ThrottlePolicy, ThrottleState, Wait, after_failure, wait_needed
from sync.protocol import ErrorCode, LoginRequest, TokenResponse

ACCESS_PREFIX = "cat_"
REFRESH_PREFIX = "crt_"
MAX_TOKEN_LENGTH = 200
# A refresh answer lost on a bad link makes the desk send the same refresh token again: within
# this grace it gets a fresh pair, and the pair the lost answer carried is superseded (so one
# chain of tokens goes on, never two); later, a reused token means theft and ends the session,
# and so does a re-use after the lost pair was itself used, or a superseded token presented.
REFRESH_REUSE_GRACE_S = 60


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def normalise_username(username: str) -> str:
    return username.strip().lower()


class _Refresh(Enum):
    OK = auto()
    UNKNOWN = auto()
    EXPIRED = auto()
    REUSED = auto()
    DISABLED = auto()


@dataclass(frozen=True, slots=True)
class _Issued:
    access: str
    refresh: str


class AuthService:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        passwords: Passwords,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._passwords = passwords
        self._now = clock
        self._user_policy = ThrottlePolicy(
            settings.login_user_slow_after,
            settings.login_user_lock_after,
            settings.login_lock_s,
            settings.login_window_s,
            settings.login_max_delay_s,
        )
        self._address_policy = ThrottlePolicy(
            settings.login_address_slow_after,
            settings.login_address_lock_after,
            settings.login_lock_s,
            settings.login_window_s,
            settings.login_max_delay_s,
        )

    # ----------------------------------------------------------------------------------------
    # Sign-in
    # ----------------------------------------------------------------------------------------

    def login(self, request: LoginRequest, address: str) -> TokenResponse:
        now = self._now()
        username = normalise_username(request.username)
        keys = (
            (f"user:{username}", self._user_policy),
            (f"addr:{address}", self._address_policy),
        )
        with read_transaction(self._engine) as conn:
            waits = [wait_needed(p, sessions.throttle_state(conn, k), now) for k, p in keys]
            found = directory.account_for_login(conn, username)
        wait = _longest(waits)
        if wait is not None:
            self._audit_login(now, "login_throttled", wait.code, found, username, address)
            raise ApiError(
                429,
                wait.code,
                "too many failed sign-ins: try again later",
                {"retry_after_s": wait.seconds},
                {"Retry-After": str(wait.seconds)},
            )
        if found is None:
            self._passwords.burn(request.password)
            verified = False
        else:
            verified = self._passwords.verify(found[1], request.password)
        if not verified:
            with write_transaction(self._engine) as conn:
                for key, policy in keys:
                    state = sessions.throttle_state(conn, key, lock=True)
                    sessions.save_throttle(conn, key, after_failure(policy, state, now))
                self._audit_login_on(
                    conn,
                    now,
                    "login_failed",
                    ErrorCode.INVALID_CREDENTIALS,
                    found,
                    username,
                    address,
                )
            raise ApiError(401, ErrorCode.INVALID_CREDENTIALS, "wrong username or password")
        assert found is not None
        account, stored_hash = found
        if account.disabled:
            self._audit_login(
                now, "login_refused", ErrorCode.ACCOUNT_DISABLED, found, username, address
            )
            raise ApiError(403, ErrorCode.ACCOUNT_DISABLED, "this account is disabled")
        rehashed = (
            self._passwords.hash(request.password)
            if self._passwords.needs_rehash(stored_hash)
            else None
        )
        with write_transaction(self._engine) as conn:
            sessions.save_throttle(conn, keys[0][0], ThrottleState())  # success clears the user
            if rehashed:
                directory.set_password_hash(conn, account.id, rehashed)
            session_id = secrets.token_hex(16)
            sessions.create_session(conn, session_id, account.id, request.device_name, address, now)
            issued = self._issue(conn, session_id, now)
            audit.record(
                conn,
                audit.AuditEntry(
                    now,
                    "login",
                    "ok",
                    actor_id=account.id,
                    address=address,
                    details={"device": request.device_name},
                ),
            )
        return self._tokens(issued, account)

    def _issue(self, conn: Connection, session_id: str, now: datetime) -> _Issued:
        access, refresh = new_token(ACCESS_PREFIX), new_token(REFRESH_PREFIX)
        s = self._settings
        sessions.add_token(
            conn,
            token_hash(access),
            session_id,
            "access",
            now,
            now + timedelta(seconds=s.access_token_ttl_s),
        )
        sessions.add_token(
            conn,
            token_hash(refresh),
            session_id,
            "refresh",
            now,
            now + timedelta(seconds=s.refresh_token_ttl_s),
        )
        return _Issued(access, refresh)

    def _tokens(self, issued: _Issued, account: Account) -> TokenResponse:
        return TokenResponse(
            access_token=issued.access,
            refresh_token=issued.refresh,
            expires_in=self._settings.access_token_ttl_s,
            refresh_expires_in=self._settings.refresh_token_ttl_s,
            operator=account.info(),
        )

    # ----------------------------------------------------------------------------------------
    # Refresh and sign-out
    # ----------------------------------------------------------------------------------------

    def refresh(self, refresh_token: str, address: str) -> TokenResponse:
        now = self._now()
        if not refresh_token.startswith(REFRESH_PREFIX) or len(refresh_token) > MAX_TOKEN_LENGTH:
            raise ApiError(401, ErrorCode.UNAUTHORIZED, "unknown refresh token")
        issued: _Issued | None = None
        account: Account | None = None
        hashed = token_hash(refresh_token)
        with write_transaction(self._engine) as conn:
            seen = sessions.find_token(conn, hashed)
            if seen is not None and seen.kind == "refresh":
                # The refreshes of one session take turns (the session's row, then its tokens):
                # a re-use and the use of its successor cannot pass each other unseen.
                _lock_session(conn, seen.session_id)
            row = sessions.find_token(conn, hashed, lock=True)
            outcome = _refresh_outcome(row, now)
            if outcome is _Refresh.OK and row is not None and row.used_at is not None:
                outcome = _regrant(conn, row, now)
            if outcome is _Refresh.REUSED and row is not None:
                sessions.revoke_session(conn, row.session_id, now)
                audit.record(
                    conn,
                    audit.AuditEntry(
                        now,
                        "refresh_reused",
                        "refused",
                        actor_id=row.operator_id,
                        code=ErrorCode.UNAUTHORIZED,
                        address=address,
                    ),
                )
            elif outcome is _Refresh.OK and row is not None:
                if row.used_at is None:
                    sessions.mark_used(conn, row.token_hash, now)
                issued = self._issue(conn, row.session_id, now)
                account = directory.load_account(conn, row.operator_id)
        if outcome is _Refresh.DISABLED:
            raise ApiError(403, ErrorCode.ACCOUNT_DISABLED, "this account is disabled")
        if outcome is _Refresh.EXPIRED:
            raise ApiError(
                401, ErrorCode.UNAUTHORIZED, "the refresh token expired", {"reason": "expired"}
            )
        if outcome is _Refresh.REUSED:
            raise ApiError(
                401,
                ErrorCode.UNAUTHORIZED,
                "the refresh token was already used: sign in again",
                {"reason": "reused"},
            )
        if issued is None or account is None:
            raise ApiError(401, ErrorCode.UNAUTHORIZED, "unknown refresh token")
        return self._tokens(issued, account)

    def logout(self, account: Account, refresh_token: str | None) -> None:
        now = self._now()
        with write_transaction(self._engine) as conn:
            if account.session_id:
                sessions.revoke_session(conn, account.session_id, now)
            if refresh_token:
                row = sessions.find_token(conn, token_hash(refresh_token))
                if row is not None and row.operator_id == account.id:
                    sessions.revoke_session(conn, row.session_id, now)
            audit.record(conn, audit.AuditEntry(now, "logout", "ok", actor_id=account.id))

    # ----------------------------------------------------------------------------------------
    # Every request
    # ----------------------------------------------------------------------------------------

    def authenticate(self, access_token: str) -> Account:
        """The account behind a bearer token, or 401/403."""
        if not access_token.startswith(ACCESS_PREFIX) or len(access_token) > MAX_TOKEN_LENGTH:
            raise ApiError(401, ErrorCode.UNAUTHORIZED, "unknown access token")
        now = self._now()
        with read_transaction(self._engine) as conn:
            row = sessions.find_token(conn, token_hash(access_token))
            if row is None or row.kind != "access":
                raise ApiError(401, ErrorCode.UNAUTHORIZED, "unknown access token")
            # Disabled first: the desk must say "disabled", not "sign in again".
            if row.operator_disabled:
                raise ApiError(403, ErrorCode.ACCOUNT_DISABLED, "this account is disabled")
            if row.session_revoked:
                raise ApiError(401, ErrorCode.UNAUTHORIZED, "the session was ended")
            if row.expires_at <= now:
                raise ApiError(401, ErrorCode.TOKEN_EXPIRED, "the access token expired: refresh")
            account = directory.account_from_row(conn, row.operator)
        return replace(account, session_id=row.session_id)

    # ----------------------------------------------------------------------------------------

    def _audit_login(
        self,
        now: datetime,
        action: str,
        code: str,
        found: tuple[Account, str] | None,
        username: str,
        address: str,
    ) -> None:
        with write_transaction(self._engine) as conn:
            self._audit_login_on(conn, now, action, code, found, username, address)

    @staticmethod
    def _audit_login_on(
        conn: Connection,
        now: datetime,
        action: str,
        code: str,
        found: tuple[Account, str] | None,
        username: str,
        address: str,
    ) -> None:
        audit.record(
            conn,
            audit.AuditEntry(
                now,
                action,
                "refused",
                actor_id=found[0].id if found else None,
                code=str(code),
                address=address,
                details={"username": username[:100]},
            ),
        )


def _longest(waits: list[Wait | None]) -> Wait | None:
    present = [w for w in waits if w is not None]
    return max(present, key=lambda w: w.seconds) if present else None


def _refresh_outcome(row: sessions.TokenRow | None, now: datetime) -> _Refresh:
    if row is None or row.kind != "refresh":
        return _Refresh.UNKNOWN
    if row.operator_disabled:
        return _Refresh.DISABLED
    if row.session_revoked:
        return _Refresh.UNKNOWN
    if row.used_at is not None and _superseded(row.used_at, row.expires_at):
        # The pair of a lost answer, replaced by a re-use of its predecessor: whoever holds
        # it, someone else holds the predecessor.
        return _Refresh.REUSED
    if row.expires_at <= now:
        return _Refresh.EXPIRED
    if row.used_at is not None and now - row.used_at > timedelta(seconds=REFRESH_REUSE_GRACE_S):
        return _Refresh.REUSED
    return _Refresh.OK


# --------------------------------------------------------------------------------------------
# Re-use within the grace: one chain of tokens per session
# --------------------------------------------------------------------------------------------
#
# A token is superseded by giving it `used_at` = `expires_at` = the time it was superseded: a
# token really used was used before it expired, so the two never meet otherwise, and the token
# stops working at once (an access token expires; a refresh token counts as reused).


def _superseded(used_at: datetime, expires_at: datetime) -> bool:
    return used_at >= expires_at


def _lock_session(conn: Connection, session_id: str) -> None:
    conn.execute(
        select(auth_sessions.c.id).where(auth_sessions.c.id == session_id).with_for_update()
    ).first()


def _regrant(conn: Connection, row: sessions.TokenRow, now: datetime) -> _Refresh:
    """A refresh token presented again within its grace (the caller holds the session's lock):
    OK after superseding the tokens issued since its first use (the answer the desk lost), or
    REUSED if any refresh token issued since has been used: then two parties hold the chain."""
    assert row.used_at is not None
    later = conn.execute(
        select(
            auth_tokens.c.token_hash,
            auth_tokens.c.kind,
            auth_tokens.c.expires_at,
            auth_tokens.c.used_at,
        ).where(
            auth_tokens.c.session_id == row.session_id,
            auth_tokens.c.created_at >= row.used_at,
            auth_tokens.c.token_hash != row.token_hash,
        )
    ).all()
    if any(
        t.kind == "refresh" and t.used_at is not None and not _superseded(t.used_at, t.expires_at)
        for t in later
    ):
        return _Refresh.REUSED
    live = [t.token_hash for t in later if t.used_at is None]
    if live:
        conn.execute(
            update(auth_tokens)
            .where(auth_tokens.c.token_hash.in_(live))
            .values(used_at=now, expires_at=now)
        )
    return _Refresh.OK
