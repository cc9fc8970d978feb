"""Availability: operators and supervisors say whether they take cases; supervisors and
auditors read it per centre. A change is stamped, so desks receive it with the directory.
An operator who becomes available gets the cases waiting for them in their auto-assigning
teams' queues (the backlog pass of `central.assignment`), in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from central.assignment import hand_out_for
from central.data import availability as availability_store
from central.data import directory as directory_store
from central.data.engine import read_transaction
from central.errors import ApiError, not_found
from central.identity import Account
from central.poke import ChangeEvent
from central.writer import Writer
from operator_app.domain.assignment import Availability, Trigger
from operator_app.domain.model import Role
from sync.protocol import ErrorCode


@dataclass(frozen=True, slots=True)
class AvailabilityNow:
    availability: Availability | str
    since: datetime


class AvailabilityService:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    def get(self, account: Account) -> AvailabilityNow:
        with read_transaction(self._writer.engine) as conn:
            found = availability_store.current(conn, account.id)
        if found is None:
            raise not_found("no such account")
        return AvailabilityNow(*found)

    def set(self, account: Account, availability: Availability) -> AvailabilityNow:
        """Set it; `since` moves only when the value changes."""
        with self._writer.transaction("directory") as tx:
            found = availability_store.current(tx.conn, account.id)
            if found is None:
                raise not_found("no such account")
            if found[0] == availability.value:
                return AvailabilityNow(availability, found[1])
            if availability is Availability.AVAILABLE and account.role is Role.OPERATOR:
                # Before the stamp (the cases it gives are stamped with it); the operator's
                # own row after it, as every directory write does (see central.assignment).
                hand_out_for(tx, account.id, Trigger.AVAILABILITY)
            seq = tx.stamp()
            availability_store.set_availability(
                tx.conn, account.id, availability.value, tx.now, seq
            )
            tx.announce(ChangeEvent(seq, everyone=True))
            return AvailabilityNow(availability, tx.now)

    def of_centre(self, centre: str) -> list[availability_store.AvailabilityRow]:
        with read_transaction(self._writer.engine) as conn:
            if not directory_store.centre_exists(conn, centre):
                raise ApiError(404, ErrorCode.NOT_FOUND, "no such centre", {"centre": centre})
            return availability_store.of_centre(conn, centre)
