-- A task's queued or running run, found without walking its history: the
-- engine asks "is a run of this task already queued?" on every trigger and
-- every fire. Through runs_task_newest that walked all of the task's runs
-- (35 ms per trigger with 50 k runs per task; bench P11). Partial, so it holds
-- only the few live runs.
CREATE INDEX runs_task_live ON runs (task_id, status) WHERE status IN ('queued', 'running');
