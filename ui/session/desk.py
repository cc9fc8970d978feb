"""Opening a desk: sign in (or unlock offline), open this operator's cache, build the engine.

Qt-free and blocking: run it on a worker thread (the sign-in dialog does, through the
`TaskRunner`). Every way it can fail ends as a `SignInError` with a `SignInFailure` the dialog
words; no other exception escapes for a foreseeable cause, and no secret is ever in a message.

Each (server, operator) pair gets its own cache file: a second operator at the same desk has
their own scope, outbox and client id, and the first one's work is never mixed in.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend

from operator_app.domain.model import Actor
from operator_app.store import NewerSchemaError, Store, StoreError
from sync.credentials import (
    Credentials,
    KdfParams,
    OfflineUnlockFailure,
    OfflineUnlockRefused,
    choose_keyring,
)
from sync.engine import EngineConfig, SyncEngine
from sync.errors import (
    CertificateError,
    Forbidden,
    HttpError,
    InvalidCredentials,
    Offline,
    ProtocolError,
    ServerBusy,
    TransportError,
    UpgradeRequired,
)
from sync.headless import actor_of
from sync.http import CentralClient, Timeouts, normalize_server_url
from sync.protocol import ErrorCode, OperatorInfo
from sync.status import StatusBoard
from ui.session.keyrings import KeyringChoice

log = logging.getLogger(__name__)

# A sign-in is a person waiting at a dialog: give up on an unreachable server quickly.
SIGN_IN_TIMEOUTS = Timeouts(connect=5.0, read=20.0, total=30.0)
REGISTRY_DEADLINE_S = 5.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SignInFailure(StrEnum):
    """Why a desk could not be opened; the sign-in dialog has a sentence for each."""

    BAD_URL = "bad_url"
    EMPTY = "empty"  # no username or no password
    WRONG_PASSWORD = "wrong_password"
    ACCOUNT_DISABLED = "account_disabled"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    UNREACHABLE = "unreachable"
    CERTIFICATE = "certificate"
    NOT_A_SERVICE = "not_a_service"  # something answered, but not the central service
    SERVER_ERROR = "server_error"
    UPGRADE_REQUIRED = "upgrade_required"
    NO_LOCAL_DATA = "no_local_data"  # offline: this desk has no cache or unlock record
    OFFLINE_WRONG_PASSWORD = "offline_wrong_password"
    OFFLINE_EXPIRED = "offline_expired"
    OFFLINE_REFUSED = "offline_refused"  # tampered record, or the clock went back
    CACHE = "cache"  # the local cache could not be opened


class SignInError(Exception):
    """A desk could not be opened; `failure` says why, `retry_after_s` when the server said."""

    def __init__(self, failure: SignInFailure, retry_after_s: int | None = None) -> None:
        super().__init__(failure.value)
        self.failure = failure
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class SignInRequest:
    """What the operator typed. `repr` never shows the password."""

    server_url: str
    username: str
    password: str = field(repr=False)
    offline: bool = False


@dataclass(eq=False)
class OpenedDesk:
    """A signed-in (or offline-unlocked) desk: its cache, client, credentials and engine.

    The engine is built but not started; `close()` stops and closes everything (blocking:
    a sync cycle under way finishes first, bounded by its request deadlines).
    """

    server_url: str
    operator: OperatorInfo
    store: Store
    client: CentralClient
    credentials: Credentials
    engine: SyncEngine
    status_board: StatusBoard
    offline: bool
    first_sync: bool  # the cache has never been synced: the first pull brings the whole scope
    _closed: bool = field(default=False, repr=False)

    @property
    def actor(self) -> Actor:
        return actor_of(self.operator)

    def lookup_registry(self, text: str) -> list[Mapping[str, Any]]:
        """The central citizen registry (query pool): by phone when `text` is digits, else by
        registration number; nothing when the service cannot be asked."""
        text = text.strip()
        if not text:
            return []
        key = "phone" if text.lstrip("+").isdigit() else "reg_no"
        try:
            body = self.client.get(
                "/citizens/lookup", params={key: text}, deadline=REGISTRY_DEADLINE_S
            )
        except TransportError as exc:
            log.info("The citizen registry could not be asked (%s)", type(exc).__name__)
            return []
        found = body.get("citizens")
        return [dict(item) for item in found if isinstance(item, dict)] if found else []

    def close(self, *, sign_out: bool = False) -> None:
        """Stop the engine, optionally sign out on the server, close the client and cache."""
        if self._closed:
            return
        self._closed = True
        try:
            self.engine.close()
            if sign_out and not self.offline:
                self.credentials.logout()
        finally:
            self.client.close()
            self.store.close()


class DeskOpener:
    """Opens desks for one data folder; safe to call from any thread."""

    def __init__(
        self,
        cache_dir: Path,
        keyring: KeyringChoice,
        *,
        device_name: str | None = None,
        engine_config: EngineConfig | None = None,
        kdf: KdfParams | None = None,
        timeouts: Timeouts = SIGN_IN_TIMEOUTS,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._cache_dir = cache_dir
        self._keyring = keyring
        self._device_name = device_name or socket.gethostname() or "operator-desk"
        self._engine_config = engine_config
        self._kdf = kdf
        self._timeouts = timeouts
        self._clock = clock
        self._backend_lock = threading.Lock()
        self._backend: KeyringBackend | None = None
        self._backend_chosen = False

    def cache_file(self, server_url: str, username: str) -> Path:
        """This operator's cache for this server (raises ValueError for a bad address)."""
        server = normalize_server_url(server_url)
        key = f"{server}\n{username.strip().casefold()}".encode()
        return self._cache_dir / f"desk-{hashlib.sha256(key).hexdigest()[:16]}.sqlite3"

    def can_work_offline(self, server_url: str, username: str) -> bool:
        """Whether this desk has a cache and an offline-unlock record for this operator."""
        if not username.strip() or self._keyring_backend() is None:
            return False  # without a keyring, no unlock record outlives its session
        try:
            path = self.cache_file(server_url, username)
            if not path.is_file():
                return False
            client = self._client(server_url)
        except ValueError:
            return False
        try:
            return self._credentials(client).offline_unlock_possible(username)
        finally:
            client.close()

    def open(self, request: SignInRequest, *, cache_file: Path | None = None) -> OpenedDesk:
        """Sign in (or unlock offline) and open the desk; raises `SignInError`."""
        if not request.username.strip() or not request.password:
            raise SignInError(SignInFailure.EMPTY)
        try:
            client = self._client(request.server_url)
            path = cache_file or self.cache_file(request.server_url, request.username)
        except ValueError:
            raise SignInError(SignInFailure.BAD_URL) from None
        store: Store | None = None
        try:
            credentials = self._credentials(client)
            if request.offline:
                if not path.is_file():
                    raise SignInError(SignInFailure.NO_LOCAL_DATA)
                operator = self._unlock(credentials, request)
            else:
                operator = self._login(credentials, request)
            store = self._open_store(path)
            first_sync = store.sync_state().cursor is None
            board = StatusBoard()
            engine = SyncEngine(
                store, client, credentials, board, clock=self._clock, config=self._engine_config
            )
        except BaseException:
            if store is not None:
                store.close()
            client.close()
            raise
        log.info(
            "Signed in as %s (%s)%s",
            operator.id,
            operator.role,
            " offline" if request.offline else "",
        )
        return OpenedDesk(
            client.server_url,
            operator,
            store,
            client,
            credentials,
            engine,
            board,
            request.offline,
            first_sync,
        )

    # --- the steps -------------------------------------------------------------------------

    def _client(self, server_url: str) -> CentralClient:
        return CentralClient(server_url, timeouts=self._timeouts, clock=self._clock)

    def _keyring_backend(self) -> KeyringBackend | None:
        """The keyring to use, chosen once (asking the OS can be slow)."""
        with self._backend_lock:
            if not self._backend_chosen:
                self._backend = choose_keyring(self._keyring.backend, allowed=self._keyring.allowed)
                self._backend_chosen = True
            return self._backend

    def _credentials(self, client: CentralClient) -> Credentials:
        return Credentials(
            client,
            device_name=self._device_name,
            keyring_backend=self._keyring_backend() or self._keyring.backend,
            allowed_backends=self._keyring.allowed,
            clock=self._clock,
            **({"kdf": self._kdf} if self._kdf is not None else {}),
        )

    @staticmethod
    def _login(credentials: Credentials, request: SignInRequest) -> OperatorInfo:
        try:
            return credentials.login(request.username, request.password).operator
        except InvalidCredentials:
            raise SignInError(SignInFailure.WRONG_PASSWORD) from None
        except ServerBusy as exc:
            if exc.code in (ErrorCode.TOO_MANY_ATTEMPTS, ErrorCode.ACCOUNT_LOCKED):
                seconds = round(exc.retry_after) if exc.retry_after else None
                raise SignInError(SignInFailure.TOO_MANY_ATTEMPTS, seconds) from None
            raise SignInError(SignInFailure.SERVER_ERROR) from None
        except Forbidden:
            raise SignInError(SignInFailure.ACCOUNT_DISABLED) from None
        except UpgradeRequired:
            raise SignInError(SignInFailure.UPGRADE_REQUIRED) from None
        except CertificateError:
            raise SignInError(SignInFailure.CERTIFICATE) from None
        except Offline:
            raise SignInError(SignInFailure.UNREACHABLE) from None
        except HttpError as exc:
            if exc.status in (404, 405):
                raise SignInError(SignInFailure.NOT_A_SERVICE) from None
            raise SignInError(SignInFailure.SERVER_ERROR) from None
        except ProtocolError:
            raise SignInError(SignInFailure.NOT_A_SERVICE) from None
        except TransportError:
            raise SignInError(SignInFailure.UNREACHABLE) from None

    @staticmethod
    def _unlock(credentials: Credentials, request: SignInRequest) -> OperatorInfo:
        try:
            return credentials.unlock_offline(request.username, request.password).operator
        except OfflineUnlockRefused as exc:
            failure = {
                OfflineUnlockFailure.NO_RECORD: SignInFailure.NO_LOCAL_DATA,
                OfflineUnlockFailure.WRONG_PASSWORD: SignInFailure.OFFLINE_WRONG_PASSWORD,
                OfflineUnlockFailure.EXPIRED: SignInFailure.OFFLINE_EXPIRED,
            }.get(exc.reason, SignInFailure.OFFLINE_REFUSED)
            raise SignInError(failure) from None

    @staticmethod
    def _open_store(path: Path) -> Store:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            return Store.open(path)
        except (NewerSchemaError, StoreError, OSError) as exc:
            log.error("The local cache %s could not be opened: %s", path.name, exc)
            raise SignInError(SignInFailure.CACHE) from None
