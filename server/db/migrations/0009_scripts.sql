-- What the nodes of one PostgreSQL share beyond the definitions (issue 17,
-- README "Scripts on several nodes"). On SQLite these tables stay empty: one
-- node keeps its scripts as files and its throttle in memory.

-- the scripts editor's files, each node writes them into its own scripts
-- directory; content is base64 (PostgreSQL's text refuses NUL bytes), NULL
-- when the file was deleted (so a node that was down deletes it too);
-- version: the value of scripts_version when the row last changed
CREATE TABLE scripts (
  path    TEXT PRIMARY KEY,
  content TEXT,
  mode    INTEGER NOT NULL,
  version INTEGER NOT NULL
);
CREATE INDEX scripts_by_version ON scripts(version);

-- one row: grows by one with every change of `scripts`; its row lock orders
-- the changes, so a node that read version v has seen every change up to v
CREATE TABLE scripts_version (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO scripts_version (id, version) VALUES (1, 0);

-- sign-in throttling of every node (auth/throttle.ts): failure times (a JSON
-- array of ms) and the wait they caused, per account or client address
CREATE TABLE throttle (
  key           TEXT PRIMARY KEY,
  failures      TEXT NOT NULL,
  blocked_until INTEGER NOT NULL,
  last_at       INTEGER NOT NULL
);
CREATE INDEX throttle_by_last ON throttle(last_at);

-- package jobs of every node (packages/shared.ts): an install or uninstall
-- asked of one node is a job on each node, listed from any of them
CREATE TABLE package_jobs (
  id          TEXT PRIMARY KEY,
  node        TEXT NOT NULL,
  action      TEXT NOT NULL,
  requirement TEXT NOT NULL,
  status      TEXT NOT NULL,
  output      TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL
);
CREATE INDEX package_jobs_by_node ON package_jobs(node, created_at);
