"""The FastAPI application, built by a factory from settings."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import FrameType
from typing import Any

from anyio import CapacityLimiter, to_thread
from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from central.api import admin, audit, auth, cases, citizens, meta, supervisor, sync
from central.api.deps import Services
from central.api.meta import package_version
from central.auth import AuthService
from central.citizens import CitizenRegistry, registry_for
from central.data.engine import create_database_engine, is_postgresql
from central.data.meta import cursor_secret
from central.data.stamping import Sequencer
from central.directory import Directory
from central.errors import BodyLimitMiddleware, document_common_errors, install_error_handlers
from central.migrate import head_revision, is_current, upgrade
from central.passwords import Passwords
from central.poke import ChangeNotifier, PgListener, PokeHub
from central.prefetch import PagePrefetch
from central.retention import RetentionTask
from central.seed import seed_reference_data
from central.settings import Settings
from central.sync_pull import PullService
from central.sync_push import PushService
from central.writer import Writer
from sync.protocol import API_PREFIX

log = logging.getLogger(__name__)


class SchemaNotCurrent(RuntimeError):
    """The database is not at the code's schema revision: run `central migrate`."""


def build_services(settings: Settings, registry: CitizenRegistry | None = None) -> Services:
    """Connect to the database (migrating it if the settings say so) and wire the services."""
    engine = create_database_engine(settings.database_url, pool_size=settings.pool_size)
    if settings.auto_migrate:
        upgrade(engine)
        seed_reference_data(engine)
    elif not is_current(engine):
        engine.dispose()
        raise SchemaNotCurrent(
            f"the database schema is not at revision {head_revision()}: run `central migrate`"
        )
    hub = PokeHub()
    sequencer = Sequencer(engine, settings.sequence_mode)
    writer = Writer(engine, sequencer, ChangeNotifier(hub, is_postgresql(engine)))
    passwords = Passwords(settings)
    registry = registry if registry is not None else registry_for(settings)
    directory = Directory(writer, passwords)
    return Services(
        settings=settings,
        engine=engine,
        sequencer=sequencer,
        writer=writer,
        auth=AuthService(engine, settings, passwords),
        directory=directory,
        push=PushService(writer, settings, directory, registry),
        pull=PullService(
            engine,
            sequencer,
            cursor_secret(engine, settings.secret_key),
            PagePrefetch(),
            gzip_level=settings.gzip_level,
        ),
        hub=hub,
        registry=registry,
    )


def _wake_long_polls_on_exit(hub: PokeHub) -> None:
    """Answer parked long polls as soon as SIGINT/SIGTERM arrives. uvicorn waits for open
    requests before it runs the lifespan's shutdown, and a poll may park for 25 s."""
    if threading.current_thread() is not threading.main_thread():
        return  # embedded in a thread: ServerHandle.stop() closes the hub itself
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(signum)

        def on_exit(number: int, frame: FrameType | None, previous: Any = previous) -> None:
            hub.close()
            if callable(previous):
                previous(number, frame)

        signal.signal(signum, on_exit)


def create_app(settings: Settings, *, services: Services | None = None) -> FastAPI:
    """The central service's app. Pass `services` to share them (tests, embedding)."""
    svc = services or build_services(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        listener = PgListener(settings.database_url, svc.hub) if is_postgresql(svc.engine) else None
        retention = RetentionTask(
            svc.engine, settings.change_retention_days, settings.retention_interval_s
        )
        to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        _app.state.push_limiter = CapacityLimiter(settings.push_threads)
        if listener is not None:
            await to_thread.run_sync(listener.start)  # waits (bounded) for LISTEN
        retention.start()
        _wake_long_polls_on_exit(svc.hub)
        try:
            yield
        finally:
            svc.hub.close()
            svc.pull.close()
            retention.stop()
            if listener is not None:
                listener.stop()
            if services is None:
                svc.engine.dispose()

    app = FastAPI(
        title="Operator desk central service",
        version=package_version(),
        description="Authentication, directory, citizen lookup and the sync endpoints of the "
        "operator desk (see SYNC.md). Errors always have the shape {code, message, details}.",
        lifespan=lifespan,
        # No OpenTelemetry wrappers: without a configured exporter they only cost time.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.services = svc
    install_error_handlers(app)
    for module in (meta, auth, sync, cases, citizens, admin, audit, supervisor):
        app.include_router(module.router, prefix=API_PREFIX)
    document_common_errors(app)
    # Outermost last: refuse oversized bodies first, compress what goes out (pulled pages
    # come compressed already, see sync_pull; the middleware leaves them alone).
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=settings.gzip_level)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    return app


def create_app_from_env() -> FastAPI:
    """The factory uvicorn's worker processes call (`central serve --workers N`)."""
    return create_app(Settings.from_env())
