"""The errors the transport raises: one small hierarchy the sync engine and the UI can branch on.

Messages never contain tokens or passwords: they carry the server's `{code, message}` and a
short reason, nothing from request headers or bodies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sync.protocol import ErrorCode

MUTATION_GAP = ErrorCode.MUTATION_GAP.value


class TransportError(Exception):
    """Base of every error raised while talking to the central service."""


class Offline(TransportError):
    """The central service could not be reached, or the exchange broke off mid-way."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class RequestTimeout(Offline):
    """A connect or read timed out."""


class DeadlineExceeded(RequestTimeout):
    """The whole request took longer than its deadline and was aborted by the watchdog."""


class CertificateError(TransportError):
    """The server's TLS certificate was not trusted: a setup problem, not a flaky link."""


class ProtocolError(TransportError):
    """The answer was not what the protocol promises: bad JSON, wrong type, too large."""


class HttpError(TransportError):
    """A non-2xx answer, in the server's error shape `{code, message, details}`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}" if message else f"{status} {code}")
        self.status = status
        self.code = code
        self.message = message
        self.details: Mapping[str, Any] = dict(details or {})


class AuthExpired(HttpError):
    """401: the access token (or refresh token) is no longer accepted; sign in again."""


class InvalidCredentials(AuthExpired):
    """401 on sign-in: wrong username or password."""


class Forbidden(HttpError):
    """403: signed in, but not allowed to do this."""


class PayloadTooLarge(HttpError):
    """413: the batch is too big; split it."""


class UpgradeRequired(HttpError):
    """426: the client's schema is too old; keep the outbox and ask the operator to upgrade."""


class ServerBusy(HttpError):
    """503 or 429: try again later, after `retry_after` seconds when the server said so."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str = "",
        details: Mapping[str, Any] | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, code, message, details)
        self.retry_after = retry_after


class MutationGap(HttpError):
    """409 MUTATION_GAP: the server expects the push to start at `expected_next_id`."""

    def __init__(
        self,
        expected_next_id: int,
        message: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(409, MUTATION_GAP, message, details)
        self.expected_next_id = expected_next_id
