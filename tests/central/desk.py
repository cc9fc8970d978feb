"""A minimal fake desk for the central tests: signs in, numbers its mutations, pushes, pulls,
and keeps what it pulled the way a desk must (puts guarded by version, removes cascade)."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

from sync.protocol import API_PREFIX, PROTOCOL_SCHEMA_VERSION

CLIENT_TIME = "2026-03-01T10:00:00+08:00"
_CHILD_TYPES = ("note", "call", "timeline", "conflict")


def new_id() -> str:
    return str(uuid.uuid4())


def create_case(
    case_id: str | None = None, centre: str = "c1111", **changes: Any
) -> tuple[str, dict[str, Any]]:
    args: dict[str, Any] = {
        "case_id": case_id or new_id(),
        "centre": centre,
        "channel": "phone",
        "type": "complaint",
        "category": "health",
        "subject": "Эмнэлэгт дугаар авч чадахгүй байна",
        "description": "Иргэн утсаар хандав.",
    }
    args.update(changes)
    return "create_case", args


def add_note(
    case_id: str, body: str = "Иргэнтэй холбогдлоо.", **changes: Any
) -> tuple[str, dict[str, Any]]:
    return "add_note", {"note_id": new_id(), "case_id": case_id, "body": body, **changes}


@dataclass
class Store:
    """What a desk holds after applying pulled ops."""

    records: dict[tuple[str, str], tuple[int, dict[str, Any]]] = field(default_factory=dict)

    def apply(self, op: dict[str, Any]) -> None:
        key = (op["type"], op["id"])
        if op["op"] == "put":
            held = self.records.get(key)
            if held is None or held[0] <= op["version"]:
                self.records[key] = (op["version"], op["data"])
            return
        self.records.pop(key, None)
        if op["type"] == "case":
            for kind, rid in [k for k in self.records if k[0] in _CHILD_TYPES]:
                if self.records[(kind, rid)][1].get("case_id") == op["id"]:
                    del self.records[(kind, rid)]

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {rid: data for (t, rid), (_, data) in self.records.items() if t == kind}


class Desk:
    def __init__(self, base_url: str, username: str, password: str = "demo") -> None:
        self.base = base_url.rstrip("/") + API_PREFIX
        self.http = requests.Session()
        self.client_id = f"desk-{username}-{uuid.uuid4().hex[:8]}"
        self.username = username
        self._ids = itertools.count(1)
        self.cursor: str | None = None
        self.store = Store()
        self.last_mutation_id = 0
        self.results: dict[int, dict[str, Any]] = {}
        self.login(password)

    def login(self, password: str = "demo") -> dict[str, Any]:
        response = self.http.post(
            f"{self.base}/auth/login",
            json={"username": self.username, "password": password, "device_name": "test"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        self.tokens = body
        self.operator = body["operator"]
        self.http.headers["Authorization"] = f"Bearer {body['access_token']}"
        return body

    # ----------------------------------------------------------------------------------------

    def envelope(
        self, name: str, args: dict[str, Any], mutation_id: int | None = None
    ) -> dict[str, Any]:
        return {
            "id": mutation_id if mutation_id is not None else next(self._ids),
            "name": name,
            "args": args,
            "client_time": CLIENT_TIME,
        }

    def push_envelopes(self, envelopes: list[dict[str, Any]]) -> requests.Response:
        return self.http.post(
            f"{self.base}/sync/push",
            json={
                "client_id": self.client_id,
                "schema_version": PROTOCOL_SCHEMA_VERSION,
                "app_version": "test",
                "mutations": envelopes,
            },
            timeout=30,
        )

    def push(self, *mutations: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """Push mutations with the next ids; returns their results (asserts a 200)."""
        response = self.push_envelopes([self.envelope(name, args) for name, args in mutations])
        assert response.status_code == 200, response.text
        body = response.json()
        self.last_mutation_id = body["last_mutation_id"]
        for result in body["results"]:
            self.results[result["id"]] = result
        return body["results"]

    def push_one(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        return self.push((name, args))[0]

    # ----------------------------------------------------------------------------------------

    def pull_page(self, limit: int = 500, cursor: str | bool | None = True) -> dict[str, Any]:
        """One pull from the desk's cursor (or the given one), applied to the store."""
        body = self.pull_raw(limit, self.cursor if cursor is True else cursor)
        if "reset" not in body:
            for op in body["ops"]:
                self.store.apply(op)
            for result in body["mutation_results"]:
                self.results[result["id"]] = result
            self.cursor = body["cursor"]
            self.last_mutation_id = body["last_mutation_id"]
        return body

    def pull_raw(self, limit: int = 500, cursor: str | None = None) -> dict[str, Any]:
        response = self.http.post(
            f"{self.base}/sync/pull",
            json={
                "client_id": self.client_id,
                "cursor": cursor,
                "schema_version": PROTOCOL_SCHEMA_VERSION,
                "limit": limit,
            },
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def sync(self, limit: int = 500, max_pages: int = 10_000) -> list[dict[str, Any]]:
        """Pull until nothing more is waiting; returns the pages."""
        pages = []
        for _ in range(max_pages):
            page = self.pull_page(limit)
            pages.append(page)
            if "reset" in page or not page["has_more"]:
                return pages
        raise AssertionError("the pull never finished")

    def cases(self) -> dict[str, dict[str, Any]]:
        return self.store.of_type("case")

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(f"{self.base}{path}", params=params, timeout=60)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.http.post(f"{self.base}{path}", json=body, timeout=30)
