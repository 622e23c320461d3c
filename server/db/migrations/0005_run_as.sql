-- Steps as another Unix user (issue 19): a task's default user, a step's own,
-- and on each step run the user it runs as (the step's, else the task's),
-- copied at queue time like the rest of the step. NULL: the server's own user.
ALTER TABLE tasks ADD COLUMN run_as TEXT;
ALTER TABLE steps ADD COLUMN run_as TEXT;
ALTER TABLE step_runs ADD COLUMN run_as TEXT;
