"""Names of centres, teams and operators for display, from the store's directory."""

from __future__ import annotations

from dataclasses import dataclass, field

from i18n import formatting
from operator_app.store import Directory


@dataclass(frozen=True, slots=True)
class DirectoryNames:
    """Looks up display names; an unknown id is shown as it is (the directory may lag)."""

    directory: Directory = field(default_factory=Directory)
    _centres: dict[str, tuple[str, str]] = field(init=False, repr=False)
    _teams: dict[str, tuple[str, str]] = field(init=False, repr=False)
    _operators: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        d = self.directory
        object.__setattr__(self, "_centres", {c.id: (c.name_mn, c.name_en) for c in d.centres})
        object.__setattr__(self, "_teams", {t.id: (t.name_mn, t.name_en) for t in d.teams})
        object.__setattr__(
            self, "_operators", {o.id: o.display_name for o in d.operators if o.display_name}
        )

    @staticmethod
    def _pick(pair: tuple[str, str] | None, fallback: str) -> str:
        if pair is None:
            return fallback
        mn, en = pair
        text = en if formatting.current_locale() == "en" else mn
        return text or mn or en or fallback

    def centre(self, centre_id: str) -> str:
        return self._pick(self._centres.get(centre_id), centre_id)

    def team(self, team_id: str | None) -> str:
        return "" if not team_id else self._pick(self._teams.get(team_id), team_id)

    def operator(self, operator_id: str | None) -> str:
        return "" if not operator_id else self._operators.get(operator_id, operator_id)

    def centre_ids(self) -> list[str]:
        return [c.id for c in self.directory.centres]
