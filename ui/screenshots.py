"""Render the desk's main screens to PNG, in both languages: `python -m ui.screenshots --out DIR`.

Offscreen by default (no display needed). The desk runs on a temporary store filled with
generated cases (a few thousand), with some local work in it: a case waiting to sync, a field
edited on both sides (a conflict), and a change the server refused.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from operator_app.domain.model import Actor, Role, Status
from operator_app.domain.mutations import AddNote, ChangeStatus, FieldChange, UpdateCaseFields
from operator_app.store import QueueFilter, Sort, SortKey, Store
from sync.status import StatusBoard, SyncState, SyncStatus

if TYPE_CHECKING:
    from ui.context import DeskContext
    from ui.language import LanguageSwitcher

DEFAULT_CASES = 3000
WAIT_S = 20.0
DEMO_OPERATOR = Actor(
    "op-demo", Role.OPERATOR, frozenset({"c1111"}), frozenset({"t1111-a"}), "t1111-a"
)


@dataclass(frozen=True)
class Scene:
    """What the screenshots show: the store and the cases picked out in it."""

    store: Store
    conflict_case: str
    known_phone: str


def build_store(folder: Path, cases: int, now: datetime) -> Scene:
    """A store with `cases` generated cases and some local work to show (Qt-free)."""
    from ui.sample_store import fill

    store = Store.open(folder / "cache.sqlite3", clock=lambda: now)
    fill(store, cases, now=now)
    mine = store.queue_ids(
        QueueFilter(assignees=frozenset({DEMO_OPERATOR.id}), open_only=True),
        Sort(SortKey.DUE_DATE),
    )
    rows = store.rows(mine[:40])
    with_phone = [r for r in rows if r.phone and r.status is Status.IN_PROGRESS]
    target = with_phone[0] if with_phone else rows[0]
    actor = DEMO_OPERATOR
    # A subject edited here from a stale base: the domain opens a conflict for a person.
    store.submit(
        UpdateCaseFields(
            target.id,
            {"subject": FieldChange("Халаалт муу", target.subject + " (3-р давхар)")},
        ),
        actor,
    ).result()
    store.submit(
        AddNote(str(uuid.uuid4()), target.id, "Иргэнтэй утсаар ярьж, хариуг тайлбарлав."), actor
    ).result()
    result = store.submit(ChangeStatus(target.id, Status.WAITING), actor).result()
    # The server refused a change: it comes back with a pulled page.
    if result.mutation_id is not None:
        store.apply_page(
            {
                "cursor": "screenshots-1",
                "has_more": False,
                "last_mutation_id": 0,
                "server_time": now.isoformat(),
                "ops": [],
                "mutation_results": [
                    {"id": result.mutation_id, "status": "rejected", "code": "FORBIDDEN"}
                ],
            }
        ).result()
    return Scene(store, target.id, target.phone or "")


def _wait(condition: Callable[[], bool], timeout: float = WAIT_S) -> None:
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the desk did not settle in time")
        QCoreApplication.processEvents()
        time.sleep(0.01)


def render(out: Path, cases: int, languages: Sequence[str]) -> list[Path]:
    """Write the PNGs; their paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from ui.bridge import TaskRunner
    from ui.context import DeskContext
    from ui.language import LanguageSwitcher
    from ui.paths import apply_app_identity
    from ui.settings import Settings

    app = QApplication.instance() or QApplication([sys.argv[0]])
    apply_app_identity()
    QApplication.setStyle("Fusion")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="desk-screens-") as scratch:
        scene = build_store(Path(scratch), cases, now)
        runner = TaskRunner()
        board = StatusBoard(
            SyncStatus(
                state=SyncState.OFFLINE,
                pending=12,
                last_synced_at=now.astimezone().replace(hour=14, minute=2, second=0),
            )
        )
        switcher = LanguageSwitcher(app)
        try:
            for code in languages:
                switcher.switch(code)
                QCoreApplication.processEvents()
                settings = Settings.open(Path(scratch) / f"settings-{code}.ini")
                context = DeskContext(
                    scene.store, runner, DEMO_OPERATOR, settings, board, "Демо Оператор"
                )
                written += _render_language(out, code, scene, context, switcher)
        finally:
            switcher.uninstall()
            runner.shutdown()
            scene.store.close()
    return written


def _render_language(
    out: Path, code: str, scene: Scene, context: DeskContext, switcher: LanguageSwitcher
) -> list[Path]:
    from PySide6.QtCore import QCoreApplication

    from ui.main_window import MainWindow

    written = []
    window = MainWindow(context.settings, switcher, context=context)
    window.resize(1500, 860)
    window.show()
    model = window.queue.model
    _wait(lambda: model.rowCount() > 0 and model.row_at(0) is not None)
    window.queue.view.select_row(2)
    _wait(lambda: window.case_view.snapshot is not None)
    window.queue.refresh_counts()
    _wait(lambda: window.queue.filter_bar.status.itemText(0).endswith(")"))
    _settle()
    written.append(_save(window.grab(), out / f"main_window_{code}.png"))

    window.open_case(scene.conflict_case)
    _wait(
        lambda: (
            window.case_view.snapshot is not None
            and window.case_view.snapshot.case.id == scene.conflict_case
        ),
    )
    _settle()
    written.append(_save(window.case_view.grab(), out / f"case_view_{code}.png"))
    window.case_view.tabs.setCurrentIndex(1)
    _settle()
    written.append(_save(window.case_view.grab(), out / f"case_timeline_{code}.png"))

    dialog = window.new_call()
    assert dialog is not None
    dialog.phone.setText(scene.known_phone[-8:])
    dialog.phone.textEdited.emit(dialog.phone.text())
    _wait(lambda: dialog.caller_panel.callers.count() > 0)
    dialog.case_type.setFocus()
    dialog.subject.setText("Халуун ус ирэхгүй байна")
    dialog.category.set_value("utilities_and_heating.hot_water")
    _settle()
    written.append(_save(dialog.grab(), out / f"call_flow_{code}.png"))
    dialog.save()
    _wait(lambda: dialog.is_saved)
    _settle()
    written.append(_save(dialog.grab(), out / f"call_flow_saved_{code}.png"))
    dialog.close()
    window.close()
    window.deleteLater()
    QCoreApplication.processEvents()
    return written


def _settle() -> None:
    from PySide6.QtCore import QCoreApplication

    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.01)


def _save(pixmap: object, path: Path) -> Path:
    if not pixmap.save(str(path)):  # type: ignore[attr-defined]
        raise OSError(f"could not write {path}")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNG files")
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES, help="generated cases")
    parser.add_argument("--lang", action="append", choices=("mn", "en"), help="(default: both)")
    args = parser.parse_args(argv)
    for path in render(args.out, args.cases, args.lang or ("mn", "en")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
