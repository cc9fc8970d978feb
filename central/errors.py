"""One error shape everywhere, `{code, message, details}`, and hostile input kept to 4xx."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.protocol import MAX_PUSH_MUTATIONS, ErrorBody, ErrorCode

log = logging.getLogger(__name__)

# An oversized body is read and dropped up to this size before the 413 goes out.
_DRAIN_LIMIT = 16 * 1024 * 1024

_STATUS_CODES: dict[int, ErrorCode] = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    422: ErrorCode.INVALID,
    426: ErrorCode.UPGRADE_REQUIRED,
    503: ErrorCode.SERVER_BUSY,
}


class ApiError(Exception):
    """An expected refusal: becomes the error body with its status and headers."""

    def __init__(
        self,
        status: int,
        code: ErrorCode | str,
        message: str,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = str(code)
        self.message = message
        self.details = dict(details or {})
        self.headers = dict(headers or {})


def forbidden(message: str = "not allowed", **details: Any) -> ApiError:
    return ApiError(403, ErrorCode.FORBIDDEN, message, details)


def not_found(message: str = "not found", **details: Any) -> ApiError:
    return ApiError(404, ErrorCode.NOT_FOUND, message, details)


def busy(retry_after_s: int = 1, message: str = "try again shortly") -> ApiError:
    return ApiError(
        503, ErrorCode.SERVER_BUSY, message, {}, {"Retry-After": str(max(1, retry_after_s))}
    )


def error_response(
    status: int,
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(code=code, message=message, details=dict(details or {}))
    return JSONResponse(body.model_dump(), status_code=status, headers=dict(headers or {}))


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """The errors without the offending input (which may be huge or hostile)."""
    out = []
    for error in exc.errors()[:20]:
        out.append(
            {
                "loc": [str(part)[:100] for part in error.get("loc", ())][:10],
                "type": str(error.get("type", ""))[:100],
                "msg": str(error.get("msg", ""))[:300],
            }
        )
    return out


def _too_many_mutations(errors: list[dict[str, Any]]) -> bool:
    return any(e["type"] == "too_long" and e["loc"][-1:] == ["mutations"] for e in errors)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        if _too_many_mutations(errors):
            return error_response(
                413,
                ErrorCode.PAYLOAD_TOO_LARGE,
                "too many mutations in one push: split the batch",
                {"max_mutations": MAX_PUSH_MUTATIONS},
            )
        if any(e["type"] in ("json_invalid", "json_type") for e in errors):
            return error_response(400, ErrorCode.BAD_REQUEST, "the body is not valid JSON")
        return error_response(422, ErrorCode.INVALID, "invalid request", {"errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, ErrorCode.BAD_REQUEST)
        if exc.status_code >= 500:
            code = ErrorCode.SERVER_ERROR
        message = exc.detail if isinstance(exc.detail, str) else code.value.lower()
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request, headers.get("Allow", ""))
        return error_response(exc.status_code, code, message[:300], headers=headers)

    @app.exception_handler(DataError)
    async def _unstorable(_request: Request, _exc: DataError) -> JSONResponse:
        # PostgreSQL refused a value (a NUL character, an out-of-range number): bad input.
        return error_response(422, ErrorCode.INVALID, "a value cannot be stored")

    @app.exception_handler(UnicodeEncodeError)
    async def _unencodable(_request: Request, _exc: UnicodeEncodeError) -> JSONResponse:
        return error_response(422, ErrorCode.INVALID, "text with unpaired surrogates")

    @app.exception_handler(RecursionError)
    async def _too_deep(_request: Request, _exc: RecursionError) -> JSONResponse:
        return error_response(400, ErrorCode.BAD_REQUEST, "the body is nested too deeply")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, ErrorCode.SERVER_ERROR, "internal error")


def _allowed_methods(request: Request, fallback: str) -> str:
    """Every method the path answers to, as the OpenAPI document lists them. Starlette's 405
    names only the first route that matched the path, and GET and PUT of one path are two
    routes here."""
    path = request.scope.get("path", "")
    methods = {
        method.upper()
        for template, item in request.app.openapi().get("paths", {}).items()
        if _path_pattern(template).fullmatch(path)
        for method in item
        if method in _HTTP_METHODS
    }
    return ", ".join(sorted(methods)) if methods else fallback


_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@functools.lru_cache(maxsize=256)
def _path_pattern(template: str) -> re.Pattern[str]:
    """`/teams/{team_id}/assignment` as a pattern: a parameter is one non-empty segment."""
    parts = re.split(r"(\{[^}/]+\})", template)
    return re.compile(
        "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    )


def document_common_errors(app: FastAPI) -> None:
    """The OpenAPI document also names the refusals that any body can get, whatever the
    operation: 400 (not JSON, nested too deeply) and 413 (too large) come from the handlers and
    the middleware above, not from the operations' own declarations."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        for item in document.get("paths", {}).values():
            for operation in item.values():
                if not isinstance(operation, dict) or "requestBody" not in operation:
                    continue
                responses = operation.setdefault("responses", {})
                for status, description in _BODY_ERRORS.items():
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ErrorBody"}
                                }
                            },
                        },
                    )
        return document

    app.openapi = openapi  # type: ignore[method-assign]


_BODY_ERRORS = {"400": "Bad Request", "413": "Content Too Large", "422": "Unprocessable Content"}


class BodyLimitMiddleware:
    """Refuses bodies over the limit with 413 before the app reads them (pure ASGI)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._drain(receive)
            await self._refuse(send)
            return
        if declared is not None or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            # A declared length within the limit: the server reads no more than that.
            await self.app(scope, receive, send)
            return
        # Chunked or declared-size bodies: read up to the limit, then replay to the app.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            more = message.get("more_body", False)
            if size > self.max_bytes:
                if more:
                    await self._drain(receive)
                await self._refuse(send)
                return
            chunks.append(body)
            if not more:
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _drain(receive: Receive) -> None:
        """Read (and drop) the rest of the body, so the client gets to read the 413 instead of
        a reset connection; a body past _DRAIN_LIMIT is cut off."""
        drained = 0
        while drained <= _DRAIN_LIMIT:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            drained += len(message.get("body", b""))
            if not message.get("more_body", False):
                return

    async def _refuse(self, send: Send) -> None:
        response = error_response(
            413,
            ErrorCode.PAYLOAD_TOO_LARGE,
            "the request body is too large: split the batch",
            {"max_bytes": self.max_bytes},
            {"Connection": "close"},
        )
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": response.raw_headers,
            }
        )
        await send({"type": "http.response.body", "body": response.body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
