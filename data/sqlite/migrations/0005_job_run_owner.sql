-- A job run names the process doing it (owner: host, pid and a per-process id)
-- and when that process last said it is still at it (heartbeat), so that a run
-- whose process died can be told from one in progress and marked interrupted.
ALTER TABLE job_runs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE job_runs ADD COLUMN heartbeat TEXT NOT NULL DEFAULT '';
UPDATE job_runs SET heartbeat = started;
CREATE INDEX job_runs_running ON job_runs (id) WHERE status = 'running';
