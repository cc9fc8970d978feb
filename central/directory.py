"""The directory service: accounts, centres, teams and reference data, and the deadline rules
the mutators need, read from the database's reference data."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection

from central.data import audit, directory, sessions
from central.errors import ApiError
from central.identity import Account
from central.passwords import MIN_PASSWORD_LENGTH, Passwords
from central.poke import ChangeEvent
from central.wire import dumps
from central.writer import Writer
from operator_app.domain.deadlines import HolidayCalendar, rules_from_data
from operator_app.domain.model import Role
from operator_app.domain.mutators import Rules
from sync.protocol import ErrorCode, OpType

REFERENCE_KINDS = (
    OpType.CATEGORY.value,
    OpType.AGENCY.value,
    OpType.ADMIN_UNIT.value,
    OpType.HOLIDAY.value,
    OpType.DEADLINE_RULE.value,
)
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


def reference_key(kind: str, item: Mapping[str, Any]) -> str:
    """The key of a reference item: its code, its date, or its case type (and priority)."""
    if kind == OpType.HOLIDAY.value:
        return str(item["date"])
    if kind == OpType.DEADLINE_RULE.value:
        priority = item.get("priority")
        return str(item["case_type"]) + (f":{priority}" if priority else "")
    return str(item["code"])


@dataclass(frozen=True, slots=True)
class NewAccount:
    username: str
    display_name: str
    role: Role
    password: str
    centres: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()
    primary_team: str | None = None
    id: str | None = None


class Directory:
    def __init__(self, writer: Writer, passwords: Passwords) -> None:
        self._writer = writer
        self._passwords = passwords
        self._rules_lock = threading.Lock()
        self._rules: tuple[int, Rules] | None = None

    # ----------------------------------------------------------------------------------------
    # Rules for the mutators
    # ----------------------------------------------------------------------------------------

    def rules(self, conn: Connection) -> Rules:
        """The deadline rules and holiday calendar in force (cached until they change)."""
        version = directory.rules_version(conn)
        cached = self._rules
        if cached is not None and cached[0] == version:
            return cached[1]
        items = directory.reference_items_of(conn, directory.RULE_KINDS)
        rule_data = [json.loads(d) for k, _, d in items if k == OpType.DEADLINE_RULE.value]
        days = [date.fromisoformat(key) for k, key, _ in items if k == OpType.HOLIDAY.value]
        rules = Rules(
            rules_from_data(rule_data, str(version)), HolidayCalendar.of(days, str(version))
        )
        with self._rules_lock:
            self._rules = (version, rules)
        return rules

    # ----------------------------------------------------------------------------------------
    # Accounts
    # ----------------------------------------------------------------------------------------

    def create_account(self, new: NewAccount, by: str | None = None) -> Account:
        username = new.username.strip().lower()
        if not USERNAME_RE.fullmatch(username):
            raise _invalid("username", "bad_format")
        if len(new.password) < MIN_PASSWORD_LENGTH:
            raise _invalid("password", "too_short")
        password_hash = self._passwords.hash(new.password)
        account = Account(
            id=new.id or f"u-{username}",
            username=username,
            display_name=new.display_name.strip() or username,
            role=new.role,
            centres=new.centres,
            teams=new.teams,
            primary_team=new.primary_team,
        )
        with self._writer.transaction("directory") as tx:
            conn = tx.conn
            if directory.operator_id_for_username(conn, username) is not None:
                raise ApiError(409, ErrorCode.CONFLICT, "username taken", {"field": "username"})
            if directory.load_account(conn, account.id) is not None:
                raise ApiError(409, ErrorCode.CONFLICT, "id taken", {"field": "id"})
            self._check_memberships(conn, account)
            seq = tx.stamp()
            directory.insert_operator(conn, account, password_hash, seq, tx.now)
            audit.record(
                conn,
                audit.AuditEntry(
                    tx.now,
                    "create_account",
                    "ok",
                    actor_id=by,
                    seq=seq,
                    details={"account": account.id, "role": account.role.value},
                ),
            )
            tx.announce(ChangeEvent(seq, everyone=True))
        return account

    def update_account(
        self,
        account_id: str,
        *,
        by: str,
        display_name: str | None = None,
        role: Role | None = None,
        centres: Iterable[str] | None = None,
        teams: Iterable[str] | None = None,
        primary_team: str | None = None,
        clear_primary_team: bool = False,
        disabled: bool | None = None,
        password: str | None = None,
    ) -> Account:
        if password is not None and len(password) < MIN_PASSWORD_LENGTH:
            raise _invalid("password", "too_short")
        password_hash = self._passwords.hash(password) if password is not None else None
        with self._writer.transaction("directory") as tx:
            conn = tx.conn
            current = directory.load_account(conn, account_id)
            if current is None:
                raise ApiError(404, ErrorCode.NOT_FOUND, "no such account")
            changed = replace(
                current,
                display_name=display_name.strip() if display_name else current.display_name,
                role=role or current.role,
                centres=frozenset(centres) if centres is not None else current.centres,
                teams=frozenset(teams) if teams is not None else current.teams,
                primary_team=None if clear_primary_team else (primary_team or current.primary_team),
                disabled=current.disabled if disabled is None else disabled,
            )
            self._check_memberships(conn, changed)
            seq = tx.stamp()
            directory.update_operator(conn, changed, seq)
            if password_hash is not None:
                directory.set_password_hash(conn, account_id, password_hash)
            if changed.disabled or password_hash is not None:
                # A disabled account, or one whose password was reset, loses its sessions now.
                sessions.revoke_operator_sessions(conn, account_id, tx.now)
            audit.record(
                conn,
                audit.AuditEntry(
                    tx.now,
                    "update_account",
                    "ok",
                    actor_id=by,
                    seq=seq,
                    details={
                        "account": account_id,
                        "role": changed.role.value,
                        "disabled": changed.disabled,
                        "password_reset": password_hash is not None,
                    },
                ),
            )
            tx.announce(ChangeEvent(seq, everyone=True))
        return changed

    def _check_memberships(self, conn: Connection, account: Account) -> None:
        for code in account.centres:
            if not directory.centre_exists(conn, code):
                raise _invalid("centres", "unknown_value", code)
        for team_id in account.teams | ({account.primary_team} if account.primary_team else set()):
            team = directory.load_team(conn, team_id)
            if team is None or team.deleted:
                raise _invalid("teams", "unknown_value", team_id)
        if account.primary_team and account.primary_team not in account.teams:
            raise _invalid("primary_team", "out_of_range", account.primary_team)

    # ----------------------------------------------------------------------------------------
    # Centres, teams, reference items
    # ----------------------------------------------------------------------------------------

    def save_centre(
        self, code: str, name_mn: str, name_en: str, sample: bool, by: str | None
    ) -> None:
        with self._writer.transaction("directory") as tx:
            seq = tx.stamp()
            directory.save_centre(tx.conn, code, name_mn, name_en, sample, seq)
            self._audit(tx.conn, tx.now, "save_centre", by, seq, {"centre": code})
            tx.announce(ChangeEvent(seq, everyone=True))

    def delete_centre(self, code: str, by: str) -> None:
        with self._writer.transaction("directory") as tx:
            if not directory.centre_exists(tx.conn, code):
                raise ApiError(404, ErrorCode.NOT_FOUND, "no such centre")
            seq = tx.stamp()
            directory.delete_centre(tx.conn, code, seq)
            self._audit(tx.conn, tx.now, "delete_centre", by, seq, {"centre": code})
            tx.announce(ChangeEvent(seq, everyone=True))

    def save_team(self, team: directory.TeamRow, by: str | None) -> None:
        with self._writer.transaction("directory") as tx:
            if not directory.centre_exists(tx.conn, team.centre):
                raise _invalid("centre", "unknown_value", team.centre)
            seq = tx.stamp()
            directory.save_team(tx.conn, team, seq)
            self._audit(tx.conn, tx.now, "save_team", by, seq, {"team": team.id})
            tx.announce(ChangeEvent(seq, everyone=True))

    def delete_team(self, team_id: str, by: str) -> None:
        with self._writer.transaction("directory") as tx:
            team = directory.load_team(tx.conn, team_id)
            if team is None or team.deleted:
                raise ApiError(404, ErrorCode.NOT_FOUND, "no such team")
            seq = tx.stamp()
            directory.save_team(tx.conn, replace(team, deleted=True), seq)
            self._audit(tx.conn, tx.now, "delete_team", by, seq, {"team": team_id})
            tx.announce(ChangeEvent(seq, everyone=True))

    def save_reference_item(self, kind: str, item: Mapping[str, Any], by: str | None) -> str:
        key = reference_key(kind, item)
        with self._writer.transaction("reference") as tx:
            seq = tx.stamp()
            directory.save_reference_item(tx.conn, kind, key, dumps(dict(item)), seq)
            self._audit(tx.conn, tx.now, "save_reference", by, seq, {"kind": kind, "key": key})
            tx.announce(ChangeEvent(seq, everyone=True))
        return key

    def delete_reference_item(self, kind: str, key: str, by: str) -> None:
        with self._writer.transaction("reference") as tx:
            if directory.reference_item(tx.conn, kind, key) is None:
                raise ApiError(404, ErrorCode.NOT_FOUND, "no such item")
            seq = tx.stamp()
            directory.delete_reference_item(tx.conn, kind, key, seq)
            self._audit(tx.conn, tx.now, "delete_reference", by, seq, {"kind": kind, "key": key})
            tx.announce(ChangeEvent(seq, everyone=True))

    @staticmethod
    def _audit(
        conn: Connection, now: Any, action: str, by: str | None, seq: int, details: dict[str, Any]
    ) -> None:
        audit.record(
            conn, audit.AuditEntry(now, action, "ok", actor_id=by, seq=seq, details=details)
        )


def _invalid(field: str, reason: str, value: str = "") -> ApiError:
    return ApiError(
        422,
        ErrorCode.INVALID,
        f"{field}: {reason}",
        {"field": field, "reason": reason, "value": value[:100]},
    )
