-- A scheduled run records the tick it is for, so that "each tick runs once
-- across the replicas" can be read from the history ('' for manual runs and
-- runs recorded before).
ALTER TABLE job_runs ADD COLUMN tick TEXT NOT NULL DEFAULT '';
