"""The directory through the API: admins manage it, others get an audited 403; citizen lookup;
the service endpoints; compressed pulls."""

from __future__ import annotations

import gzip
from collections.abc import Callable

import requests
from sqlalchemy import select

from central.citizens import DemoRegistry
from central.data.tables import audit_log
from central.server import ServerHandle
from central.settings import Settings
from tests.central.desk import Desk, create_case, new_id
from tests.central.testbed import CentralDb


def test_only_admins_manage_the_directory_and_refusals_are_audited(
    desk: Callable[..., Desk], shared_db: CentralDb
) -> None:
    supervisor = desk("demo-supervisor")
    attempts = [
        supervisor.http.put(
            f"{supervisor.base}/admin/centres/x1", json={"name_mn": "a", "name_en": "b"}
        ),
        supervisor.post(
            "/admin/operators", {"username": "sneaky", "role": "admin", "password": "p4ss"}
        ),
        supervisor.get("/admin/operators"),
        supervisor.get("/audit"),
    ]
    for response in attempts:
        assert response.status_code == 403
        assert response.json()["code"] == "FORBIDDEN"
    with shared_db.engine.connect() as conn:
        refused = (
            conn.execute(
                select(audit_log.c.action).where(
                    audit_log.c.actor_id == "sup-demo", audit_log.c.status == "refused"
                )
            )
            .scalars()
            .all()
        )
    assert {"save_centre", "create_account", "list_operators", "read_audit"} <= set(refused)


def test_admins_add_centres_teams_and_accounts_that_reach_the_desks(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    admin, operator = desk("demo-admin"), desk("demo-operator")
    operator.sync()
    code = f"c{new_id()[:6]}"
    assert (
        admin.http.put(
            f"{admin.base}/admin/centres/{code}",
            json={"name_mn": "Шинэ төв", "name_en": "New centre"},
        ).status_code
        == 204
    )
    assert (
        admin.http.put(
            f"{admin.base}/admin/teams/{code}-t",
            json={"centre": code, "name_mn": "Баг", "name_en": "Team"},
        ).status_code
        == 204
    )
    bad_team = admin.http.put(
        f"{admin.base}/admin/teams/{code}-u",
        json={"centre": "nowhere", "name_mn": "Баг", "name_en": "Team"},
    )
    assert bad_team.status_code == 422
    created = admin.post(
        "/admin/operators",
        {
            "username": f"new-{code}",
            "role": "operator",
            "password": "secret-1",
            "centres": [code],
            "teams": [f"{code}-t"],
        },
    )
    assert created.status_code == 201
    assert (
        admin.post(
            "/admin/operators", {"username": f"new-{code}", "role": "operator", "password": "x1x1"}
        ).status_code
        == 409
    )
    operator.sync()
    assert operator.store.of_type("centre")[code]["name_en"] == "New centre"
    assert operator.store.of_type("team")[f"{code}-t"]["centre"] == code
    assert operator.store.of_type("operator")[created.json()["id"]]["teams"] == [f"{code}-t"]
    newcomer = Desk(server.url, f"new-{code}", "secret-1")
    assert newcomer.push_one(*create_case(centre=code))["status"] == "applied"
    assert newcomer.push_one(*create_case(centre="c1111"))["code"] == "FORBIDDEN"


def test_availability_reaches_the_other_desks(desk: Callable[..., Desk]) -> None:
    operator, supervisor = desk("t1111-b-3"), desk("demo-supervisor")
    supervisor.sync()
    assert (
        operator.http.put(
            f"{operator.base}/me/availability", json={"availability": "away"}
        ).status_code
        == 200
    )
    assert (
        operator.http.put(
            f"{operator.base}/me/availability", json={"availability": "asleep"}
        ).status_code
        == 422
    )
    supervisor.sync()
    assert supervisor.store.of_type("operator")[operator.operator["id"]]["availability"] == "away"


def test_auditors_read_the_audit_log(desk: Callable[..., Desk]) -> None:
    auditor = desk("demo-auditor")
    page = auditor.get("/audit", after=0, limit=50)
    assert page.status_code == 200
    entries = page.json()["entries"]
    assert entries and {"action", "status", "actor_id", "at"} <= set(entries[0])


def test_citizen_lookup_by_phone_and_registration_number(
    desk: Callable[..., Desk], shared_db: CentralDb
) -> None:
    operator, admin = desk("demo-operator"), desk("demo-admin")
    sample = DemoRegistry(
        shared_db.settings.demo_registry_size, shared_db.settings.demo_registry_seed
    ).records()[0]
    assert sample.phone and sample.reg_no
    spaced = f"{sample.phone[4:8]} {sample.phone[8:]}"
    by_phone = operator.get("/citizens/lookup", phone=spaced)
    assert by_phone.status_code == 200
    assert [c["id"] for c in by_phone.json()["citizens"]] == [sample.id]
    by_reg = operator.get("/citizens/lookup", reg_no=sample.reg_no.lower())
    assert by_reg.json()["citizens"][0]["name"] == sample.name
    assert operator.get("/citizens/lookup", phone="99999999").json()["citizens"] == []
    assert (
        operator.get("/citizens/lookup", phone="11-11").json()["details"]["reason"]
        == "not_citizen_number"
    )
    assert operator.get("/citizens/lookup").status_code == 422
    assert admin.get("/citizens/lookup", phone=spaced).status_code == 403  # no case content


def test_service_endpoints_and_compressed_pulls(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    health = requests.get(f"{server.url}/api/v1/health", timeout=10).json()
    assert health["status"] == "ok"
    version = requests.get(f"{server.url}/api/v1/version", timeout=10).json()
    assert version["schema_version"] == 1 and version["epoch"] >= 1
    operator = desk("demo-operator")
    response = operator.http.post(
        f"{operator.base}/sync/pull",
        json={"client_id": operator.client_id, "schema_version": 1},
        headers={"Accept-Encoding": "gzip"},
        stream=True,
    )
    compressed = response.raw.read(decode_content=False)
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(gzip.decompress(compressed)) > 300_000  # the reference data is ~400 KB of JSON
    assert len(compressed) < 150_000


def test_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "CENTRAL_DATABASE_URL": "sqlite:///x.db",
            "CENTRAL_ACCESS_TOKEN_TTL_S": "60",
            "CENTRAL_AUTO_MIGRATE": "yes",
        },
        pool_size=3,
    )
    assert (
        settings.database_url,
        settings.access_token_ttl_s,
        settings.auto_migrate,
        settings.pool_size,
    ) == (
        "sqlite:///x.db",
        60,
        True,
        3,
    )
    assert Settings.from_env(settings.to_env()) == settings
    assert "secret" not in str(Settings(secret_key="secret").redacted().values())
