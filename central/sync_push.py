"""`POST /sync/push`: apply a client's mutations exactly once, in its order, authoritatively.

A push's mutations share one write transaction: lock the client's row (pushes of one client
queue behind each other), skip ids already applied (answering with the stored result), refuse
gaps, and re-run each mutation's domain mutator with the server's checks around it inside a
SAVEPOINT of its own, writing the case, its children, the change log, the result, the client's
last id and the audit. The transaction ends with one sequence number for all of them (taken by
the last statement), one announcement, one commit.

Lock order (see central.assignment): the client's row, then every case the batch names in one
sorted statement, then (for one mutation at most: the batch commits after it) the teams' rows,
then the clock row with the stamp.

A mutation that raises is rolled back to its savepoint alone and the mutations before it
commit; then it is handled as a mutation pushed alone always was: a unique-key or lock race runs
again in a transaction of its own, a value the database cannot store (a DataError) is rejected
INVALID, a transient failure answers 503, and a crash is counted apart
(503), the fifth retiring it as `rejected SERVER_ERROR` so one bad mutation cannot block a queue
for ever. The mutations after a retired one go on in a new shared transaction.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from central.citizens import CitizenRegistry
from central.data import audit
from central.data import cases as case_store
from central.data import clients as client_store
from central.data.engine import is_transient, read_transaction, write_transaction
from central.directory import Directory
from central.errors import ApiError, busy
from central.identity import Account
from central.poke import ChangeEvent
from central.push_decision import decide, parse_envelope, refused
from central.push_record import record
from central.settings import Settings
from central.text import storable
from central.writer import Writer, WriteTx
from operator_app.domain.errors import FieldError, Reason
from operator_app.domain.mutations import (
    CreateCase,
    MutationArgs,
)
from operator_app.domain.mutators import (
    Code,
    ResultStatus,
    rejected,
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
        while len(results) < len(envelopes):
            done, last, failure = self._batch(account, request, envelopes[len(results) :], address)
            results.extend(done)
            if failure is not None:  # the batch before it is committed
                result, last = self._failed(
                    account, request, envelopes[len(results)], failure, address
                )
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

    def _batch(
        self,
        account: Account,
        request: PushRequest,
        envelopes: list[MutationEnvelope],
        address: str,
    ) -> tuple[list[MutationResult], int, Exception | None]:
        """As many of `envelopes` as apply without an exception, in one transaction with one
        stamp: their results, the client's last id, and the exception of the next one."""
        parsed = [parse_envelope(envelope) for envelope in envelopes]
        citizens = [self._prefetch_citizen(args) for args in parsed]
        results: list[MutationResult] = []
        failure: Exception | None = None
        try:
            with self._writer.transaction("push") as tx:
                conn = tx.conn
                client = _own_client(tx, account, request)
                last = client.last_mutation_id
                # Every case the batch names, locked up front in one sorted statement: the lock
                # order of the assignment module (cases, then teams) holds for the whole batch.
                case_store.lock_cases(
                    conn,
                    [
                        args.case_id
                        for envelope, args in zip(envelopes, parsed, strict=True)
                        if envelope.id > last and not isinstance(args, FieldError)
                    ],
                )
                for envelope, args, citizen in zip(envelopes, parsed, citizens, strict=True):
                    if envelope.id <= last:
                        stored = client_store.stored_result(conn, request.client_id, envelope.id)
                        results.append(stored or _expired_result(envelope.id))
                        continue
                    if envelope.id > last + 1:  # only ever the first new one (ids are contiguous)
                        raise MutationGap(last + 1)
                    try:
                        with tx.savepoint():
                            decision = decide(
                                tx, account.actor, envelope, args, self._directory.rules
                            )
                            result = record(
                                tx, account, request, envelope, decision, citizen, address
                            )
                    except Exception as exc:  # undone alone, the others stay
                        failure = exc
                        break
                    results.append(result)
                    last = envelope.id
                    if tx.closes_batch:  # it took teams' locks: the next case's must not follow
                        break
                if tx.pending:  # last: from the stamp to the commit other writers wait on the clock
                    tx.stamp()
        except (ApiError, MutationGap, ForeignClient):
            raise
        except Exception as exc:
            if is_transient(exc):
                raise busy() from exc
            raise
        return results, last, failure

    def _failed(
        self,
        account: Account,
        request: PushRequest,
        envelope: MutationEnvelope,
        exc: Exception,
        address: str,
    ) -> tuple[MutationResult, int]:
        """A mutation that raised inside a batch, as if it had been pushed alone: a refusal of
        the whole request propagates, a value the database cannot store is rejected INVALID, a
        unique-key or lock race (a deadlock) runs again in a transaction of its own (now that the
        batch's locks are gone), another transient failure answers 503, and anything else is a
        crash, counted apart."""
        if isinstance(exc, ApiError | MutationGap | ForeignClient):
            raise exc
        if isinstance(exc, DataError):
            return self._unstorable(account, request, envelope, exc, address)
        if isinstance(exc, IntegrityError) or _lost_a_lock_race(exc):
            return self._one(account, request, envelope, address)
        if is_transient(exc):
            raise busy() from exc
        return self._crashed(account, request, envelope, exc, address)

    def _one(
        self, account: Account, request: PushRequest, envelope: MutationEnvelope, address: str
    ) -> tuple[MutationResult, int]:
        """One mutation in a transaction of its own (after a unique-key race in a batch)."""
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
                if isinstance(cause, DataError):
                    return self._unstorable(account, request, envelope, cause, address)
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
            client = _own_client(tx, account, request)
            if envelope.id <= client.last_mutation_id:
                stored = client_store.stored_result(conn, request.client_id, envelope.id)
                return stored or _expired_result(envelope.id), client.last_mutation_id
            if envelope.id > client.last_mutation_id + 1:
                raise MutationGap(client.last_mutation_id + 1)
            try:
                decision = decide(tx, account.actor, envelope, parsed, self._directory.rules)
                result = record(tx, account, request, envelope, decision, citizen, address)
                tx.stamp()  # last: from here to the commit every other writer waits on the clock
            except (ApiError, MutationGap):
                raise
            except Exception as exc:
                raise _Crash(str(exc)) from exc
        return result, envelope.id

    def _unstorable(
        self,
        account: Account,
        request: PushRequest,
        envelope: MutationEnvelope,
        exc: DataError,
        address: str,
    ) -> tuple[MutationResult, int]:
        """A mutation whose values the database refused to store (a value too long for its
        column, out of its type's range): the parse should have refused it, so it is logged,
        and it is `rejected INVALID` at once, the same answer on every backend, never a crash
        retried five times."""
        log.warning(
            "mutation %s/%s (%s) has a value the database cannot store: %s",
            request.client_id,
            envelope.id,
            envelope.name,
            type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__,
        )
        decision = refused(
            rejected(Code.INVALID, "a value cannot be stored", reason=Reason.BAD_FORMAT.value)
        )
        with self._writer.transaction("push") as tx:
            conn = tx.conn
            client = _own_client(tx, account, request)
            if envelope.id != client.last_mutation_id + 1:
                stored = client_store.stored_result(conn, request.client_id, envelope.id)
                return stored or _expired_result(envelope.id), client.last_mutation_id
            result = record(tx, account, request, envelope, decision, None, address)
            tx.stamp()
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


# Deadlock, serialization failure, lock timeout: another writer won a race for a lock.
_LOCK_RACES = frozenset({"40001", "40P01", "55P03"})


def _lost_a_lock_race(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in _LOCK_RACES


def _ordered(envelopes: list[MutationEnvelope]) -> list[MutationEnvelope]:
    """By id, each id once (a batch that repeats an id keeps the first copy)."""
    seen: dict[int, MutationEnvelope] = {}
    for envelope in envelopes:
        seen.setdefault(envelope.id, envelope)
    return [seen[i] for i in sorted(seen)]


def _own_client(tx: WriteTx, account: Account, request: PushRequest) -> client_store.ClientRow:
    """The pushing client's row, locked for the transaction; ForeignClient if it is another
    operator's."""
    client = client_store.lock_client(
        tx.conn, request.client_id, account.id, storable(request.app_version), tx.now
    )
    if client.operator_id != account.id:
        raise ForeignClient
    return client


def _expired_result(mutation_id: int) -> MutationResult:
    """A replay of an id whose stored result was pruned: it was applied long ago."""
    return MutationResult(id=mutation_id, status="applied", details={"result_expired": True})
