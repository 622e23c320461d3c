-- Lightflow schema, version 1. Times are integer milliseconds since the epoch (UTC).
-- A released migration is never edited: add 0002_….sql instead.

CREATE TABLE pools (
  name  TEXT PRIMARY KEY,
  slots INTEGER NOT NULL CHECK (slots >= 1)
);

CREATE TABLE tasks (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  cron        TEXT,
  enabled     INTEGER NOT NULL DEFAULT 1,
  pool        TEXT REFERENCES pools(name) ON UPDATE CASCADE,
  catchup     INTEGER NOT NULL DEFAULT 0,
  -- the fire time up to which the scheduler has handled this task's schedule;
  -- at start-up, fire times after it and before now were missed (catch-up)
  schedule_anchor INTEGER,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE steps (
  task_id   INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,
  name      TEXT NOT NULL,
  command   TEXT NOT NULL,
  args      TEXT NOT NULL DEFAULT '[]',
  run_rule  TEXT NOT NULL DEFAULT 'on_success',
  timeout_s INTEGER NOT NULL DEFAULT 3600,
  PRIMARY KEY (task_id, position)
) WITHOUT ROWID;

-- AUTOINCREMENT: a run id is never reused, even after its task was deleted
CREATE TABLE runs (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id       INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  status        TEXT NOT NULL,
  trigger       TEXT NOT NULL,
  triggered_by  TEXT,
  scheduled_for INTEGER,
  queued_at     INTEGER NOT NULL,
  started_at    INTEGER,
  ended_at      INTEGER
);
-- the grid reads the newest N runs of each task with one indexed lookup per task
CREATE INDEX runs_task_newest ON runs (task_id, id DESC);
-- live runs are found without a scan at start-up
CREATE INDEX runs_live ON runs (status) WHERE status IN ('queued', 'running');
-- a fire time produces at most one run, even across restarts inside the fire minute
CREATE UNIQUE INDEX runs_one_per_fire ON runs (task_id, scheduled_for) WHERE scheduled_for IS NOT NULL;
CREATE INDEX runs_ended ON runs (ended_at) WHERE ended_at IS NOT NULL;

-- a run's steps are copied from the task when the run is queued, so a run
-- executes exactly what its boxes show even if the task is edited meanwhile
CREATE TABLE step_runs (
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  name       TEXT NOT NULL,
  command    TEXT NOT NULL,
  args       TEXT NOT NULL,
  run_rule   TEXT NOT NULL,
  timeout_s  INTEGER NOT NULL,
  status     TEXT NOT NULL DEFAULT 'pending',
  exit_code  INTEGER,
  signal     TEXT,
  error      TEXT,
  started_at INTEGER,
  ended_at   INTEGER,
  log_bytes  INTEGER NOT NULL DEFAULT 0,
  pid        INTEGER,
  pid_start  INTEGER,
  token      TEXT,     -- LIGHTFLOW_STEP_TOKEN: finds the step's processes after a crash
  PRIMARY KEY (run_id, position)
) WITHOUT ROWID;

CREATE TABLE variables (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL,
  secret INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
  status        TEXT NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
  password_hash TEXT,
  totp_secret   TEXT,
  totp_pending  TEXT,
  totp_last_step INTEGER,
  alerts        INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
  id_hash    TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- set-password links (setup, invitation, reset): stored hashed, used once
CREATE TABLE link_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose    TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);

CREATE TABLE audit (
  id      INTEGER PRIMARY KEY,
  at      INTEGER NOT NULL,
  user    TEXT,
  action  TEXT NOT NULL,
  target  TEXT,
  detail  TEXT
);
