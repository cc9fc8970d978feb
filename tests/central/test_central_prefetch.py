"""First-sync pages built ahead: the desk gets exactly the page it would have got anyway."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Hashable, Iterator

import pytest

from central.app import Services, build_services
from central.data import directory as directory_store
from central.data.engine import read_transaction
from central.data.meta import cursor_secret
from central.identity import Account
from central.prefetch import PagePrefetch
from central.server import ServerHandle
from central.sync_pull import PulledBody, PullService
from sync.protocol import PullRequest
from tests.central.desk import Desk, create_case, new_id
from tests.central.test_central_concurrency import _push
from tests.central.testbed import CentralDb


def test_a_page_is_built_once_and_handed_out_once() -> None:
    prefetch = PagePrefetch()
    built = threading.Event()
    calls = []

    def build() -> bytes:
        calls.append(1)
        built.set()
        return b"page"

    prefetch.start("k", build)
    prefetch.start("k", build)  # already under way
    assert built.wait(5)
    assert prefetch.take("k") == b"page"
    assert prefetch.take("k") is None
    assert calls == [1]

    def broken() -> bytes:
        raise RuntimeError("database went away")

    prefetch.start("bad", broken)
    assert prefetch.take("bad") is None  # the caller builds it again and reports the error
    prefetch.close()
    prefetch.start("late", build)
    assert prefetch.take("late") is None


@pytest.fixture
def services(central_db: CentralDb) -> Iterator[Services]:
    svc = build_services(central_db.settings)
    yield svc
    svc.pull.close()
    svc.engine.dispose()


def _supervisor(svc: Services) -> Account:
    with read_transaction(svc.engine) as conn:
        account = directory_store.load_account(conn, "sup-demo")
    assert account is not None
    return account


class CountingPrefetch(PagePrefetch):
    def __init__(self) -> None:
        super().__init__()
        self.hits = 0
        self.ready: list[PulledBody] = []

    def take(self, key: Hashable) -> PulledBody | None:
        page = super().take(key)
        self.hits += page is not None
        if page is not None:
            self.ready.append(page)
        return page


def test_prefetched_pages_equal_the_pages_built_on_request(
    services: Services, central_db: CentralDb
) -> None:
    account = _supervisor(services)
    for i in range(7):
        _push(services, account, f"seed-{i}", 1, create_case(new_id()))
    secret = cursor_secret(services.engine, central_db.settings.secret_key)
    prefetch = CountingPrefetch()
    ahead = PullService(services.engine, services.sequencer, secret, prefetch)
    plain = PullService(services.engine, services.sequencer, secret)

    def first_sync(pull: PullService) -> list[dict[str, object]]:
        pages, cursor = [], None
        while True:
            request = PullRequest(client_id="desk", cursor=cursor, schema_version=1, limit=2)
            page = json.loads(pull.pull(account, request))
            page.pop("server_time")
            pages.append(page)
            cursor = page["cursor"]
            if not page["has_more"]:
                return pages

    built_ahead, built_plain = first_sync(ahead), first_sync(plain)
    ahead.close()
    assert len(built_ahead) == len(built_plain) >= 4
    assert built_ahead == built_plain
    assert prefetch.hits == len(built_ahead) - 1  # every page after the first was ready


def test_pages_built_ahead_are_compressed_ahead_for_a_desk_that_accepts_gzip(
    services: Services, central_db: CentralDb
) -> None:
    """The next page waits compressed, so the request that asks for it only sends it; a
    desk that does not accept gzip gets plain JSON, never a page compressed for another."""
    account = _supervisor(services)
    for i in range(5):
        _push(services, account, f"seed-{i}", 1, create_case(new_id()))
    secret = cursor_secret(services.engine, central_db.settings.secret_key)
    prefetch = CountingPrefetch()
    ahead = PullService(services.engine, services.sequencer, secret, prefetch, gzip_level=1)
    plain = PullService(services.engine, services.sequencer, secret)

    def request(cursor: str | None) -> PullRequest:
        return PullRequest(client_id="desk", cursor=cursor, schema_version=1, limit=2)

    def same_page(body: bytes, expected: bytes) -> None:
        page, wanted = json.loads(body), json.loads(expected)
        page.pop("server_time"), wanted.pop("server_time")
        assert page == wanted

    cursor, pages = None, 0
    while True:
        body = ahead.pull_body(account, request(cursor), compress=True)
        assert body.gzipped  # a page of whole cases is well over the 1 KB threshold
        page = json.loads(gzip.decompress(body.content))
        same_page(gzip.decompress(body.content), plain.pull(account, request(cursor)))
        pages += 1
        if not page["has_more"]:
            break
        cursor = page["cursor"]
        # The same page for a desk without gzip: built on request, as plain JSON.
        identity = ahead.pull_body(account, request(cursor), compress=False)
        assert not identity.gzipped
        same_page(identity.content, plain.pull(account, request(cursor)))
    ahead.close()
    assert pages >= 3
    # Every compressed page after the first was ready, and ready compressed.
    assert sum(body.gzipped for body in prefetch.ready) == pages - 1


def test_pulls_over_http_are_gzip_only_for_desks_that_accept_it(
    central_server: ServerHandle,
) -> None:
    desk = Desk(central_server.url, "demo-supervisor")
    for encoding, compressed in (("gzip", True), ("identity", False)):
        response = desk.http.post(
            f"{desk.base}/sync/pull",
            json={"client_id": f"{desk.client_id}-{encoding}", "schema_version": 1},
            headers={"Accept-Encoding": encoding},
            stream=True,
        )
        raw = response.raw.read(decode_content=False)
        assert response.status_code == 200
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers.get("Content-Encoding") == ("gzip" if compressed else None)
        body = gzip.decompress(raw) if compressed else raw
        assert json.loads(body)["ops"]  # the reference data at least
