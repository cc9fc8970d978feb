"""The desk's local SQLite store: the offline case cache, the outbox and the local view.

`Store` (store.py) is the front door. Underneath, one module per job:

- schema.py, migrations.py: the tables, grown in named steps with sqlite-utils' Migrations;
  a file from a newer version is refused. damage.py: a broken file is moved aside after its
  outbox is salvaged. connection.py: the settings every connection gets.
- writer.py: the single writer thread and its priority queue (local saves first);
  write_jobs.py: the jobs it runs. checkpointer.py: WAL checkpoints off the writer's path.
- local_view.py: the view = server state + pending mutations replayed (the rebase);
  pull_apply.py: pulled ops as version-guarded upserts; page.py: a page checked before use;
  outbox.py: pending mutations, their archive, results and the inbox; sync_state.py.
- readers.py: a read-only connection per thread; queue.py: filters, sorts, rows, facets;
  search.py and search_text.py: lookups and FTS5 over folded (transliterated) text;
  search_terms.py: the indexed words, so typed prefixes match as the words they begin;
  reference_data.py: pulled reference data as typed values; columns.py: view columns;
  workload.py: open cases and deadlines per assignee, team, centre and agency.
"""

from operator_app.store.columns import CaseSyncState
from operator_app.store.damage import OpenReport
from operator_app.store.errors import NewerSchemaError, PageError, StoreClosedError, StoreError
from operator_app.store.outbox import (
    InboxItem,
    MutationResult,
    MutationState,
    MutationStatus,
    OutboxEntry,
)
from operator_app.store.queue import Facet, QueueFilter, QueueRow, Sort, SortKey
from operator_app.store.reference_data import Directory
from operator_app.store.search import CitizenMatch
from operator_app.store.store import Store
from operator_app.store.sync_state import SyncState
from operator_app.store.workload import UNASSIGNED, DeadlineCounts, WorkloadCounts
from operator_app.store.write_jobs import LocalResult, PageSummary
from operator_app.store.writer import Changes

__all__ = [
    "UNASSIGNED",
    "CaseSyncState",
    "Changes",
    "CitizenMatch",
    "DeadlineCounts",
    "Directory",
    "Facet",
    "InboxItem",
    "LocalResult",
    "MutationResult",
    "MutationState",
    "MutationStatus",
    "NewerSchemaError",
    "OpenReport",
    "OutboxEntry",
    "PageError",
    "PageSummary",
    "QueueFilter",
    "QueueRow",
    "Sort",
    "SortKey",
    "Store",
    "StoreClosedError",
    "StoreError",
    "SyncState",
    "WorkloadCounts",
]
