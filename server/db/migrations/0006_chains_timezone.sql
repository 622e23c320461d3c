-- Chains (a task runs after another's run ends) and a time zone per task.

-- the zone the task's CRON is read in; NULL: the server's LIGHTFLOW_TIMEZONE
ALTER TABLE tasks ADD COLUMN timezone TEXT;

-- task_id runs after upstream_id: when a run of upstream_id ends as `upon`
-- says ('success', 'failed': any end but success, 'finished': any end), one run
-- of task_id is queued. Kept by id, so renaming the upstream keeps the link.
CREATE TABLE task_links (
  task_id     INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  upstream_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  upon        TEXT NOT NULL,
  PRIMARY KEY (task_id, upstream_id)
);
-- a run's end asks "who follows this task?"
CREATE INDEX task_links_upstream ON task_links (upstream_id);

-- a chained run's upstream run as JSON {"task", "run_id", "status"}: its steps' LIGHTFLOW_UPSTREAM_*
ALTER TABLE runs ADD COLUMN upstream TEXT;
