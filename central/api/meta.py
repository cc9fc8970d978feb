"""`/health` and `/version`."""

from __future__ import annotations

from importlib import metadata

from fastapi import APIRouter
from sqlalchemy import text

from central.api.deps import ServicesDep, errors
from central.data import meta as meta_store
from central.data.engine import read_transaction
from central.errors import ApiError
from sync.protocol import (
    MIN_SUPPORTED_SCHEMA_VERSION,
    PROTOCOL_SCHEMA_VERSION,
    ErrorCode,
    HealthResponse,
    VersionResponse,
)

router = APIRouter(tags=["service"])


def package_version() -> str:
    try:
        return metadata.version("operator-desk")
    except metadata.PackageNotFoundError:
        return "0.0.0"


@router.get(
    "/health", response_model=HealthResponse, responses=errors(503), summary="Liveness and DB"
)
def health(svc: ServicesDep) -> HealthResponse:
    try:
        with read_transaction(svc.engine) as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        raise ApiError(503, ErrorCode.SERVER_BUSY, "the database is unreachable") from exc
    return HealthResponse(status="ok", database=svc.engine.dialect.name)


@router.get("/version", response_model=VersionResponse, summary="Versions and the epoch")
def version(svc: ServicesDep) -> VersionResponse:
    with read_transaction(svc.engine) as conn:
        epoch = meta_store.get_int(conn, meta_store.EPOCH, 1)
    return VersionResponse(
        version=package_version(),
        schema_version=PROTOCOL_SCHEMA_VERSION,
        min_schema_version=MIN_SUPPORTED_SCHEMA_VERSION,
        epoch=epoch,
    )
