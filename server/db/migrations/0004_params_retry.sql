-- Task parameters and re-running a run from its first step that did not succeed.

-- JSON array of {name, default?, description?, choices?}
ALTER TABLE tasks ADD COLUMN params TEXT NOT NULL DEFAULT '[]';

-- JSON object of the run's parameter values by name
ALTER TABLE runs ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
-- the run this one retries (trigger 'retry'); no foreign key: retention may remove the original first
ALTER TABLE runs ADD COLUMN retry_of INTEGER;

-- a step a retry did not run again (status 'skipped'): the run in which it was done
ALTER TABLE step_runs ADD COLUMN done_in INTEGER;
