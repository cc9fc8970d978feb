"""The local cache's tables, as the ordered steps the schema grew in (see migrations.py)."""

from __future__ import annotations

# Columns of the local view, in the order view rows are written (see columns.py).
VIEW_COLUMNS: tuple[str, ...] = (
    "rid",
    "id",
    "number",
    "provisional_ref",
    "centre",
    "channel",
    "type",
    "category",
    "status",
    "priority",
    "priority_rank",
    "confidential",
    "is_open",
    "subject",
    "citizen_id",
    "citizen_name",
    "reg_no",
    "phone",
    "phone_rev",
    "location",
    "aimag",
    "assignee",
    "team",
    "agency",
    "registered_at",
    "updated_at",
    "due_date",
    "due_soon_from",
    "sync_state",
    "data",
)

# Step 1: the server-confirmed cache and the local view the UI reads.
CASES: tuple[str, ...] = (
    # rid is the stable per-case key the UI's snapshots hold (cheaper than UUID text at 1M rows).
    # `data` is the JSON of the case when pending mutations make it differ from srv_case, else
    # NULL: most rows equal the server state and need not store it twice.
    """CREATE TABLE case_view (
        rid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        number TEXT,
        provisional_ref TEXT,
        centre TEXT NOT NULL,
        channel TEXT NOT NULL,
        type TEXT NOT NULL,
        category TEXT NOT NULL,
        status TEXT NOT NULL,
        priority TEXT NOT NULL,
        priority_rank INTEGER NOT NULL,
        confidential INTEGER NOT NULL,
        is_open INTEGER NOT NULL,
        subject TEXT NOT NULL,
        citizen_id TEXT,
        citizen_name TEXT NOT NULL,
        reg_no TEXT,
        phone TEXT,
        phone_rev TEXT,
        location TEXT,
        aimag TEXT,
        assignee TEXT,
        team TEXT,
        agency TEXT,
        registered_at INTEGER NOT NULL,
        updated_at INTEGER,
        due_date TEXT,
        due_soon_from TEXT,
        sync_state TEXT NOT NULL,
        data TEXT
    ) STRICT""",
    # `removed`: the server took the case out of scope while mutations on it were pending;
    # it stays until their results come back (SYNC.md, "Scopes").
    """CREATE TABLE srv_case (
        rid INTEGER PRIMARY KEY REFERENCES case_view(rid) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        removed INTEGER NOT NULL DEFAULT 0,
        data TEXT NOT NULL
    ) STRICT""",
    # Children are clustered by case: a new case's rows are appended, and a case's notes are
    # one range read.
    """CREATE TABLE srv_note (
        case_rid INTEGER NOT NULL REFERENCES case_view(rid) ON DELETE CASCADE,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (case_rid, id)
    ) STRICT, WITHOUT ROWID""",
    """CREATE TABLE srv_call (
        case_rid INTEGER NOT NULL REFERENCES case_view(rid) ON DELETE CASCADE,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (case_rid, id)
    ) STRICT, WITHOUT ROWID""",
    """CREATE TABLE srv_timeline (
        case_rid INTEGER NOT NULL REFERENCES case_view(rid) ON DELETE CASCADE,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (case_rid, id)
    ) STRICT, WITHOUT ROWID""",
    """CREATE TABLE srv_conflict (
        case_rid INTEGER NOT NULL REFERENCES case_view(rid) ON DELETE CASCADE,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (case_rid, id)
    ) STRICT, WITHOUT ROWID""",
    # What replaying the pending mutations adds to a case: notes, calls, timeline entries and
    # conflict records not yet confirmed by the server.
    """CREATE TABLE pending_record (
        case_rid INTEGER NOT NULL REFERENCES case_view(rid) ON DELETE CASCADE,
        mutation_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (case_rid, mutation_id, seq)
    ) STRICT, WITHOUT ROWID""",
    """CREATE TABLE srv_citizen (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL,
        name TEXT NOT NULL,
        reg_no TEXT,
        phone TEXT,
        phone_rev TEXT,
        address TEXT NOT NULL,
        location TEXT
    ) STRICT""",
    "CREATE INDEX ix_citizen_reg_no ON srv_citizen(reg_no) WHERE reg_no IS NOT NULL",
    "CREATE INDEX ix_citizen_phone_rev ON srv_citizen(phone_rev) WHERE phone_rev IS NOT NULL",
    """CREATE TABLE ref_item (
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (type, id)
    ) STRICT, WITHOUT ROWID""",
)

# Step 2: what the desk owes the server, what it heard back, and where it is in the stream.
SYNC: tuple[str, ...] = (
    """CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        v INTEGER NOT NULL,
        args TEXT NOT NULL,
        actor TEXT NOT NULL,
        client_time TEXT NOT NULL,
        case_id TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
    ) STRICT""",
    "CREATE INDEX ix_outbox_case ON outbox(case_id)",
    """CREATE TABLE outbox_archive (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        v INTEGER NOT NULL,
        args TEXT NOT NULL,
        actor TEXT NOT NULL,
        client_time TEXT NOT NULL,
        case_id TEXT NOT NULL,
        status TEXT NOT NULL,
        acked_at TEXT NOT NULL
    ) STRICT""",
    "CREATE INDEX ix_archive_acked ON outbox_archive(acked_at)",
    """CREATE TABLE mutation_result (
        id INTEGER PRIMARY KEY,
        status TEXT NOT NULL,
        code TEXT,
        details TEXT NOT NULL,
        received_at TEXT NOT NULL
    ) STRICT""",
    # Rejections and conflicts wait here for a person (Re-apply / Keep server / Merge).
    """CREATE TABLE inbox (
        mutation_id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL,
        name TEXT NOT NULL,
        args TEXT NOT NULL,
        status TEXT NOT NULL,
        code TEXT,
        details TEXT NOT NULL,
        received_at TEXT NOT NULL,
        dismissed_at TEXT
    ) STRICT""",
    "CREATE INDEX ix_inbox_case ON inbox(case_id) WHERE dismissed_at IS NULL",
    "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value ANY) STRICT, WITHOUT ROWID",
)

# Step 3: the indexes behind the queue views and the identifier lookups.
QUEUE_INDEXES: tuple[str, ...] = (
    "CREATE INDEX ix_view_number ON case_view(number) WHERE number IS NOT NULL",
    "CREATE INDEX ix_view_provisional ON case_view(provisional_ref)"
    " WHERE provisional_ref IS NOT NULL",
    "CREATE INDEX ix_view_citizen ON case_view(citizen_id) WHERE citizen_id IS NOT NULL",
    "CREATE INDEX ix_view_phone_rev ON case_view(phone_rev) WHERE phone_rev IS NOT NULL",
    "CREATE INDEX ix_view_reg_no ON case_view(reg_no) WHERE reg_no IS NOT NULL",
    # "My open cases by deadline", and any view of one person's cases.
    "CREATE INDEX ix_view_assignee ON case_view(assignee, is_open, due_date)",
    # "Team unassigned by age": a partial index holds only the unassigned cases.
    "CREATE INDEX ix_view_unassigned ON case_view(team, registered_at) WHERE assignee IS NULL",
    # Centre-wide views by deadline (overdue, due soon).
    "CREATE INDEX ix_view_centre ON case_view(centre, is_open, due_date)",
    # A category in one aimag (category is the most selective of the common filters).
    "CREATE INDEX ix_view_category ON case_view(category, aimag, registered_at)",
    # Almost every case is synced: index only the few that are not.
    "CREATE INDEX ix_view_sync ON case_view(sync_state) WHERE sync_state <> 'synced'",
)

# Step 4: full-text search. Documents hold folded (transliterated) text, so only rowids are
# needed back: detail=none keeps the index small, and every query is prefix phrases of one
# token each, which detail=none supports.
SEARCH: tuple[str, ...] = (
    "CREATE VIRTUAL TABLE case_fts USING fts5(doc, detail=none)",
    "CREATE VIRTUAL TABLE citizen_fts USING fts5(name, detail=none)",
    # Automatic merging after every small transaction doubled the cost of a local save's
    # commit (measured); segments are merged by crisis merges (16 per level) instead.
    "INSERT INTO case_fts(case_fts, rank) VALUES ('automerge', 0)",
    "INSERT INTO citizen_fts(citizen_fts, rank) VALUES ('automerge', 0)",
)

# Step 5: the words the case index holds, so a typed prefix becomes the words it begins
# (see search_terms.py). Words with digits are kept as their letters and "0".
SEARCH_TERMS: tuple[str, ...] = (
    "CREATE TABLE search_term (term TEXT PRIMARY KEY) STRICT, WITHOUT ROWID",
)

# Step 6: the supervisor's workload board and deadline watch count every open case of their
# centres, per person, team, centre and agency, in one GROUP BY (see workload.py). This
# partial index holds only open cases, in the grouping's order, so the count needs no sort; it
# ends with is_open only so that SQLite sees it covers the query (a column of the partial
# index's WHERE must also be a column of the index): the count reads the index alone. Measured
# on 350,000 open cases of one centre: 1.1 s with the centre index, 0.1 s with this one.
WORKLOAD_INDEX: tuple[str, ...] = (
    "CREATE INDEX ix_view_workload ON case_view"
    "(centre, team, assignee, agency, status, due_date, due_soon_from, is_open)"
    " WHERE is_open = 1",
)

# Step 7: the queue's common sorts of open cases as index walks. The queue is asked for its
# first screen before its whole list (see ui/queue/model.py): with these, that first screen is
# the first entries of an index, not a sort of every open case (measured at 1,000,000 cases,
# 598,020 open: 803 ms for the first 100 newest, a scan and a temporary B-tree, before). Each
# holds only open cases, in the order `queue.py` sorts them: the key, then the rid (every index
# entry ends with it), both walked backwards for a descending sort. The deadline index is on
# the same expressions as that ORDER BY (cases with no deadline last). Sorts by subject, citizen,
# category and the like stay sorts: an index each would cost every write more than they save.
SORT_INDEXES: tuple[str, ...] = (
    "CREATE INDEX ix_open_registered ON case_view(registered_at) WHERE is_open = 1",
    "CREATE INDEX ix_open_due ON case_view(due_date IS NULL, due_date) WHERE is_open = 1",
    "CREATE INDEX ix_open_status ON case_view(status) WHERE is_open = 1",
    "CREATE INDEX ix_open_priority ON case_view(priority_rank) WHERE is_open = 1",
)

# Step 8: the sorts by subject and by citizen of open cases as index walks, like step 7's. They
# were the queue's slowest first screens (measured at 1,000,000 cases, 598,020 open: 1.6 s
# each, a scan of every case row; see bench/ui_sorts.py): free text, no other index orders them.
# Sorts by number walk ix_view_number (queue.py reads them as consecutive runs), by category,
# centre and assignee the indexes of step 3. Each holds only open cases, in the order queue.py
# sorts them (the key, then the rid).
OPEN_TEXT_SORT_INDEXES: tuple[str, ...] = (
    "CREATE INDEX ix_open_subject ON case_view(subject) WHERE is_open = 1",
    "CREATE INDEX ix_open_citizen ON case_view(citizen_name) WHERE is_open = 1",
)

# Step 9: a first sync's search documents wait here while it runs (see bulk_load.py) and are
# indexed at its end in bulk, as its deferred indexes are built: indexing each transaction's
# few dozen documents as they came, with the merges that follow, was a third of the first
# sync's time (measured at 100,000 cases: page CPU 90 ms against 60 ms per 1,000 cases).
DEFERRED_SEARCH: tuple[str, ...] = (
    """CREATE TABLE deferred_doc (
        rid INTEGER PRIMARY KEY REFERENCES case_view(rid) ON DELETE CASCADE,
        doc TEXT NOT NULL
    ) STRICT""",
)
