"""A real central service and headless desks for the supervisor desk's tests: seeded SQLite,
real HTTP on loopback, the supervisor API of a signed-in headless desk (the `desks` fixture
is in conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sync.headless import HeadlessDesk
from sync.supervisor import SupervisorApi, supervisor_api_for
from tests.central.testbed import prepare
from tests.sync.harness import Central
from ui.bridge import TaskRunner
from ui.context import DeskContext
from ui.settings import Settings


@contextmanager
def running_central(folder: Path, cases: int) -> Iterator[Central]:
    """A central service over a SQLite database seeded with `cases` in `folder`."""
    db = prepare("sqlite", f"sqlite:///{folder / 'central.db'}", cases)
    service = Central(db).start()
    try:
        yield service
    finally:
        service.stop()
        db.engine.dispose()


def supervisor_api(desk: HeadlessDesk) -> SupervisorApi:
    return supervisor_api_for(desk.client, desk.credentials)


def desk_context(desk: HeadlessDesk, runner: TaskRunner, settings: Settings) -> DeskContext:
    """The desk context of a headless desk's store and account, with its supervisor API."""
    return DeskContext(
        desk.store, runner, desk.actor, settings, supervisor_api=supervisor_api(desk)
    )
