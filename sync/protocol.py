"""The wire protocol between the desk's sync engine and the central service (see SYNC.md).

Both sides import these models: the central service validates requests with them and documents
its endpoints with them; the sync engine builds requests and reads responses with them. Paths and
field names are the contract: add fields, never rename them. Requests forbid unknown fields (a
typo must fail loudly); responses ignore them (an older desk keeps working against a newer server).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter

PROTOCOL_SCHEMA_VERSION = 1
# Desks older than this get `426 UPGRADE_REQUIRED` on push and pull; they keep their outbox.
MIN_SUPPORTED_SCHEMA_VERSION = 1

API_PREFIX = "/api/v1"
MAX_PUSH_MUTATIONS = 100
MAX_PUSH_BYTES = 256 * 1024
MAX_PULL_LIMIT = 1000
DEFAULT_PULL_LIMIT = 500
MAX_POKE_TIMEOUT_S = 60
DEFAULT_POKE_TIMEOUT_S = 25
# Mutation ids are stored as 64-bit integers; keep well inside them.
MAX_MUTATION_ID = 2**62


class ErrorCode(StrEnum):
    """Stable codes of the error body `{code, message, details}`; the desk keys messages on them."""

    BAD_REQUEST = "BAD_REQUEST"
    INVALID = "INVALID"  # a request that does not match its schema (422)
    UNAUTHORIZED = "UNAUTHORIZED"  # no token, or an unknown, revoked or expired one
    TOKEN_EXPIRED = "TOKEN_EXPIRED"  # the access token expired: refresh and retry
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"  # login slowed down: retry after Retry-After
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"  # login locked for a while: retry after Retry-After
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    CONFLICT = "CONFLICT"
    MUTATION_GAP = "MUTATION_GAP"  # 409, details {expected_next_id}
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"  # 413: split the batch
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    UPGRADE_REQUIRED = "UPGRADE_REQUIRED"  # 426: the desk's schema is too old
    UNSUPPORTED_SCHEMA = "UNSUPPORTED_SCHEMA"  # the desk's schema is newer than the server's
    SERVER_BUSY = "SERVER_BUSY"  # 503 with Retry-After: nothing was recorded, retry
    SERVER_ERROR = "SERVER_ERROR"


class ResetReason(StrEnum):
    """Why a pull answered `{reset: {reason}}` instead of a page (SYNC.md, "Resets")."""

    EPOCH_CHANGED = "epoch_changed"  # the server database was restored and the epoch bumped
    CURSOR_FROM_FUTURE = "cursor_from_future"  # the cursor points into history the server lacks
    CURSOR_EXPIRED = "cursor_expired"  # older than the retained change log
    SCOPE_CHANGED = "scope_changed"  # the operator's role, centres or teams changed
    CURSOR_INVALID = "cursor_invalid"  # not a cursor this server signed (e.g. a new secret)
    SCHEMA_CHANGED = "schema_changed"  # the cursor was issued for another schema version


class OpType(StrEnum):
    """The record types a pull carries. A desk ignores types it does not know."""

    CASE = "case"
    NOTE = "note"
    CALL = "call"
    CONFLICT = "conflict"
    TIMELINE = "timeline"
    CITIZEN = "citizen"
    CENTRE = "centre"
    TEAM = "team"
    OPERATOR = "operator"
    CATEGORY = "category"
    AGENCY = "agency"
    ADMIN_UNIT = "admin_unit"
    HOLIDAY = "holiday"
    DEADLINE_RULE = "deadline_rule"


CASE_CHILD_TYPES = frozenset({OpType.NOTE, OpType.CALL, OpType.CONFLICT, OpType.TIMELINE})
REFERENCE_TYPES = frozenset(
    {
        OpType.CENTRE,
        OpType.TEAM,
        OpType.OPERATOR,
        OpType.CATEGORY,
        OpType.AGENCY,
        OpType.ADMIN_UNIT,
        OpType.HOLIDAY,
        OpType.DEADLINE_RULE,
    }
)

MutationStatus = Literal["applied", "rejected", "conflict"]

ClientId = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")
]
ShortText = Annotated[str, StringConstraints(max_length=100)]
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=4096)]
SchemaVersion = Annotated[int, Field(ge=0, le=1_000_000)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class ErrorBody(_Response):
    """The one error shape of every endpoint."""

    code: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Authentication
# --------------------------------------------------------------------------------------------


class LoginRequest(_Request):
    username: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    device_name: ShortText = ""


class RefreshRequest(_Request):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class LogoutRequest(_Request):
    """Revokes the session of the bearer token and, if given, of this refresh token."""

    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None


class OperatorInfo(_Response):
    id: str
    username: str
    display_name: str
    role: str
    centres: list[str]
    teams: list[str]
    primary_team: str | None = None


class TokenResponse(_Response):
    access_token: str
    refresh_token: str
    expires_in: int  # seconds the access token lives
    operator: OperatorInfo
    token_type: str = "bearer"
    refresh_expires_in: int | None = None


# --------------------------------------------------------------------------------------------
# Push
# --------------------------------------------------------------------------------------------


class MutationEnvelope(_Request):
    """One mutation as the desk's outbox holds it; `id` counts 1, 2, 3 ... per client."""

    id: Annotated[int, Field(ge=1, le=MAX_MUTATION_ID)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    v: Annotated[int, Field(ge=1, le=1000)] = 1
    args: dict[str, Any]
    client_time: Annotated[str, StringConstraints(max_length=64)]


class PushRequest(_Request):
    client_id: ClientId
    schema_version: SchemaVersion
    app_version: ShortText
    mutations: Annotated[list[MutationEnvelope], Field(max_length=MAX_PUSH_MUTATIONS)]


class MutationResult(_Response):
    id: int
    status: MutationStatus
    code: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class PushResponse(_Response):
    last_mutation_id: int
    results: list[MutationResult]
    server_time: str


# --------------------------------------------------------------------------------------------
# Pull and poke
# --------------------------------------------------------------------------------------------


class PullRequest(_Request):
    client_id: ClientId
    cursor: Cursor | None = None
    schema_version: SchemaVersion
    limit: Annotated[int, Field(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT


class PutOp(_Response):
    """Insert or replace a record; apply it only if `version` is newer than the stored one."""

    op: Literal["put"] = "put"
    type: str
    id: str
    version: int
    data: dict[str, Any]


class RemoveOp(_Response):
    """Drop a record; for a case (reason `scope`), drop its notes, calls, timeline and conflicts."""

    op: Literal["remove"] = "remove"
    type: str
    id: str
    reason: str


Op = Annotated[PutOp | RemoveOp, Field(discriminator="op")]


class PullResponse(_Response):
    cursor: str
    has_more: bool
    last_mutation_id: int
    server_time: str
    ops: list[Op]
    mutation_results: list[MutationResult] = Field(default_factory=list)


class ResetInfo(_Response):
    reason: str
    details: dict[str, Any] = Field(default_factory=dict)


class ResetResponse(_Response):
    reset: ResetInfo


class PokeResponse(_Response):
    """`changed`: something in the caller's scope changed after the cursor; pull now."""

    changed: bool
    server_time: str


_PULL_ANSWER: TypeAdapter[PullResponse | ResetResponse] = TypeAdapter(PullResponse | ResetResponse)


def parse_pull_answer(data: object) -> PullResponse | ResetResponse:
    """Read a pull response body (already JSON-decoded): a page or a reset."""
    if isinstance(data, dict) and "reset" in data:
        return ResetResponse.model_validate(data)
    return _PULL_ANSWER.validate_python(data)


# --------------------------------------------------------------------------------------------
# Citizens and service information
# --------------------------------------------------------------------------------------------


class CitizenRecord(_Response):
    id: str
    name: str
    reg_no: str | None = None
    phone: str | None = None
    address: str = ""
    location: str | None = None


class CitizenLookupResponse(_Response):
    citizens: list[CitizenRecord]


class HealthResponse(_Response):
    status: str
    database: str


class VersionResponse(_Response):
    version: str
    schema_version: int
    min_schema_version: int
    epoch: int
