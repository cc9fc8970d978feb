"""Malformed and hostile input gets a 4xx with the error shape, never a 5xx.

Hand-written cases first, then a bounded hypothesis fuzzer that walks the OpenAPI document:
every operation, with bodies built from its schema and then broken (wrong types, unknown
fields, missing fields, hostile strings), random tokens, and raw garbage.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from central.server import ServerHandle
from tests.central.desk import Desk, create_case

HOSTILE_SAMPLES = st.sampled_from(
    [
        "' OR '1'='1' --",
        "'; DROP TABLE cases; --",
        "\x00",
        "a\x00b",
        "\ud800",
        "x\udfff",
        "../../etc/passwd",
        "%00",
        "${jndi:ldap://x}",
        "<script>alert(1)</script>",
        "9" * 400,
        "Бат-Эрдэнэ" * 50,
        "",
        " ",
    ]
)
# Hostile samples twice as often as arbitrary text: the fuzzer's budget is small.
HOSTILE_TEXT = st.one_of(HOSTILE_SAMPLES, HOSTILE_SAMPLES, st.text(max_size=300))


def _quote(text: str) -> str:
    """Percent-encoded, lone surrogates included (as the invalid UTF-8 bytes they make)."""
    return requests.utils.quote(text.encode("utf-8", "surrogatepass"), safe="")


def assert_error_shape(response: requests.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"code", "message", "details"}, body
        assert isinstance(body["code"], str) and body["code"]


# --------------------------------------------------------------------------------------------
# By hand
# --------------------------------------------------------------------------------------------


def test_malformed_bodies_get_4xx(desk: Callable[..., Desk]) -> None:
    operator = desk("demo-operator")
    url = f"{operator.base}/sync/push"
    cases: list[tuple[bytes, int]] = [
        (b"{not json", 400),
        (b"[" * 150_000 + b"]" * 150_000, 413),
        (b"[" * 50_000, 400),
        (json.dumps({"client_id": "x", "schema_version": "1", "app_version": 1}).encode(), 422),
        (
            json.dumps(
                {
                    "client_id": "x",
                    "schema_version": 1,
                    "app_version": "1",
                    "mutations": [],
                    "extra": 1,
                }
            ).encode(),
            422,
        ),
        (
            json.dumps(
                {"client_id": "bad id!", "schema_version": 1, "app_version": "1", "mutations": []}
            ).encode(),
            422,
        ),
        (json.dumps([1, 2, 3]).encode(), 422),
        (b"", 422),
    ]
    for body, status in cases:
        response = operator.http.post(url, data=body, headers={"Content-Type": "application/json"})
        assert response.status_code == status, (body[:60], response.text[:200])
        assert_error_shape(response)


def test_hostile_strings_in_mutations_are_stored_verbatim_or_refused(
    desk: Callable[..., Desk],
) -> None:
    operator = desk("demo-operator")
    sql = "'; DROP TABLE cases; --"
    stored = operator.push_one(*create_case(subject=sql, description='"quoted" \\ back'))
    assert stored["status"] == "applied"
    nul = operator.push_one(*create_case(subject="a\x00b"))
    assert (nul["status"], nul["code"]) == ("rejected", "INVALID")
    assert nul["details"]["field"] == "subject"
    lone = operator.push_one(*create_case(description="\ud800"))
    assert (lone["status"], lone["code"]) == ("rejected", "INVALID")
    operator.sync()
    assert sql in {c["subject"] for c in operator.cases().values()}


def test_unknown_paths_and_methods_use_the_error_shape(server: ServerHandle) -> None:
    missing = requests.get(f"{server.url}/api/v1/nothing-here", timeout=10)
    wrong = requests.delete(f"{server.url}/api/v1/sync/push", timeout=10)
    assert (missing.status_code, missing.json()["code"]) == (404, "NOT_FOUND")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "METHOD_NOT_ALLOWED")


def test_a_405_names_every_method_of_the_path(server: ServerHandle) -> None:
    """GET and PUT of one path are two routes: the Allow header names both, not the first."""
    for path, allowed in (
        ("/api/v1/me/availability", "GET, PUT"),
        ("/api/v1/admin/operators", "GET, POST"),
        ("/api/v1/admin/centres/c1111", "DELETE, PUT"),
        ("/api/v1/sync/push", "POST"),
    ):
        response = requests.options(f"{server.url}{path}", timeout=10)
        assert response.status_code == 405, path
        assert response.headers["Allow"] == allowed, path
        assert_error_shape(response)


def test_the_document_names_what_any_body_can_get(server: ServerHandle) -> None:
    """400 (not JSON) and 413 (too large) answer any body, so every operation with one says so."""
    document = requests.get(f"{server.url}/openapi.json", timeout=10).json()
    with_body = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    ]
    assert len(with_body) >= 10
    for path, method, operation in with_body:
        assert {"400", "413", "422"} <= set(operation["responses"]), (method, path)
        error = operation["responses"]["400"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/ErrorBody"}
    login = requests.post(
        f"{server.url}/api/v1/auth/login",
        data=b"\x00",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert (login.status_code, login.json()["code"]) == (400, "BAD_REQUEST")


def test_hostile_query_and_path_values(desk: Callable[..., Desk]) -> None:
    operator = desk("demo-operator")
    for value in ["\x00", "' OR 1=1 --", "x" * 5000, "%00", "\ud800"]:
        for path, params in (
            ("/cases", {"number": value}),
            ("/citizens/lookup", {"phone": value}),
            ("/citizens/lookup", {"reg_no": value}),
            ("/sync/poke", {"cursor": value, "timeout": 0}),
            (f"/cases/{_quote(value)}", {}),
        ):
            try:
                response = operator.get(path, **params)
            except UnicodeEncodeError:
                continue  # the client itself cannot send a lone surrogate
            assert_error_shape(response)


# --------------------------------------------------------------------------------------------
# The fuzzer
# --------------------------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def from_schema(
    schema: dict[str, Any], document: dict[str, Any], depth: int = 0
) -> st.SearchStrategy[Any]:
    """Values that mostly fit `schema` (a small JSON-schema subset is enough here)."""
    schema = _resolve(schema, document)
    if depth > 4:
        return st.none()
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return st.one_of([from_schema(s, document, depth + 1) for s in schema[key]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        if not properties:
            return st.dictionaries(st.text(max_size=10), ANY_JSON, max_size=4)
        fixed = {
            k: from_schema(v, document, depth + 1) for k, v in properties.items() if k in required
        }
        optional = {
            k: from_schema(v, document, depth + 1)
            for k, v in properties.items()
            if k not in required
        }
        return st.fixed_dictionaries(fixed, optional=optional)
    if kind == "array":
        items = from_schema(schema.get("items", {}), document, depth + 1)
        return st.lists(items, max_size=min(schema.get("maxItems", 3), 3))
    if kind == "string":
        return st.one_of(HOSTILE_SAMPLES, st.text(max_size=min(schema.get("maxLength", 40), 40)))
    if kind == "integer":
        return st.integers(schema.get("minimum", -(2**63)), schema.get("maximum", 2**63))
    if kind == "number":
        return st.floats(allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return ANY_JSON


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE_TEXT,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@st.composite
def broken(draw: st.DrawFn, value: Any) -> Any:
    """The value, or the value spoiled: an unknown field, a dropped field, a wrong type."""
    choice = draw(st.integers(0, 4))
    if choice == 0 or not isinstance(value, dict):
        return value if choice != 4 else draw(ANY_JSON)
    spoiled = dict(value)
    if choice == 1:
        spoiled[draw(st.text(min_size=1, max_size=12))] = draw(ANY_JSON)
    elif choice == 2 and spoiled:
        spoiled.pop(draw(st.sampled_from(sorted(spoiled))))
    elif spoiled:
        spoiled[draw(st.sampled_from(sorted(spoiled)))] = draw(ANY_JSON)
    return spoiled


EXAMPLES_PER_OPERATION = 5


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in sorted(document["paths"].items())
        for method, operation in sorted(item.items())
        if method in ("get", "post", "put", "patch", "delete")
    ]


@pytest.fixture
def fuzz_target(
    central_server: ServerHandle,
) -> tuple[ServerHandle, dict[str, Any], dict[str, str]]:
    document = requests.get(f"{central_server.url}/openapi.json", timeout=10).json()
    tokens = {}
    for username in ("demo-operator", "demo-supervisor", "demo-admin", "demo-auditor"):
        response = requests.post(
            f"{central_server.url}/api/v1/auth/login",
            json={"username": username, "password": "demo", "device_name": "fuzz"},
            timeout=10,
        )
        tokens[username] = response.json()["refresh_token"]
    return central_server, document, tokens


def test_the_openapi_document_describes_every_endpoint(fuzz_target: Any) -> None:
    _, document, _ = fuzz_target
    paths = set(document["paths"])
    for expected in (
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/sync/push",
        "/api/v1/sync/pull",
        "/api/v1/sync/poke",
        "/api/v1/citizens/lookup",
        "/api/v1/health",
        "/api/v1/version",
    ):
        assert expected in paths
    push = document["paths"]["/api/v1/sync/push"]["post"]
    assert {"409", "413", "426", "503"} <= set(push["responses"])


def test_fuzzing_the_openapi_document_never_gets_a_5xx(fuzz_target: Any) -> None:
    server, document, refresh_tokens = fuzz_target
    operations = _operations(document)
    session = requests.Session()
    access: dict[str, str] = {}

    def token_for(username: str) -> str:
        if username not in access:
            response = session.post(
                f"{server.url}/api/v1/auth/login",
                json={"username": username, "password": "demo"},
                timeout=10,
            )
            access[username] = response.json().get("access_token", "")
        return access[username]

    @st.composite
    def requests_(
        draw: st.DrawFn, path: str, method: str, operation: dict[str, Any]
    ) -> dict[str, Any]:
        url_path = path
        query: dict[str, Any] = {}
        for parameter in operation.get("parameters", []):
            value = draw(
                st.one_of(from_schema(parameter.get("schema", {}), document), HOSTILE_TEXT)
            )
            if parameter["in"] == "path":
                text = value if isinstance(value, str) and value else "x"
                url_path = url_path.replace("{" + parameter["name"] + "}", _quote(text))
            elif draw(st.booleans()) or parameter.get("required"):
                query[parameter["name"]] = value
        body: Any = None
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            body = draw(broken(draw(from_schema(content["application/json"]["schema"], document))))
        raw = draw(st.sampled_from([None, None, None, b"{", b"\xff\xfe", b"[" * 2000]))
        who = draw(st.sampled_from([None, "garbage", *sorted(refresh_tokens)]))
        return {
            "method": method,
            "path": url_path,
            "query": query,
            "body": body,
            "raw": raw,
            "who": who,
        }

    def send(call: dict[str, Any]) -> None:
        headers = {}
        if call["who"] == "garbage":
            headers["Authorization"] = "Bearer cat_garbage"
        elif call["who"]:
            headers["Authorization"] = f"Bearer {token_for(call['who'])}"
        kwargs: dict[str, Any] = {"params": call["query"], "headers": headers, "timeout": 30}
        if call["raw"] is not None:
            kwargs["data"] = call["raw"]
            headers["Content-Type"] = "application/json"
        elif call["body"] is not None:
            try:
                kwargs["data"] = json.dumps(call["body"]).encode()
            except (ValueError, TypeError):
                return
            headers["Content-Type"] = "application/json"
        if call["path"].endswith("/sync/poke"):
            kwargs["params"] = {**call["query"], "timeout": 0}
        try:
            response = session.request(call["method"].upper(), server.url + call["path"], **kwargs)
        except (UnicodeEncodeError, requests.exceptions.InvalidURL):
            return  # not sendable at all
        assert_error_shape(response)
        if response.status_code == 401 and call["who"] in access:
            del access[call["who"]]  # a fuzzed logout ended the session: sign in again

    # Every operation gets its share of the budget.
    for path, method, operation in operations:
        run = settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )(given(requests_(path, method, operation))(send))
        run()
