"""Citizen lookup behind a small adapter: the demo serves a generated sample registry."""

from __future__ import annotations

import threading
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class _Index:
    by_phone: dict[str, list[CitizenRecord]]
    by_reg_no: dict[str, list[CitizenRecord]]
    by_id: dict[str, CitizenRecord]


class DemoRegistry:
    """The generated citizens of `operator_app.synthetic` (the people `seed-demo` puts in the
    demo cases), built on first use (about a second for the default size)."""

    def __init__(self, size: int, seed: int) -> None:
        self._size = size
        self._seed = seed
        self._lock = threading.Lock()
        self._index: _Index | None = None

    def records(self) -> list[CitizenRecord]:
        return list(self._built().by_id.values())

    def _built(self) -> _Index:
        with self._lock:
            if self._index is None:
                from operator_app.synthetic import citizens

                index = _Index({}, {}, {})
                for person in citizens(self._size, self._seed):
                    record = CitizenRecord(
                        id=person.id,
                        name=person.name,
                        reg_no=person.reg_no,
                        phone=person.phone,
                        address=person.address,
                        location=person.location,
                    )
                    index.by_phone.setdefault(person.phone, []).append(record)
                    index.by_reg_no.setdefault(person.reg_no, []).append(record)
                    index.by_id[person.id] = record
                self._index = index
            return self._index

    def by_phone(self, phone: str) -> list[CitizenRecord]:
        return list(self._built().by_phone.get(phone, ()))

    def by_reg_no(self, reg_no: str) -> list[CitizenRecord]:
        return list(self._built().by_reg_no.get(reg_no, ()))

    def get(self, citizen_id: str) -> CitizenRecord | None:
        return self._built().by_id.get(citizen_id)


def registry_for(settings: Settings) -> CitizenRegistry:
    if settings.citizen_registry is RegistryKind.DEMO:
        return DemoRegistry(settings.demo_registry_size, settings.demo_registry_seed)
    return NoRegistry()
