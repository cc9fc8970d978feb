"""The store's benchmarks run end to end at a tiny scale (figures not judged: they are
measured by the benchmarks themselves, never by tests)."""

from __future__ import annotations

import json
from pathlib import Path

from bench import store as bench_store
from bench import store_floor


def test_the_store_benchmarks_run_into_folders_that_do_not_exist_yet(tmp_path: Path):
    # --dir named a folder that did not exist: the benchmark ended in a traceback
    # ("unable to open database file") before measuring anything.
    folder = tmp_path / "not" / "yet"
    figures = tmp_path / "store.json"
    assert (
        bench_store.main(
            [
                *("--cases", "1500", "--page-size", "50", "--repeats", "1", "--saves", "20"),
                *("--dir", str(folder), "--keep", "--json", str(figures)),
            ]
        )
        == 0
    )
    names = {figure["name"] for figure in json.loads(figures.read_text(encoding="utf-8"))}
    assert "first sync: load rate incl. index build" in names
    assert (folder / "cache.db").exists()

    floor = tmp_path / "floor.json"
    assert (
        store_floor.main(
            [
                *("--db", str(folder / "cache.db"), "--pages", "2", "--page-size", "50"),
                *(
                    "--repeats",
                    "1",
                    "--dir",
                    str(tmp_path / "copies" / "here"),
                    "--json",
                    str(floor),
                ),
            ]
        )
        == 0
    )
    assert json.loads(floor.read_text(encoding="utf-8"))
