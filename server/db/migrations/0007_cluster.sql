-- Several nodes on one PostgreSQL (issue 17). On SQLite the one node is
-- recorded the same way, so a run says where it ran on either store.

-- the node name or label a task's runs must run on; NULL: any node
ALTER TABLE tasks ADD COLUMN runs_on TEXT;
-- the node that ran (or runs) the run; NULL while it waits unassigned
ALTER TABLE runs ADD COLUMN node TEXT;
-- the node that answered the request that is audited
ALTER TABLE audit ADD COLUMN node TEXT;

-- every node that has started on this database: its lease is last_seen_at
-- (renewed every 2.5 s; a node not seen for 10 s is dead to the others)
CREATE TABLE nodes (
  name         TEXT PRIMARY KEY,
  labels       TEXT NOT NULL DEFAULT '[]',
  url          TEXT,
  capacity     INTEGER NOT NULL DEFAULT 4,
  started_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  -- set by the leader when it found the node dead and closed its runs; cleared when it starts again
  lost_at      INTEGER
);

-- the one leader's lease: epoch grows at every hand-over and fences the old
-- leader's writes (a fire or an assignment checks it in its own transaction)
CREATE TABLE leader (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  node       TEXT NOT NULL,
  epoch      INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
