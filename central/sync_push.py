"""`POST /sync/push`: apply a client's mutations exactly once, in its order, authoritatively.

Each mutation runs in its own write transaction: lock the client's row (pushes of one client
queue behind each other), skip ids already applied (answering with the stored result), refuse
gaps, re-run the domain mutator with the server's checks around it, and write the case, its
children, the change log, the result, the client's last id and the audit, stamped with one
sequence number taken at the end. A mutation that crashes is counted apart; the fifth crash
retires it as `rejected SERVER_ERROR` so one bad mutation cannot block a queue for ever.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

from sqlalchemy.exc import IntegrityError

from central.citizens import CitizenRegistry
from central.data import audit
from central.data import cases as case_store
from central.data import clients as client_store
from central.data.engine import is_transient, read_transaction, write_transaction
from central.directory import Directory
from central.errors import ApiError, busy
from central.identity import Account
from central.poke import ChangeEvent
from central.push_decision import decide, parse_envelope
from central.push_record import record
from central.settings import Settings
from central.text import storable
from central.writer import Writer
from operator_app.domain.errors import FieldError
from operator_app.domain.mutations import (
    CreateCase,
    MutationArgs,
)
from operator_app.domain.mutators import (
    Code,
    ResultStatus,
)
from sync.protocol import (
    MIN_SUPPORTED_SCHEMA_VERSION,
    PROTOCOL_SCHEMA_VERSION,
    ErrorCode,
    MutationEnvelope,
    MutationResult,
    PushRequest,
    PushResponse,
)

log = logging.getLogger(__name__)


class MutationGap(Exception):
    def __init__(self, expected_next_id: int) -> None:
        super().__init__(f"expected mutation {expected_next_id}")
        self.expected_next_id = expected_next_id


class ForeignClient(Exception):
    """The client id was first used by another account."""


class _Crash(Exception):
    """An unexpected exception while deciding or writing one mutation."""


def check_schema(version: int) -> None:
    if version < MIN_SUPPORTED_SCHEMA_VERSION:
        raise ApiError(
            426,
            ErrorCode.UPGRADE_REQUIRED,
            "this desk is too old for the server: upgrade it (pending work is kept)",
            {"min_schema_version": MIN_SUPPORTED_SCHEMA_VERSION},
        )
    if version > PROTOCOL_SCHEMA_VERSION:
        raise ApiError(
            400,
            ErrorCode.UNSUPPORTED_SCHEMA,
            "this desk is newer than the server",
            {"schema_version": PROTOCOL_SCHEMA_VERSION},
        )


class PushService:
    def __init__(
        self,
        writer: Writer,
        settings: Settings,
        directory: Directory,
        registry: CitizenRegistry,
    ) -> None:
        self._writer = writer
        self._settings = settings
        self._directory = directory
        self._registry = registry

    def push(self, account: Account, request: PushRequest, address: str = "") -> PushResponse:
        check_schema(request.schema_version)
        envelopes = _ordered(request.mutations)
        self._check_contiguous(envelopes)
        last = 0 if envelopes else self._last_id(account, request.client_id)
        results: list[MutationResult] = []
        for envelope in envelopes:
            result, last = self._one(account, request, envelope, address)
            results.append(result)
        return PushResponse(
            last_mutation_id=last,
            results=results,
            server_time=self._writer.now().isoformat(),
        )

    def _last_id(self, account: Account, client_id: str) -> int:
        """For an empty push (a desk asking where it stands)."""
        with read_transaction(self._writer.engine) as conn:
            client = client_store.client_state(conn, client_id)
        if client is not None and client.operator_id != account.id:
            raise ForeignClient
        return 0 if client is None else client.last_mutation_id

    @staticmethod
    def _check_contiguous(envelopes: list[MutationEnvelope]) -> None:
        """A batch must not skip an id (the database checks where it must start)."""
        for before, after in itertools.pairwise(envelopes):
            if after.id != before.id + 1:
                raise MutationGap(before.id + 1)

    # ----------------------------------------------------------------------------------------

    def _one(
        self, account: Account, request: PushRequest, envelope: MutationEnvelope, address: str
    ) -> tuple[MutationResult, int]:
        parsed = parse_envelope(envelope)
        citizen = self._prefetch_citizen(parsed)
        for attempt in (1, 2):
            try:
                return self._apply(account, request, envelope, parsed, citizen, address)
            except (ApiError, MutationGap, ForeignClient):
                raise
            except _Crash as crash:
                cause = crash.__cause__ or crash
                if isinstance(cause, IntegrityError) and attempt == 1:
                    continue  # a unique-key race (one case id created twice at once): re-read
                if is_transient(cause):
                    raise busy() from cause
                return self._crashed(account, request, envelope, cause, address)
            except Exception as exc:
                if is_transient(exc):
                    raise busy() from exc
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _prefetch_citizen(self, parsed: MutationArgs | FieldError) -> Any:
        """A created case's citizen from the registry, fetched before the transaction opens."""
        if not isinstance(parsed, CreateCase) or not parsed.citizen.citizen_id:
            return None
        with read_transaction(self._writer.engine) as conn:
            if case_store.citizen_known(conn, parsed.citizen.citizen_id):
                return None
        return self._registry.get(parsed.citizen.citizen_id)

    def _apply(
        self,
        account: Account,
        request: PushRequest,
        envelope: MutationEnvelope,
        parsed: MutationArgs | FieldError,
        citizen: Any,
        address: str,
    ) -> tuple[MutationResult, int]:
        with self._writer.transaction("push") as tx:
            conn = tx.conn
            client = client_store.lock_client(
                conn, request.client_id, account.id, storable(request.app_version), tx.now
            )
            if client.operator_id != account.id:
                raise ForeignClient
            if envelope.id <= client.last_mutation_id:
                stored = client_store.stored_result(conn, request.client_id, envelope.id)
                return stored or _expired_result(envelope.id), client.last_mutation_id
            if envelope.id > client.last_mutation_id + 1:
                raise MutationGap(client.last_mutation_id + 1)
            try:
                decision = decide(tx, account.actor, envelope, parsed, self._directory.rules)
                result = record(tx, account, request, envelope, decision, citizen, address)
            except (ApiError, MutationGap):
                raise
            except Exception as exc:
                raise _Crash(str(exc)) from exc
        return result, envelope.id

    # ----------------------------------------------------------------------------------------
    # Crashes
    # ----------------------------------------------------------------------------------------

    def _crashed(
        self,
        account: Account,
        request: PushRequest,
        envelope: MutationEnvelope,
        exc: BaseException,
        address: str,
    ) -> tuple[MutationResult, int]:
        log.error(
            "mutation %s/%s (%s) crashed",
            request.client_id,
            envelope.id,
            envelope.name,
            exc_info=exc,
        )
        error = f"{type(exc).__name__}: {exc}"[:2000]
        # Committed on its own: the mutation's own transaction was rolled back.
        with write_transaction(self._writer.engine) as conn:
            crashes = client_store.count_crash(
                conn, request.client_id, envelope.id, error, self._writer.now()
            )
        if crashes < self._settings.poison_crash_limit:
            raise busy(min(2**crashes, 30), "the server failed on this mutation; retry later")
        return self._retire(account, request, envelope, crashes, error, address)

    def _retire(
        self,
        account: Account,
        request: PushRequest,
        envelope: MutationEnvelope,
        crashes: int,
        error: str,
        address: str,
    ) -> tuple[MutationResult, int]:
        with self._writer.transaction("push") as tx:
            conn = tx.conn
            client = client_store.lock_client(
                conn, request.client_id, account.id, storable(request.app_version), tx.now
            )
            if envelope.id != client.last_mutation_id + 1:
                stored = client_store.stored_result(conn, request.client_id, envelope.id)
                return stored or _expired_result(envelope.id), client.last_mutation_id
            seq = tx.stamp()
            result = MutationResult(
                id=envelope.id,
                status=ResultStatus.REJECTED.value,
                code=Code.SERVER_ERROR.value,
                details={"crashes": crashes},
            )
            client_store.save_result(
                conn, request.client_id, result, storable(envelope.name), seq, tx.now
            )
            client_store.advance_client(
                conn, request.client_id, envelope.id, storable(request.app_version), tx.now
            )
            tx.announce(ChangeEvent(None, client_id=request.client_id))
            audit.record(
                conn,
                audit.AuditEntry(
                    tx.now,
                    storable(envelope.name),
                    result.status,
                    actor_id=account.id,
                    code=result.code,
                    client_id=request.client_id,
                    mutation_id=envelope.id,
                    seq=seq,
                    address=address,
                    # Kept so the mutation can be replayed once the bug is fixed.
                    details={"args": envelope.args, "error": error, "crashes": crashes},
                ),
            )
        return result, envelope.id


def _ordered(envelopes: list[MutationEnvelope]) -> list[MutationEnvelope]:
    """By id, each id once (a batch that repeats an id keeps the first copy)."""
    seen: dict[int, MutationEnvelope] = {}
    for envelope in envelopes:
        seen.setdefault(envelope.id, envelope)
    return [seen[i] for i in sorted(seen)]


def _expired_result(mutation_id: int) -> MutationResult:
    """A replay of an id whose stored result was pruned: it was applied long ago."""
    return MutationResult(id=mutation_id, status="applied", details={"result_expired": True})
