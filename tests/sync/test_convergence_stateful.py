"""Property: desks that go offline and online at random while making random changes all
converge, and every change is applied exactly once (hypothesis, stateful).

Each desk talks to the server through a fault proxy of its own; "offline" makes the proxy drop
every connection, so the engine meets a real broken link. At the end of each run every desk
comes back online and syncs until quiet, and the convergence checker compares each cache with
the server's view of its scope and walks the audit log.

`OPERATOR_DESK_FAULT_REPEATS` multiplies the number of runs (CI keeps the default).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from operator_app.domain.model import Status
from operator_app.domain.mutations import ChangeStatus, FieldChange, ReassignCase, UpdateCaseFields
from sync.status import SyncState
from tests.faults.proxy import FaultPlan, FaultProxy, Faults
from tests.sync.checker import assert_audit_holds, assert_converged
from tests.sync.harness import PASSWORD, TEST_CONFIG, Central, Desks, new_case, new_note

REPEATS = max(1, int(os.environ.get("OPERATOR_DESK_FAULT_REPEATS", "1")))
USERS = ("demo-operator", "t1111-a-0", "demo-supervisor")
ASSIGNEES = ("op-demo", "op-t1111-a-0", "op-t1111-a-1", None)
OFFLINE = lambda _index: Faults(drop=True)  # noqa: E731
CONFIG = replace(TEST_CONFIG, push_batch=7, pull_limit=60)


class DesksComingAndGoing(RuleBasedStateMachine):
    def __init__(self, service: Central, root: Path) -> None:
        super().__init__()
        self.service = service
        self.desks_root = Desks(Path(tempfile.mkdtemp(dir=root)))
        self.proxies: list[FaultProxy] = []
        self.desks: list[Any] = []
        self.online: list[bool] = []

    @initialize()
    def open_desks(self) -> None:
        for user in USERS:
            proxy = FaultProxy(self.service.port)
            proxy.start()
            self.proxies.append(proxy)
            desk = self.desks_root.new(proxy.url, user, config=CONFIG)
            self.desks.append(desk)
            self.online.append(True)

    desk_index = st.integers(0, len(USERS) - 1)

    # --- the link ---------------------------------------------------------------------------

    @rule(i=desk_index)
    def go_offline(self, i: int) -> None:
        self.proxies[i].set_plan(OFFLINE)
        self.online[i] = False

    @rule(i=desk_index)
    def go_online(self, i: int) -> None:
        self.proxies[i].set_plan(FaultPlan())
        self.online[i] = True

    @rule(i=desk_index)
    def sync(self, i: int) -> None:
        report = self.desks[i].engine.run_once()
        if self.online[i]:
            assert report.ok, report.problem
        else:
            assert not report.ok
            assert self.desks[i].engine.status.state is SyncState.OFFLINE

    # --- local changes ----------------------------------------------------------------------

    def _pick(self, i: int, data: st.DataObject) -> str | None:
        # An index, not sampled_from(ids): what is drawn must not depend on the server's
        # contents (shared with other tests), or hypothesis cannot replay a run.
        ids = sorted(self.desks[i].case_ids())
        k = data.draw(st.integers(0, 2**16))
        return ids[k % len(ids)] if ids else None

    @rule(i=desk_index)
    def create_case(self, i: int) -> None:
        assert self.desks[i].submit(new_case()).queued

    @rule(i=desk_index, data=st.data())
    def add_note(self, i: int, data: st.DataObject) -> None:
        case_id = self._pick(i, data)
        if case_id is not None:
            self.desks[i].submit(new_note(case_id, "Санамсаргүй тэмдэглэл"))

    @rule(i=desk_index, data=st.data(), to=st.sampled_from(list(Status)))
    def change_status(self, i: int, data: st.DataObject, to: Status) -> None:
        case_id = self._pick(i, data)
        if case_id is None:
            return
        case = self.desks[i].store.case(case_id)
        # The domain may refuse locally (an illegal step): then nothing is queued.
        self.desks[i].submit(ChangeStatus(case_id, to, "шалтгаан", "Хариу өгсөн", case.status))

    @rule(data=st.data(), to=st.sampled_from(ASSIGNEES))
    def reassign(self, data: st.DataObject, to: str | None) -> None:
        supervisor = USERS.index("demo-supervisor")
        case_id = self._pick(supervisor, data)
        if case_id is None:
            return
        case = self.desks[supervisor].store.case(case_id)
        self.desks[supervisor].submit(ReassignCase(case_id, case.assignee, to, "ачаалал"))

    @rule(
        i=desk_index,
        data=st.data(),
        field=st.sampled_from(["phone", "address", "description", "priority"]),
        value=st.sampled_from(["99112244", "88001122", "Шинэ утга", "high", "urgent"]),
    )
    def edit_field(self, i: int, data: st.DataObject, field: str, value: str) -> None:
        case_id = self._pick(i, data)
        if case_id is None:
            return
        case = self.desks[i].store.case(case_id)
        current = getattr(case, field)
        base = current.value if hasattr(current, "value") else current
        self.desks[i].submit(UpdateCaseFields(case_id, {field: FieldChange(base, value)}))

    # --- what holds at every step -----------------------------------------------------------

    @invariant()
    def the_status_counts_the_outbox(self) -> None:
        for desk in self.desks:
            assert desk.engine.status.pending == desk.store.pending_count()

    def teardown(self) -> None:
        try:
            if self.desks:
                for i in range(len(self.desks)):
                    self.go_online(i)
                for _ in range(2):
                    for desk in self.desks:
                        report = desk.sync_until_clean()
                        assert report.ok, report.problem
                for desk in self.desks:
                    assert_converged(desk.store.path, self.service.url, desk.username, PASSWORD)
                assert_audit_holds(self.service.db.engine, [d.store.path for d in self.desks])
        finally:
            self.desks_root.close_all()
            for proxy in self.proxies:
                proxy.stop()


def test_desks_going_offline_and_online_at_random_all_converge(
    shared_central: Central, tmp_path: Path
) -> None:
    run_state_machine_as_test(
        lambda: DesksComingAndGoing(shared_central, tmp_path),
        settings=settings(
            max_examples=3 * REPEATS,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
