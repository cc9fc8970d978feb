"""What a desk window needs to work: the store, the task runner, who is signed in, settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from operator_app.domain.model import Actor
from operator_app.store import Store
from sync.status import StatusBoard
from sync.supervisor import SupervisorApi
from ui.bridge import TaskRunner
from ui.settings import Settings

# The central citizen registry, asked "when online" for a phone or registration number; it
# runs on the query pool and returns plain records (name, reg_no, phone, address). A later
# step wires it to the sync client; until then the call flow uses the local cache alone.
RegistryLookup = Callable[[str], list[Mapping[str, Any]]]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class DeskContext:
    """Everything the desk's windows share; built once by the app (or a test)."""

    store: Store
    runner: TaskRunner
    actor: Actor
    settings: Settings
    status_board: StatusBoard | None = None
    display_name: str = ""
    lookup_registry: RegistryLookup | None = None
    clock: Callable[[], datetime] = field(default=system_clock)
    # Availability and team auto-assignment on the central service (None: not connected).
    supervisor_api: SupervisorApi | None = None

    @property
    def home_centre(self) -> str:
        """The centre new cases are logged in by default."""
        return min(self.actor.centres) if self.actor.centres else ""
