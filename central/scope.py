"""Who receives which case (SYNC.md, "Scopes"), as the pull feed and the pokes apply it.

The rule itself is the domain's `permissions.in_scope`; this module applies it to the few
columns the change log keeps, and fingerprints an account's scope for the cursor.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache

from operator_app.domain.model import Actor, Case, CaseType, Channel, Role
from operator_app.domain.permissions import in_scope

# Only the fields in_scope reads vary; the rest are placeholders.
_TEMPLATE = Case(
    id="",
    centre="",
    channel=Channel.PHONE,
    type=CaseType.INFORMATION,
    category="",
    subject="",
    description="",
    registered_at=datetime(2000, 1, 1, tzinfo=UTC),
    created_by="",
)


@dataclass(frozen=True, slots=True)
class ScopeKey:
    """Where a case stands for scoping: its centre, team, assignee and confidentiality."""

    centre: str
    team: str | None
    assignee: str | None
    confidential: bool

    @classmethod
    def of(cls, case: Case) -> ScopeKey:
        return cls(case.centre, case.team, case.assignee, case.confidential)


def key_in_scope(actor: Actor, key: ScopeKey | None) -> bool:
    """Whether a case standing at `key` reaches the actor (None: the case did not exist)."""
    if key is None:
        return False
    return in_scope(actor, _case_at(key))


@lru_cache(maxsize=4096)
def _case_at(key: ScopeKey) -> Case:
    # Built once per key: a change is checked against every parked poll (a few hundred per
    # process), and building a Case costs twenty times the check itself.
    return replace(
        _TEMPLATE,
        centre=key.centre,
        team=key.team,
        assignee=key.assignee,
        confidential=key.confidential,
    )


def receives_cases(actor: Actor) -> bool:
    """Admins manage the directory and receive reference data only."""
    return actor.role is not Role.ADMIN


def scope_hash(actor: Actor) -> str:
    """A fingerprint of everything the scope depends on; a change means `scope_changed`."""
    text = "|".join(
        (actor.role.value, actor.id, ",".join(sorted(actor.centres)), ",".join(sorted(actor.teams)))
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]
