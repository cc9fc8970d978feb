"""Password hashing with argon2id. Passwords are never logged, stored or echoed."""

from __future__ import annotations

from functools import cached_property

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from central.settings import Settings

MIN_PASSWORD_LENGTH = 4  # the demo's accounts use "demo"; real deployments set their own rule


class Passwords:
    """Hashes and checks passwords with the cost the settings give."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    @cached_property
    def _dummy(self) -> str:
        return self._hasher.hash("not a password of anyone")

    def burn(self, password: str) -> None:
        """Spend the time of a verification, so an unknown username answers as slowly."""
        self.verify(self._dummy, password)
