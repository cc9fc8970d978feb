"""The PySide6 desktop: the only package that imports Qt.

Foundation modules: `app` (entry point), `main_window`, `bridge` (worker threads to the GUI
thread), `settings`, `paths`, `data_lock` (one desk process per data folder), `logs`, `crash`,
`language` and `retranslate` (run-time language switching).

The desk (given a `context.DeskContext`: store, task runner, who is signed in):

- `queue/`: the unified queue (model over rid snapshots, view, filter bar, legend, panel);
- `call_flow`: taking a call; `caller_lookup`: who is calling (reader-thread job);
- `case_view` and `case_actions/`: one case, its timeline (`timeline`), its actions and the
  decisions a sync leaves (`case_snapshot` reads it all on a reader thread);
- `navigation`, `sync_status`, `notifications`, `store_events`: the window's furniture;
- `widgets/`: type-ahead drop-downs, the place picker, field error lines, the caller panel;
- `labels`, `field_errors`, `refusals`, `directory_names`: words for the domain's codes;
- `sample_store` and `screenshots`: generated data, and PNGs of the screens in both languages.
"""
