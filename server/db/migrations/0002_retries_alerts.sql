-- Retries per step, smarter alerts (start deadline, recipients) and server settings.

ALTER TABLE steps ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE steps ADD COLUMN retry_delay_s INTEGER NOT NULL DEFAULT 10;

ALTER TABLE step_runs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE step_runs ADD COLUMN retry_delay_s INTEGER NOT NULL DEFAULT 10;
-- 1 for the first try; each retry keeps its own log file
ALTER TABLE step_runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;

-- a scheduled run that has not started this long after its fire time raises a "did not start" alert
ALTER TABLE tasks ADD COLUMN start_deadline_s INTEGER;
-- JSON array of addresses alerted for this task, besides the users who opted in
ALTER TABLE tasks ADD COLUMN alert_emails TEXT NOT NULL DEFAULT '[]';

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
