"""A bounded schemathesis run against the live OpenAPI document: no 5xx, responses as documented.

A real server on 127.0.0.1 over HTTP, on a fresh database of each backend. Every operation of
the document it serves, every method, is tested twice: signed in (as the demo account whose
role reaches deepest into that operation) and anonymously. Schemathesis runs its examples,
coverage (boundary values, schema-breaking values, unexpected methods) and fuzzing phases with
a fixed seed, derandomized, and a bounded number of examples per operation, so a run is the
same run every time and stays short.

Schemathesis's own pytest integration (`from_fixture`) does not run under this pytest, so the
test drives its engine (what its CLI runs) and asserts on the events it reports.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.engine import Status, StopReason, events
from schemathesis.engine import from_schema as engine_for

from central.server import ServerHandle, run_in_thread
from tests.central.conftest import BACKENDS
from tests.central.testbed import prepare

SEED = 20260301
MAX_EXAMPLES = 25  # per operation, in the fuzzing phase; the other phases are bounded by nature

# Every status an invalid request may get. 413: a push of more mutations than allowed.
REJECTIONS = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 426, 428, 429]


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "continue-on-failure": True,  # every finding of a run at once, not the first only
            # No replay of an earlier run's findings from .schemathesis/: each run stands alone.
            "cache": {"enabled": False},
            "generation": {
                "mode": "all",  # schema-valid and schema-breaking data
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                # The bearer token is ours to give or withhold, not a generated value.
                "with-security-parameters": False,
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},  # the document declares no links
            },
            "checks": {
                "not_a_server_error": {"enabled": True},
                "status_code_conformance": {"enabled": True},
                "content_type_conformance": {"enabled": True},
                "response_schema_conformance": {"enabled": True},
                "response_headers_conformance": {"enabled": True},
                "unsupported_method": {"enabled": True},
                "allow_header_conformance": {"enabled": True},
                "missing_required_header": {"enabled": True},
                "ignored_auth": {"enabled": True},
                # Schema-valid data is refused for reasons a schema cannot say (no such case,
                # not this role's business, an old schema version): not the contract here.
                "positive_data_acceptance": {"enabled": False},
                # Pydantic's lax mode takes 0/1 for a boolean, false for an integer and a number
                # for a date, which the document calls invalid. Known and accepted: those are
                # stored as the value they stand for, never as something hostile.
                "negative_data_rejection": {"enabled": False, "expected-statuses": REJECTIONS},
                # Both need links between operations, which the document does not declare.
                "use_after_free": {"enabled": False},
                "ensure_resource_availability": {"enabled": False},
            },
        }
    )


# Whose token goes with which operation: the demo account whose role gets furthest in.
_ROLE_BY_PREFIX = (
    ("/api/v1/admin/", "demo-admin"),
    ("/api/v1/audit", "demo-auditor"),
    ("/api/v1/teams/", "demo-supervisor"),
    ("/api/v1/availability", "demo-supervisor"),
    ("/api/v1/me/availability", "demo-supervisor"),
)
_LOGOUT = "/api/v1/auth/logout"
_POKE = "/api/v1/sync/poke"


def _login(url: str, username: str) -> str:
    response = requests.post(
        f"{url}/api/v1/auth/login",
        json={"username": username, "password": "demo", "device_name": "schemathesis"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@dataclass
class Target:
    server: ServerHandle
    backend: str
    tokens: dict[str, str] = field(default_factory=dict)

    def token_for(self, path: str) -> str:
        if path == _LOGOUT:
            # A logout ends the session it is sent with: each one gets a session of its own.
            return _login(self.server.url, "demo-operator")
        username = next((u for p, u in _ROLE_BY_PREFIX if path.startswith(p)), "demo-operator")
        if username not in self.tokens:
            self.tokens[username] = _login(self.server.url, username)
        return self.tokens[username]


@pytest.fixture(scope="module", params=BACKENDS)
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """A fresh database and a real server for the runs on one backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'central.db'}"
    else:
        url = request.getfixturevalue("new_pg_database")()
    db = prepare(request.param, url)
    # The fuzzer signs in with made-up names hundreds of times from one address; the address
    # throttle (tested elsewhere) would then refuse the runs' own sign-ins.
    settings = db.settings_with(login_address_slow_after=10**6, login_address_lock_after=10**6)
    handle = run_in_thread(settings)
    try:
        yield Target(handle, request.param)
    finally:
        handle.stop()
        db.engine.dispose()


@dataclass
class Report:
    operations: set[str] = field(default_factory=set)
    statuses: dict[str, collections.Counter[int]] = field(
        default_factory=lambda: collections.defaultdict(collections.Counter)
    )
    failures: list[str] = field(default_factory=list)
    stop_reason: StopReason | None = None


def _run(target: Target, *, signed_in: bool) -> Report:
    schema = schemathesis.openapi.from_url(f"{target.server.url}/openapi.json", config=_config())

    @schema.hook("map_query")
    def _answer_polls_at_once(context: Any, query: dict[str, Any] | None) -> Any:
        """Long polls answer at once: a fuzzed wait of up to a minute would eat the budget."""
        if context.operation.path != _POKE:
            return query
        query = dict(query or {})
        try:
            parks = float(query.get("timeout", 1)) > 0
        except (TypeError, ValueError):
            parks = False  # not a number: refused before anything parks
        if parks:
            query["timeout"] = 0
        return query

    if signed_in:

        @schema.auth(refresh_interval=None)
        class _Bearer:
            def get(self, case: schemathesis.Case, _context: Any) -> str:
                return target.token_for(case.operation.path)

            def set(self, case: schemathesis.Case, token: str, _context: Any) -> None:
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}

    report = Report()
    for event in engine_for(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            report.operations.add(recorder.label)
            for interaction in recorder.interactions.values():
                if interaction.response is not None:
                    report.statuses[recorder.label][interaction.response.status_code] += 1
            for checks in recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        report.failures.append(
                            f"{recorder.label}: {check.name}: {failure.title}\n"
                            f"{failure.message}\n{check.failure_info.code_sample}"
                        )
        elif isinstance(event, events.NonFatalError):
            report.failures.append(f"{event.label}: error: {event.value!r}")
        elif isinstance(event, events.FatalError):
            report.failures.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            report.stop_reason = event.stop_reason
    return report


def _assert_clean(report: Report, target: Target) -> None:
    document = requests.get(f"{target.server.url}/openapi.json", timeout=30).json()
    documented = {
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    }
    assert report.stop_reason == StopReason.COMPLETED
    assert documented <= report.operations, sorted(documented - report.operations)
    server_errors = {
        label: sorted(status for status in counts if status >= 500)
        for label, counts in report.statuses.items()
        if any(status >= 500 for status in counts)
    }
    assert not server_errors, server_errors
    unique = sorted(set(report.failures))
    assert not unique, f"{len(unique)} finding(s):\n\n" + "\n\n".join(unique[:20])


def test_signed_in_run_finds_nothing(target: Target) -> None:
    report = _run(target, signed_in=True)
    _assert_clean(report, target)
    # The run did get in, with each role's token where it belongs.
    assert report.statuses["GET /api/v1/me"][200] > 0
    assert report.statuses["GET /api/v1/admin/operators"][200] > 0
    assert report.statuses["GET /api/v1/audit"][200] > 0
    assert report.statuses["GET /api/v1/me/availability"][200] > 0
    successes = sum(
        count for counts in report.statuses.values() for s, count in counts.items() if s < 300
    )
    assert successes >= len(report.operations)


def test_anonymous_run_finds_nothing(target: Target) -> None:
    report = _run(target, signed_in=False)
    _assert_clean(report, target)
    assert report.statuses["GET /api/v1/me"][401] > 0
    assert 200 not in report.statuses["GET /api/v1/me"]
