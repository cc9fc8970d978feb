"""The embedded demo: a real central service on 127.0.0.1 over SQLite in the data folder.

The first start seeds the demo directory and tens of thousands of cases into a file beside the
final one, and renames it into place only when seeding finished: a demo closed mid-seed starts
over next time instead of keeping half the cases for ever.

The demo accounts get generated passwords, kept in the keyring (never in the settings, the
logs or the database, which holds their argon2 hashes only). The other seeded accounts, which
the seed gives a published password, get an unknown random one: nobody else on this computer
can sign in to the service listening on 127.0.0.1.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from central.data import directory
from central.data.engine import create_database_engine, write_transaction
from central.passwords import Passwords
from central.seed import seed_demo
from central.server import ServerHandle, run_in_thread
from central.settings import Settings as CentralSettings
from operator_app.synthetic import demo_directory
from sync.credentials import SecretVault, choose_keyring
from ui.session.keyrings import KeyringChoice

log = logging.getLogger(__name__)

DEMO_OPERATOR = "demo-operator"
DEMO_SUPERVISOR = "demo-supervisor"
DEMO_ACCOUNTS = (DEMO_OPERATOR, DEMO_SUPERVISOR)
# OPERATOR_DESK_DEMO_CASES=300 seeds a small demo (tests, slow machines).
DEMO_CASES_ENV = "OPERATOR_DESK_DEMO_CASES"
DEFAULT_DEMO_CASES = 20_000
DATABASE_FILE = "central.sqlite3"
SEEDING_FILE = "central-seeding.sqlite3"
VAULT_SERVICE = "operator-desk-demo"

Progress = Callable[[int, int], None]


class DemoCancelled(Exception):
    """The desk closed while the demo was being prepared."""


def demo_cases(environ: Mapping[str, str] | None = None) -> int:
    """How many cases the demo seeds: $OPERATOR_DESK_DEMO_CASES, else the default."""
    environ = os.environ if environ is None else environ
    raw = environ.get(DEMO_CASES_ENV, "").strip()
    if not raw:
        return DEFAULT_DEMO_CASES
    try:
        value = int(raw)
    except ValueError:
        log.warning("%s is not a number; seeding %d cases", DEMO_CASES_ENV, DEFAULT_DEMO_CASES)
        return DEFAULT_DEMO_CASES
    return max(0, value)


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


class EmbeddedDemo:
    """The demo service of one data folder. `start()` blocks (run it on a worker thread)."""

    def __init__(
        self,
        folder: Path,
        keyring: KeyringChoice,
        *,
        cases: int = DEFAULT_DEMO_CASES,
        central_settings: CentralSettings | None = None,
    ) -> None:
        self.folder = folder
        self.cases = cases
        self._keyring = keyring
        self._base_settings = central_settings or CentralSettings()
        self._server: ServerHandle | None = None
        self._passwords: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def database(self) -> Path:
        return self.folder / DATABASE_FILE

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the demo service is not running")
        return self._server.url

    @property
    def running(self) -> bool:
        return self._server is not None and self._server.running

    def password(self, username: str) -> str:
        """The generated password of a demo account (after `start()`)."""
        return self._passwords[username]

    def start(
        self,
        progress: Progress = lambda _done, _total: None,
        cancelled: threading.Event | None = None,
    ) -> str:
        """Seed once, set the demo passwords, start the service; its URL.

        Raises DemoCancelled when `cancelled` is set before the service runs."""
        cancelled = cancelled or threading.Event()
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # The demo owns its database: a newer desk migrates the one an older desk seeded.
        settings = self._base_settings.with_(
            database_url=_sqlite_url(self.database), auto_migrate=True
        )
        vault = SecretVault(
            choose_keyring(self._keyring.backend, allowed=self._keyring.allowed),
            f"{VAULT_SERVICE}:{self.database}",
        )
        if not self.database.is_file():
            self._seed(settings, vault, progress, cancelled)
        if cancelled.is_set():
            raise DemoCancelled
        self._set_passwords(settings, vault)
        if cancelled.is_set():
            raise DemoCancelled
        server = run_in_thread(settings)
        with self._lock:
            self._server = server
        log.info("The demo service listens on %s", server.url)
        if cancelled.is_set():
            self.stop()
            raise DemoCancelled
        return server.url

    def stop(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.stop()
            server.services.engine.dispose()
            log.info("The demo service stopped")

    # --- the steps -------------------------------------------------------------------------

    def _seed(
        self,
        settings: CentralSettings,
        vault: SecretVault,
        progress: Progress,
        cancelled: threading.Event,
    ) -> None:
        seeding = self.folder / SEEDING_FILE
        _remove_database(seeding)
        engine = create_database_engine(_sqlite_url(seeding), pool_size=2)
        total = self.cases

        def on_progress(done: int) -> None:
            if cancelled.is_set():
                raise DemoCancelled
            progress(done, total)

        try:
            log.info("Seeding the demo with %d cases", total)
            progress(0, total)
            seed_demo(engine, total, settings=settings, progress=on_progress)
            if cancelled.is_set():
                raise DemoCancelled
            self._lock_other_accounts(engine, settings)
            # Passwords of an earlier demo database at this path mean nothing now. Forgotten
            # before the new file takes its place, they can never pair with its hashes.
            for username in DEMO_ACCOUNTS:
                vault.delete(f"{username}:password")
        except BaseException:
            engine.dispose()
            _remove_database(seeding)
            raise
        engine.dispose()
        for suffix in ("-wal", "-shm"):  # checkpointed when the last connection closed
            Path(f"{seeding}{suffix}").unlink(missing_ok=True)
        seeding.replace(self.database)

    @staticmethod
    def _lock_other_accounts(engine: object, settings: CentralSettings) -> None:
        unknown = Passwords(settings).hash(secrets.token_urlsafe(32))
        others = [p.id for p in demo_directory().operators if p.username not in DEMO_ACCOUNTS]
        with write_transaction(engine) as conn:  # type: ignore[arg-type]
            for operator_id in others:
                directory.set_password_hash(conn, operator_id, unknown)

    def _set_passwords(self, settings: CentralSettings, vault: SecretVault) -> None:
        """The demo accounts' passwords from the vault; new ones where it has none.

        A new password reaches the vault only after its hash is committed: a start that dies
        in between leaves the vault without it, and the next start makes another. The vault
        never holds a password the database does not accept."""
        changed: dict[str, str] = {}
        for username in DEMO_ACCOUNTS:
            password = vault.get(f"{username}:password")
            if password is None:
                password = secrets.token_urlsafe(18)
                changed[username] = password
            self._passwords[username] = password
        if not changed:
            return
        hasher = Passwords(settings)
        engine = create_database_engine(settings.database_url, pool_size=1)
        try:
            with write_transaction(engine) as conn:
                for username, password in changed.items():
                    operator_id = directory.operator_id_for_username(conn, username)
                    if operator_id is not None:
                        directory.set_password_hash(conn, operator_id, hasher.hash(password))
        finally:
            engine.dispose()
        for username, password in changed.items():
            vault.set(f"{username}:password", password)
