"""The headless desk's command (`python -m sync.headless`) as a script runs it."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from sync import headless
from sync.engine import SyncReport
from sync.garbage_collection import THRESHOLDS
from sync.headless import HeadlessDesk
from tests.sync.harness import PASSWORD, Central


def test_the_command_syncs_with_the_collector_tuned_as_the_desk_tunes_it(
    shared_central: Central, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the default thresholds a 100,000-case first sync spent 2–2.5 s collecting.
    during: list[tuple[tuple[int, int, int], int]] = []
    sync_until_clean = HeadlessDesk.sync_until_clean

    def watched(desk: HeadlessDesk, attempts: int = 20) -> SyncReport:
        during.append((gc.get_threshold(), gc.get_freeze_count()))
        return sync_until_clean(desk, attempts)

    monkeypatch.setattr(HeadlessDesk, "sync_until_clean", watched)
    before = gc.get_threshold()
    argv = ["--server", shared_central.url, "--data", str(tmp_path / "desk")]
    assert headless.main([*argv, "--user", "demo-operator", "--password", PASSWORD]) == 0
    assert [thresholds for thresholds, _ in during] == [THRESHOLDS]
    assert during[0][1] > 0  # what start-up built is frozen out of the collections
    # Whatever runs after the command in this process gets the old settings back.
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
