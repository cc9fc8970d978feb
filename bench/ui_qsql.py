"""One cold run of Qt's stock `QSqlQueryModel` in a `QTableView` over the benchmark's cache: the
queries run on the GUI thread, as Qt's documentation shows. Imports Qt and nothing of the desk."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtSql import QSqlDatabase, QSqlQuery, QSqlQueryModel
from PySide6.QtWidgets import QApplication, QTableView

from bench.ui_probe import SIZE, WAIT_MS, PaintWatch, StallProbe, _since

# The same questions as the desk's run asks (bench/ui_run.py), in SQL.
SORTS = (
    "subject",
    "due_date IS NULL, due_date",
    "citizen_name DESC",
    "coalesce(number, provisional_ref)",
    "registered_at",
)
FILTERS = (
    "status = 'in_progress'",
    "channel = 'web'",
    "status = 'new'",
    "channel = 'phone'",
    "status = 'waiting'",
)
_COLUMNS = (
    "coalesce(number, provisional_ref), sync_state, due_date, status, type, subject,"
    " citizen_name, phone, category, location, assignee, centre, channel, priority, registered_at"
)


def run_qsql(path: Path, started: float, repeats: int, fts: list[str], out: dict[str, Any]) -> None:
    app = QApplication.instance() or QApplication([])
    probe = StallProbe()
    opened = time.perf_counter()
    db = QSqlDatabase.addDatabase("QSQLITE")
    db.setDatabaseName(str(path))
    db.setConnectOptions("QSQLITE_OPEN_READONLY")
    if not db.open():
        raise RuntimeError(db.lastError().text())
    model = QSqlQueryModel()
    view = QTableView()
    view.setModel(model)
    view.verticalHeader().hide()
    watch = PaintWatch(view.viewport())
    shown_query = [0]

    def select(where: str, order: str, text: str | None = None) -> None:
        sql = f"SELECT {_COLUMNS} FROM case_view WHERE {where}"
        query = QSqlQuery(db)
        if text is not None:
            sql += " AND rid IN (SELECT rowid FROM case_fts WHERE case_fts MATCH ?)"
        query.prepare(f"{sql} ORDER BY {order}, rid")
        if text is not None:
            query.addBindValue(text)  # folded as the store folds it (by the parent process)
        query.exec()
        model.setQuery(query)
        shown_query[0] += 1

    def answer_shown(before: int) -> Callable[[], bool]:
        return lambda: shown_query[0] > before

    def show() -> None:
        select("is_open = 1", "registered_at DESC")
        view.resize(*SIZE)
        view.show()

    watch.until(lambda: model.rowCount() > 0, show)
    out["cold"] = (time.time() - started) * 1000 - _since(watch)
    out["open_to_paint"] = (watch._done or 0) * 1000 - opened * 1000
    app.processEvents()
    stalls: list[float] = []
    busy: list[float] = []

    def timed(key: str, action: Callable[[], object]) -> None:
        probe.reset()
        out.setdefault(key, []).append(watch.until(answer_shown(shown_query[0]), action))
        stalls.append(probe.worst)
        busy.append(probe.worst_busy)

    for i in range(repeats):
        sql = SORTS[i % len(SORTS)]
        timed("sort", lambda sql=sql: select("is_open = 1", sql))
    for i in range(repeats):
        sql = FILTERS[i % len(FILTERS)]
        timed("filter", lambda sql=sql: select(f"is_open = 1 AND {sql}", "registered_at"))
    for i in range(repeats):
        text = fts[i % len(fts)]
        timed("search", lambda text=text: select("1", "registered_at DESC", text))
    out["stall_actions"] = max(stalls)
    out["busy_actions"] = max(busy)
    select("is_open = 1", "registered_at DESC")
    app.processEvents()
    probe.reset()

    def to_the_end() -> None:
        # What scrolling a QSqlQueryModel to its last row takes: every row fetched first.
        deadline = time.perf_counter() + WAIT_MS / 1000
        while model.canFetchMore() and time.perf_counter() < deadline:
            model.fetchMore()
        view.scrollToBottom()

    out["scroll_end"] = watch.until(lambda: not model.canFetchMore(), to_the_end)
    out["rows"] = model.rowCount()
    out["stall_all"] = max(max(stalls), probe.worst)
    out["private"] = probe.peak_private
