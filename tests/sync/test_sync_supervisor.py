"""The supervisor desk's client calls against a real central service (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from sync.credentials import Credentials
from sync.errors import Forbidden, ProtocolError
from sync.headless import HeadlessDesk
from sync.http import CentralClient
from sync.keyring_memory import MemoryKeyring
from sync.supervisor import (
    AssignmentMode,
    Availability,
    Skills,
    SupervisorApi,
    TeamAssignment,
    supervisor_api_for,
)
from tests.faults.stub_http import Reply, StubHttpServer
from tests.sync.harness import Central, Desks


def api_of(desk: HeadlessDesk) -> SupervisorApi:
    return supervisor_api_for(desk.client, desk.credentials)


def test_an_operator_sets_and_reads_their_availability(central: Central, desks: Desks) -> None:
    api = api_of(desks.new(central.url, "demo-operator"))
    mine = api.set_my_availability(Availability.AWAY)
    assert mine.availability is Availability.AWAY
    assert mine.since is not None and mine.since.tzinfo is not None
    assert api.my_availability().availability is Availability.AWAY
    assert api.set_my_availability(Availability.AVAILABLE).availability is Availability.AVAILABLE


def test_a_supervisor_sees_the_availability_of_their_centre(central: Central, desks: Desks) -> None:
    api_of(desks.new(central.url, "t1111-a-0")).set_my_availability(Availability.OFFLINE)
    people = {
        p.user_id: p
        for p in api_of(desks.new(central.url, "demo-supervisor")).availability("c1111")
    }
    assert people["op-t1111-a-0"].availability is Availability.OFFLINE
    assert people["op-t1111-a-0"].teams == ("t1111-a",)
    assert "op-demo" in people
    assert all(p.since is not None for p in people.values())


def test_team_auto_assignment_settings_round_trip(central: Central, desks: Desks) -> None:
    api = api_of(desks.new(central.url, "demo-supervisor"))
    assert api.team_assignment("t1111-a").mode in AssignmentMode
    wanted = TeamAssignment(
        AssignmentMode.LEAST_LOADED,
        5,
        {"op-t1111-a-0": Skills(("complaint", "petition"), ("en", "mn"), ("11",))},
    )
    saved = api.set_team_assignment("t1111-a", wanted)
    assert saved == wanted
    assert api.team_assignment("t1111-a") == wanted
    uncapped = TeamAssignment(AssignmentMode.ROUND_ROBIN, None, {})
    assert api.set_team_assignment("t1111-a", uncapped) == uncapped


def test_an_operator_may_not_see_the_board_or_change_a_team(central: Central, desks: Desks) -> None:
    api = api_of(desks.new(central.url, "demo-operator"))
    with pytest.raises(Forbidden):
        api.availability("c1111")
    with pytest.raises(Forbidden):
        api.set_team_assignment("t1111-a", TeamAssignment(AssignmentMode.ROUND_ROBIN))


# --- the client side alone, against a scripted server --------------------------------------


@pytest.fixture
def stub_api(client: CentralClient, allow_memory_keyring: frozenset[str]) -> SupervisorApi:
    credentials = Credentials(
        client,
        device_name="desk-07",
        keyring_backend=MemoryKeyring(),
        allowed_backends=allow_memory_keyring,
    )
    client.set_access_token("token")
    return supervisor_api_for(client, credentials)


def test_a_malformed_availability_answer_is_a_protocol_error(
    stub: StubHttpServer, stub_api: SupervisorApi
) -> None:
    stub.route("GET", "/api/v1/availability", Reply.json({"operators": {"op": 1}}))
    with pytest.raises(ProtocolError):
        stub_api.availability("c1111")
    assert stub.received[0].path == "/api/v1/availability?centre=c1111"


def test_an_unknown_state_counts_as_away_and_an_empty_answer_as_done(
    stub: StubHttpServer, stub_api: SupervisorApi
) -> None:
    person = {"user_id": "op-1", "availability": "on_break", "since": "2026-03-02T01:00:00+00:00"}
    stub.route("GET", "/api/v1/availability", Reply.json({"operators": [person]}))
    [seen] = stub_api.availability("c1111")
    assert seen.availability is Availability.AWAY and seen.teams == ()
    stub.route("PUT", "/api/v1/me/availability", Reply(status=204))
    assert stub_api.set_my_availability(Availability.OFFLINE).availability is Availability.OFFLINE
    assert stub.received[-1].json() == {"availability": "offline"}


def test_a_team_id_is_quoted_into_the_path(stub: StubHttpServer, stub_api: SupervisorApi) -> None:
    stub.route("GET", "/api/v1/teams/a%2Fb/assignment", Reply.json({"mode": "round_robin"}))
    assert stub_api.team_assignment("a/b") == TeamAssignment(AssignmentMode.ROUND_ROBIN)
    stub.route("GET", "/api/v1/teams/t/assignment", Reply.json({"mode": "fastest"}))
    with pytest.raises(ProtocolError):
        stub_api.team_assignment("t")
