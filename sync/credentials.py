"""Sign-in, refresh-token rotation, sign-out, and offline unlock, with secrets in the OS keyring.

Keyring: only backends on an allow-list of real OS keyrings are used (macOS Keychain, Windows
Credential Manager, Secret Service, KWallet), as maestral does, but with no plaintext fallback:
keyrings.alt's file backends, keyring's `fail` and `null` backends are refused even if someone
adds them to the list. With no usable keyring, secrets live in this process's memory for the
session and `keyring_available` is False, so the UI can say that the sign-in will not survive a
restart. Nothing is ever written to a file or to the settings.

Offline unlock: after an online sign-in, a record is put in the keyring (never on disk):

    {v, kdf, salt, verifier, server, username, signed_in_at, operator, mac}

`key = argon2id(password, salt)` (64 bytes); `verifier` is its first half, and `mac` is an
HMAC-SHA256 with its second half over every other field. So the password itself is never
stored; a wrong password fails the constant-time verifier check; and editing the record (to
stretch `signed_in_at`, change the operator's role or move it to another username) fails the
MAC, because the MAC key can only be derived from the password. An operator can unlock offline
for 14 days after their last online sign-in; a record dated in the future (the clock was set
back) is refused. The record is small enough for Windows Credential Manager (2560 bytes); a
larger one is kept in memory for the session only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import threading
from collections.abc import Callable, Collection, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import keyring
from argon2.low_level import Type, hash_secret_raw
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend
from keyring.errors import PasswordDeleteError
from pydantic import BaseModel, ValidationError

from sync.errors import AuthExpired, Forbidden, InvalidCredentials, ProtocolError, TransportError
from sync.http import CentralClient
from sync.protocol import LoginRequest, LogoutRequest, OperatorInfo, RefreshRequest, TokenResponse

SERVICE = "operator-desk"
OFFLINE_UNLOCK_WINDOW = timedelta(days=14)
# A record dated further ahead than this was written under a clock that has since gone back.
CLOCK_TOLERANCE = timedelta(minutes=5)
# Windows Credential Manager holds 2560 bytes, stored as UTF-16: 1280 characters.
MAX_RECORD_CHARS = 1200
RECORD_VERSION = 1

ALLOWED_KEYRING_BACKENDS: frozenset[str] = frozenset(
    {
        "keyring.backends.macOS.Keyring",
        "keyring.backends.Windows.WinVaultKeyring",
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
    }
)
# Refused whatever the allow-list says: plaintext or "encrypted" files, and the backends that
# store nothing at all (a sign-in there would silently vanish).
REFUSED_KEYRING_MODULES = (
    "keyrings.alt",
    "keyring.backends.fail",
    "keyring.backends.null",
    "keyring.backends.chainer",
)

_log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


# --- keyring selection -----------------------------------------------------------------------


def keyring_backend_id(backend: KeyringBackend) -> str:
    """The backend's exact class as `module.Class` (subclasses do not inherit a place)."""
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def is_refused_backend(backend_id: str) -> bool:
    """Whether a backend is one that must never hold a secret."""
    return any(backend_id == m or backend_id.startswith(m + ".") for m in REFUSED_KEYRING_MODULES)


def choose_keyring(
    candidate: KeyringBackend | None = None,
    *,
    allowed: Collection[str] = ALLOWED_KEYRING_BACKENDS,
) -> KeyringBackend | None:
    """The allow-listed backend to use (from `candidate` or keyring's choice), or None."""
    if candidate is None:
        try:
            candidate = keyring.get_keyring()
        except Exception as exc:  # backends fail in platform-specific ways (DBus, Win32)
            _log.warning("No OS keyring could be loaded (%s)", type(exc).__name__)
            return None
    options = list(candidate.backends) if isinstance(candidate, ChainerBackend) else [candidate]
    for backend in options:
        backend_id = keyring_backend_id(backend)
        if backend_id in allowed and not is_refused_backend(backend_id):
            return backend
    return None


class SecretVault:
    """Secrets in an allow-listed OS keyring, or in this process's memory when there is none."""

    def __init__(self, backend: KeyringBackend | None, service: str = SERVICE) -> None:
        self._backend = backend
        self._service = service
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def persistent(self) -> bool:
        """True while secrets go to the OS keyring; False once they only live in memory."""
        return self._backend is not None

    def get(self, name: str) -> str | None:
        with self._lock:
            if self._backend is not None:
                try:
                    value = self._backend.get_password(self._service, name)
                except Exception as exc:  # platform layers raise their own errors
                    self._fall_back(exc, "read")
                else:
                    if value is not None:
                        return value
            # Session-only secrets (persist=False, or after a fall-back) live here.
            return self._memory.get(name)

    def set(self, name: str, value: str, *, persist: bool = True) -> None:
        """Store a secret; with `persist=False` (or no keyring) only for this session."""
        with self._lock:
            if self._backend is not None:
                try:
                    if persist:
                        self._backend.set_password(self._service, name, value)
                        self._memory.pop(name, None)
                        return
                    self._delete_from_backend(name)
                except Exception as exc:
                    # The keyring still holds the value this one replaces (a refresh token
                    # already spent, say): left there, the next start would send it, and the
                    # server would take the reuse for a theft and end the session.
                    with suppress(Exception):
                        self._delete_from_backend(name)
                    self._fall_back(exc, "store")
            self._memory[name] = value

    def delete(self, name: str) -> None:
        with self._lock:
            self._memory.pop(name, None)
            if self._backend is not None:
                try:
                    self._delete_from_backend(name)
                except Exception as exc:
                    self._fall_back(exc, "delete")

    def _delete_from_backend(self, name: str) -> None:
        assert self._backend is not None
        with suppress(PasswordDeleteError):  # nothing stored is already what we want
            self._backend.delete_password(self._service, name)

    def _fall_back(self, exc: Exception, action: str) -> None:
        # Loud, never silent: the UI reads `persistent` and tells the operator.
        assert self._backend is not None
        _log.warning(
            "The OS keyring (%s) could not %s a secret (%s); secrets are kept in memory "
            "for this session only",
            keyring_backend_id(self._backend),
            action,
            type(exc).__name__,
        )
        self._backend = None


# --- sessions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OnlineSession:
    """Signed in with the server: the access token (held by the client) expires at `expires_at`."""

    username: str
    operator: OperatorInfo
    expires_at: datetime

    def expires_within(self, margin: timedelta, now: datetime) -> bool:
        return now + margin >= self.expires_at


@dataclass(frozen=True)
class OfflineSession:
    """Unlocked offline with the password; valid until `usable_until` without going online."""

    username: str
    operator: OperatorInfo
    signed_in_at: datetime
    usable_until: datetime


class OfflineUnlockFailure(StrEnum):
    NO_RECORD = "no_record"
    WRONG_PASSWORD = "wrong_password"
    EXPIRED = "expired"
    TAMPERED = "tampered"
    CLOCK_ROLLED_BACK = "clock_rolled_back"


class OfflineUnlockRefused(Exception):
    """Offline unlock was refused; `reason` says why (the UI words it)."""

    def __init__(self, reason: OfflineUnlockFailure) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class KdfParams:
    """argon2id cost: about 0.2 s and 64 MiB on an office desktop."""

    time_cost: int = 2
    memory_cost_kib: int = 64 * 1024
    parallelism: int = 1

    def is_sane(self) -> bool:
        """Bounds for parameters read back from a record (a huge one would hang the unlock)."""
        values = (self.time_cost, self.memory_cost_kib, self.parallelism)
        if any(isinstance(v, bool) or not isinstance(v, int) for v in values):
            return False
        return (
            1 <= self.time_cost <= 10
            and 8 * self.parallelism <= self.memory_cost_kib <= 1024 * 1024
            and 1 <= self.parallelism <= 16
        )


def _fields_of(exc: ValidationError) -> str:
    # Only where it failed: pydantic's own text quotes the input, which may hold a token.
    return ", ".join(".".join(str(p) for p in error["loc"]) or "(root)" for error in exc.errors())


def _parse_grant(body: Mapping[str, Any]) -> TokenResponse:
    try:
        grant = TokenResponse.model_validate(body)
    except ValidationError as exc:
        raise ProtocolError(f"malformed sign-in answer ({_fields_of(exc)})") from None
    if not grant.access_token or not grant.refresh_token or grant.expires_in <= 0:
        raise ProtocolError("malformed sign-in answer (empty token or lifetime)")
    return grant


def _body(model: type[BaseModel], **fields: Any) -> dict[str, Any]:
    """A request body built and checked by its protocol model, never echoing a secret."""
    try:
        return model(**fields).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        raise ValueError(f"invalid {model.__name__} ({_fields_of(exc)})") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text, validate=True)


def _canonical(fields: Mapping[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _derive(password: str, salt: bytes, kdf: KdfParams) -> bytes:
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=kdf.time_cost,
        memory_cost=kdf.memory_cost_kib,
        parallelism=kdf.parallelism,
        hash_len=64,
        type=Type.ID,
    )


# --- the credentials -------------------------------------------------------------------------


class Credentials:
    """The operator's sign-in on this device: tokens, rotation, sign-out, offline unlock.

    Thread-safe: sign-in, refresh and sign-out are serialized, because two refreshes with the
    same token would trip the server's reuse detection.
    """

    def __init__(
        self,
        client: CentralClient,
        *,
        device_name: str,
        keyring_backend: KeyringBackend | None = None,
        allowed_backends: Collection[str] = ALLOWED_KEYRING_BACKENDS,
        clock: Callable[[], datetime] = _utc_now,
        kdf: KdfParams | None = None,
        offline_window: timedelta = OFFLINE_UNLOCK_WINDOW,
    ) -> None:
        self._client = client
        self._device_name = device_name
        self._clock = clock
        self._kdf = kdf or KdfParams()
        self._offline_window = offline_window
        backend = choose_keyring(keyring_backend, allowed=allowed_backends)
        if backend is None:
            _log.warning(
                "No allow-listed OS keyring: the sign-in is kept in memory for this session "
                "only, and offline unlock will not survive a restart"
            )
        self._vault = SecretVault(backend, f"{SERVICE}:{client.server_url}")
        self._lock = threading.RLock()
        self._username: str | None = None
        self._refresh_token: str | None = None
        self._session: OnlineSession | None = None

    def __repr__(self) -> str:
        return f"Credentials({self._client.server_url!r}, username={self._username!r})"

    @property
    def keyring_available(self) -> bool:
        """False when secrets only live in memory (no usable OS keyring): tell the operator."""
        return self._vault.persistent

    @property
    def session(self) -> OnlineSession | None:
        """The current online session, if any."""
        return self._session

    @property
    def username(self) -> str | None:
        """Who is signed in (online or unlocked offline), normalized."""
        return self._username

    def login(self, username: str, password: str) -> OnlineSession:
        """Sign in online; saves the refresh token and the offline-unlock record."""
        user = _normalize(username)
        request = _body(
            LoginRequest, username=username, password=password, device_name=self._device_name
        )
        with self._lock:
            try:
                body = self._client.post("/auth/login", request, authenticated=False)
            except AuthExpired as exc:
                raise InvalidCredentials(exc.status, exc.code, exc.message, exc.details) from None
            grant = _parse_grant(body)
            session = self._adopt(user, grant)
            self._save_offline_record(user, password, grant.operator)
            return session

    def refresh(self, username: str | None = None) -> OnlineSession:
        """Trade the refresh token for new tokens (rotation); `username` resumes a saved sign-in."""
        with self._lock:
            user = _normalize(username) if username is not None else self._username
            if user is None:
                raise AuthExpired(401, "NOT_SIGNED_IN", "nobody is signed in")
            token = self._refresh_token if user == self._username else None
            token = token or self._vault.get(_refresh_key(user))
            if not token:
                raise AuthExpired(401, "NOT_SIGNED_IN", "no saved sign-in")
            try:
                body = self._client.post(
                    "/auth/refresh", _body(RefreshRequest, refresh_token=token), authenticated=False
                )
            except (AuthExpired, Forbidden):
                # Revoked, expired or reused: it will never work again.
                self._forget_tokens(user)
                raise
            return self._adopt(user, _parse_grant(body))

    def ensure_session(self, margin: timedelta = timedelta(seconds=60)) -> OnlineSession:
        """The current session, refreshed first if its access token expires within `margin`."""
        with self._lock:
            session = self._session
            if session is not None and not session.expires_within(margin, self._now()):
                return session
            return self.refresh()

    def logout(self) -> bool:
        """Sign out: revoke on the server if possible, forget the tokens here in any case.

        Returns whether the server confirmed. The offline-unlock record stays (signing out ends
        a shift, not the device's trust); `forget()` removes it too.
        """
        with self._lock:
            user = self._username
            if user is None:
                return False
            token = self._refresh_token or self._vault.get(_refresh_key(user))
            revoked = False
            try:
                self._client.post(
                    "/auth/logout",
                    _body(LogoutRequest, refresh_token=token),
                    authenticated=self._client.has_access_token,
                )
                revoked = True
            except TransportError as exc:
                _log.info("The server did not confirm the sign-out (%s)", type(exc).__name__)
            self._forget_tokens(user)
            self._username = None
            return revoked

    def has_saved_sign_in(self, username: str) -> bool:
        """Whether a refresh token is saved for this operator (to resume without a password)."""
        return self._vault.get(_refresh_key(_normalize(username))) is not None

    def offline_unlock_possible(self, username: str) -> bool:
        """Whether an offline-unlock record exists for this operator (not yet checked)."""
        return self._vault.get(_offline_key(_normalize(username))) is not None

    def unlock_offline(self, username: str, password: str) -> OfflineSession:
        """Unlock without the server, checking the password against the local verifier."""
        user = _normalize(username)
        raw = self._vault.get(_offline_key(user))
        if raw is None:
            raise OfflineUnlockRefused(OfflineUnlockFailure.NO_RECORD)
        try:
            record = json.loads(raw)
            kdf = KdfParams(**record["kdf"])
            salt = _unb64(record["salt"])
            verifier = _unb64(record["verifier"])
            mac = _unb64(record["mac"])
            operator = OperatorInfo.model_validate(record["operator"])
            signed_in_at = datetime.fromisoformat(record["signed_in_at"])
            well_formed = (
                record["v"] == RECORD_VERSION
                and record["server"] == self._client.server_url
                and record["username"] == user
                and kdf.is_sane()
                and len(salt) >= 16
                and signed_in_at.tzinfo is not None
            )
        except (ValueError, TypeError, KeyError):
            well_formed = False
        if not well_formed:
            raise OfflineUnlockRefused(OfflineUnlockFailure.TAMPERED)

        key = _derive(password, salt, kdf)
        if not hmac.compare_digest(key[:32], verifier):
            raise OfflineUnlockRefused(OfflineUnlockFailure.WRONG_PASSWORD)
        signed = {k: v for k, v in record.items() if k != "mac"}
        expected_mac = hmac.new(key[32:], _canonical(signed), hashlib.sha256).digest()
        if not hmac.compare_digest(expected_mac, mac):
            raise OfflineUnlockRefused(OfflineUnlockFailure.TAMPERED)

        now = self._now()
        if signed_in_at > now + CLOCK_TOLERANCE:
            raise OfflineUnlockRefused(OfflineUnlockFailure.CLOCK_ROLLED_BACK)
        usable_until = signed_in_at + self._offline_window
        if now > usable_until:
            raise OfflineUnlockRefused(OfflineUnlockFailure.EXPIRED)
        with self._lock:
            if self._username != user:
                self._refresh_token = None
                self._session = None
                self._client.set_access_token(None)
            # A later refresh() uses this operator's saved refresh token once the link is back.
            self._username = user
        return OfflineSession(user, operator, signed_in_at, usable_until)

    def forget(self, username: str) -> None:
        """Remove everything saved for this operator on this device."""
        user = _normalize(username)
        with self._lock:
            self._forget_tokens(user)
            self._vault.delete(_offline_key(user))
            if self._username == user:
                self._username = None

    # --- helpers -------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return timezone-aware datetimes")
        return now

    def _adopt(self, user: str, grant: TokenResponse) -> OnlineSession:
        # Rotation: the new refresh token replaces the old one in the keyring at once, before
        # anything else can fail; the old one is already spent on the server.
        self._vault.set(_refresh_key(user), grant.refresh_token)
        self._refresh_token = grant.refresh_token
        self._username = user
        self._client.set_access_token(grant.access_token)
        self._session = OnlineSession(
            user, grant.operator, self._now() + timedelta(seconds=grant.expires_in)
        )
        return self._session

    def _forget_tokens(self, user: str) -> None:
        self._vault.delete(_refresh_key(user))
        if user == self._username:
            self._refresh_token = None
            self._session = None
            self._client.set_access_token(None)

    def _save_offline_record(self, user: str, password: str, operator: OperatorInfo) -> None:
        salt = os.urandom(16)
        key = _derive(password, salt, self._kdf)
        fields: dict[str, Any] = {
            "v": RECORD_VERSION,
            "kdf": {
                "time_cost": self._kdf.time_cost,
                "memory_cost_kib": self._kdf.memory_cost_kib,
                "parallelism": self._kdf.parallelism,
            },
            "salt": _b64(salt),
            "verifier": _b64(key[:32]),
            "server": self._client.server_url,
            "username": user,
            "signed_in_at": self._now().isoformat(),
            "operator": operator.model_dump(mode="json"),
        }
        fields["mac"] = _b64(hmac.new(key[32:], _canonical(fields), hashlib.sha256).digest())
        text = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
        fits = len(text) <= MAX_RECORD_CHARS
        if not fits:
            _log.warning(
                "The offline-unlock record (%d characters) is too large for every OS keyring; "
                "offline unlock will only work until the app closes",
                len(text),
            )
        self._vault.set(_offline_key(user), text, persist=fits)


def _normalize(username: str) -> str:
    return username.strip().casefold()


def _refresh_key(user: str) -> str:
    return f"{user}:refresh-token"


def _offline_key(user: str) -> str:
    return f"{user}:offline-unlock"
