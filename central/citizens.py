"""Citizen lookup behind a small adapter: the demo serves a generated sample registry."""

from __future__ import annotations

import threading
from typing import Protocol

from central.settings import RegistryKind, Settings
from sync.protocol import CitizenRecord


class CitizenRegistry(Protocol):
    """The central registry of citizens, as the call centre may query it. Inputs are already
    in normal form (`+976XXXXXXXX`, `УБ99112233`)."""

    def by_phone(self, phone: str) -> list[CitizenRecord]: ...

    def by_reg_no(self, reg_no: str) -> list[CitizenRecord]: ...

    def get(self, citizen_id: str) -> CitizenRecord | None: ...


class NoRegistry:
    """No registry connected: every lookup finds nobody."""

    def by_phone(self, phone: str) -> list[CitizenRecord]:
        return []

    def by_reg_no(self, reg_no: str) -> list[CitizenRecord]:
        return []

    def get(self, citizen_id: str) -> CitizenRecord | None:
        return None


class DemoRegistry:
    """The generated citizens of `operator_app.synthetic`, built on first use (about a second
    for the default size) and indexed by phone, registration number and id."""

    def __init__(self, size: int, seed: int) -> None:
        self._size = size
        self._seed = seed
        self._lock = threading.Lock()
        self._built: (
            tuple[
                dict[str, list[CitizenRecord]],
                dict[str, list[CitizenRecord]],
                dict[str, CitizenRecord],
            ]
            | None
        ) = None

    def records(self) -> list[CitizenRecord]:
        return list(self._indexes()[2].values())

    def _indexes(
        self,
    ) -> tuple[
        dict[str, list[CitizenRecord]], dict[str, list[CitizenRecord]], dict[str, CitizenRecord]
    ]:
        with self._lock:
            if self._built is None:
                from operator_app.synthetic import citizens

                by_phone: dict[str, list[CitizenRecord]] = {}
                by_reg: dict[str, list[CitizenRecord]] = {}
                by_id: dict[str, CitizenRecord] = {}
                for person in citizens(self._size, self._seed):
                    record = CitizenRecord(
                        id=person.id,
                        name=person.name,
                        reg_no=person.reg_no,
                        phone=person.phone,
                        address=person.address,
                        location=person.location,
                    )
                    by_phone.setdefault(person.phone, []).append(record)
                    by_reg.setdefault(person.reg_no, []).append(record)
                    by_id[person.id] = record
                self._built = (by_phone, by_reg, by_id)
            return self._built

    def by_phone(self, phone: str) -> list[CitizenRecord]:
        return list(self._indexes()[0].get(phone, ()))

    def by_reg_no(self, reg_no: str) -> list[CitizenRecord]:
        return list(self._indexes()[1].get(reg_no, ()))

    def get(self, citizen_id: str) -> CitizenRecord | None:
        return self._indexes()[2].get(citizen_id)


def registry_for(settings: Settings) -> CitizenRegistry:
    if settings.citizen_registry is RegistryKind.DEMO:
        return DemoRegistry(settings.demo_registry_size, settings.demo_registry_seed)
    return NoRegistry()
