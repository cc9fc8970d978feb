"""A mutation that crashes the server: 503 with Retry-After and nothing recorded, until the
fifth crash retires it as `rejected SERVER_ERROR`, its arguments kept in the audit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

import central.push_decision
from central.data.tables import audit_log, mutation_crashes
from central.server import ServerHandle
from tests.central.desk import Desk, add_note, create_case, new_id

POISON = "☠ poison"


@pytest.fixture
def poisoned(monkeypatch: pytest.MonkeyPatch) -> None:
    real = central.push_decision.apply_mutation

    def apply(args: Any, *rest: Any) -> Any:
        if getattr(args, "subject", "") == POISON:
            raise RuntimeError("a bug in the mutator")
        return real(args, *rest)

    monkeypatch.setattr(central.push_decision, "apply_mutation", apply)


def test_a_poison_mutation_is_retired_after_five_crashes(
    poisoned: None, desk: Callable[..., Desk], server: ServerHandle
) -> None:
    operator = desk("demo-operator")
    fine = new_id()
    operator.push(create_case(fine))
    bad = operator.envelope(*create_case(subject=POISON))
    after = operator.envelope(*add_note(fine))
    for attempt in range(4):
        response = operator.push_envelopes([bad, after])
        assert response.status_code == 503, attempt
        assert response.json()["code"] == "SERVER_BUSY"
        assert int(response.headers["Retry-After"]) >= 1
        assert operator.pull_raw()["last_mutation_id"] == 1  # nothing recorded
    response = operator.push_envelopes([bad, after])
    assert response.status_code == 200
    retired, next_one = response.json()["results"]
    assert (retired["status"], retired["code"]) == ("rejected", "SERVER_ERROR")
    assert next_one["status"] == "applied"  # the queue is not blocked for ever
    with server.services.engine.connect() as conn:
        details = conn.execute(
            select(audit_log.c.details).where(
                audit_log.c.client_id == operator.client_id, audit_log.c.code == "SERVER_ERROR"
            )
        ).scalar_one()
        crashes = conn.execute(
            select(mutation_crashes.c.crashes).where(
                mutation_crashes.c.client_id == operator.client_id
            )
        ).scalar_one()
    assert json.loads(details)["args"]["subject"] == POISON
    assert crashes == 5


def test_a_mutation_that_stops_crashing_applies_normally(
    monkeypatch: pytest.MonkeyPatch, desk: Callable[..., Desk]
) -> None:
    operator = desk("demo-operator")
    real = central.push_decision.apply_mutation
    failures = iter([RuntimeError("flaky"), RuntimeError("flaky")])

    def flaky(*args: Any) -> Any:
        for error in failures:
            raise error
        return real(*args)

    monkeypatch.setattr(central.push_decision, "apply_mutation", flaky)
    envelope = operator.envelope(*create_case())
    assert operator.push_envelopes([envelope]).status_code == 503
    assert operator.push_envelopes([envelope]).status_code == 503
    applied = operator.push_envelopes([envelope])
    assert applied.status_code == 200
    assert applied.json()["results"][0]["status"] == "applied"
