"""What a failed sync means: a stable code for the UI, the state to show, whether to retry.

Network trouble and server-side errors are retried with backoff; a refused sign-in or a
required upgrade pauses automatic syncs until the operator acts; a malformed or hostile answer
is a sync error, retried slowly (a mangling link heals; a bad server does not get hammered).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from operator_app.store import StoreClosedError
from sync.backoff import is_retryable
from sync.errors import (
    AuthExpired,
    CertificateError,
    Forbidden,
    HttpError,
    Offline,
    ProtocolError,
    ServerBusy,
    UpgradeRequired,
)
from sync.pull import PageNotApplied
from sync.push import UnrecoverableGap
from sync.status import SyncProblem, SyncState


class ProblemCode(StrEnum):
    """The stable codes of `SyncStatus.last_error` (the UI words them)."""

    OFFLINE = "offline"
    CERTIFICATE = "certificate"
    SERVER_BUSY = "server_busy"
    SERVER_ERROR = "server_error"
    UNAUTHENTICATED = "unauthenticated"
    UPGRADE_REQUIRED = "upgrade_required"
    FORBIDDEN = "forbidden"
    PROTOCOL = "protocol"  # the server's answer was malformed or impossible
    PAGE_NOT_APPLIED = "page_not_applied"
    MUTATION_GAP = "mutation_gap"  # the server lost mutations this desk no longer has
    PAYLOAD_TOO_LARGE = "payload_too_large"
    REQUEST_REFUSED = "request_refused"  # another 4xx
    STORE_CLOSED = "store_closed"
    INTERNAL = "internal"  # a bug in the desk: logged with its traceback


@dataclass(frozen=True)
class Failure:
    state: SyncState
    problem: SyncProblem
    retry: bool
    retry_after: float | None = None
    pause: bool = False


def classify(exc: BaseException) -> Failure:
    """What a failure means for the operator and for the next attempt."""
    text = str(exc)[:300]

    def problem(code: ProblemCode) -> SyncProblem:
        return SyncProblem(code.value, text)

    match exc:
        case CertificateError():
            return Failure(SyncState.OFFLINE, problem(ProblemCode.CERTIFICATE), retry=False)
        case Offline():
            return Failure(SyncState.OFFLINE, problem(ProblemCode.OFFLINE), retry=True)
        case UpgradeRequired():
            return Failure(
                SyncState.UPGRADE_REQUIRED,
                problem(ProblemCode.UPGRADE_REQUIRED),
                retry=False,
                pause=True,
            )
        case AuthExpired():
            return Failure(
                SyncState.UNAUTHENTICATED,
                problem(ProblemCode.UNAUTHENTICATED),
                retry=False,
                pause=True,
            )
        case Forbidden():
            return Failure(SyncState.ONLINE, problem(ProblemCode.FORBIDDEN), retry=False)
        case ServerBusy():
            return Failure(
                SyncState.ONLINE,
                problem(ProblemCode.SERVER_BUSY),
                retry=True,
                retry_after=exc.retry_after,
            )
        case HttpError() if exc.status == 413:
            return Failure(SyncState.ONLINE, problem(ProblemCode.PAYLOAD_TOO_LARGE), retry=False)
        case HttpError():
            code = ProblemCode.SERVER_ERROR if exc.status >= 500 else ProblemCode.REQUEST_REFUSED
            return Failure(SyncState.ONLINE, problem(code), retry=is_retryable(exc))
        case ProtocolError():
            # Perhaps a link that mangles answers, perhaps a bad server: try again, slowly.
            return Failure(SyncState.ONLINE, problem(ProblemCode.PROTOCOL), retry=True)
        case PageNotApplied():
            return Failure(SyncState.ONLINE, problem(ProblemCode.PAGE_NOT_APPLIED), retry=True)
        case UnrecoverableGap():
            return Failure(SyncState.ONLINE, problem(ProblemCode.MUTATION_GAP), retry=False)
        case StoreClosedError():
            return Failure(SyncState.OFFLINE, problem(ProblemCode.STORE_CLOSED), retry=False)
    return Failure(SyncState.ONLINE, problem(ProblemCode.INTERNAL), retry=True)
