"""The signed-in account: who is calling, with the role, centres and teams the scopes use."""

from __future__ import annotations

from dataclasses import dataclass

from operator_app.domain.model import Actor, Role
from sync.protocol import OperatorInfo


@dataclass(frozen=True, slots=True)
class Account:
    """An operator, supervisor, admin or auditor as the directory holds them."""

    id: str
    username: str
    display_name: str
    role: Role
    centres: frozenset[str]
    teams: frozenset[str]
    primary_team: str | None = None
    availability: str = "available"
    disabled: bool = False
    session_id: str = ""

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.role, self.centres, self.teams, self.primary_team)

    def info(self) -> OperatorInfo:
        return OperatorInfo(
            id=self.id,
            username=self.username,
            display_name=self.display_name,
            role=self.role.value,
            centres=sorted(self.centres),
            teams=sorted(self.teams),
            primary_team=self.primary_team,
        )
