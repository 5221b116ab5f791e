-- Clout schema, version 1: datasets and their versions, observations, jobs' runs.
-- Plain SQL kept close to what PostgreSQL accepts; SQLite-only bits are marked.

-- files keeps every original upload once, by content.
CREATE TABLE files (
	sha256  TEXT PRIMARY KEY,
	size    INTEGER NOT NULL,
	content BLOB NOT NULL
);

CREATE TABLE datasets (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);

-- versions is append-only. number counts per dataset from 1; data_version is the
-- global change counter. obs_version_id names the version whose observations this
-- version shows: itself for an import, the restored version for a rollback.
CREATE TABLE versions (
	id             INTEGER PRIMARY KEY,
	dataset_id     INTEGER NOT NULL REFERENCES datasets (id),
	number         INTEGER NOT NULL,
	data_version   INTEGER NOT NULL UNIQUE,
	obs_version_id INTEGER NOT NULL REFERENCES versions (id),
	rollback_of    INTEGER NOT NULL DEFAULT 0,
	file_sha256    TEXT NOT NULL REFERENCES files (sha256),
	file_name      TEXT NOT NULL,
	who            TEXT NOT NULL DEFAULT '',
	observations   INTEGER NOT NULL,
	report         TEXT,
	created_at     TEXT NOT NULL,
	UNIQUE (dataset_id, number)
);

CREATE INDEX versions_dataset_data_version ON versions (dataset_id, data_version);

-- labels interns units and sources, which repeat on every row of an import.
CREATE TABLE labels (
	id   INTEGER PRIMARY KEY,
	text TEXT NOT NULL UNIQUE
);

-- observations belong to the import that stored them. period is a sortable integer
-- (see period.go): start month * 4 + frequency, so ranges and ORDER BY follow
-- indicators.Period.Compare. The primary key serves every read path: one version's
-- rows by indicator and country, diffs and overlap look-ups. No foreign keys here on
-- purpose: checking three parents per row would slow a million-row import by a
-- third, and only SaveVersion writes rows, for the version it created in the same
-- transaction, with labels it looked up there.
CREATE TABLE observations (
	version_id INTEGER NOT NULL,
	indicator  TEXT NOT NULL,
	country    TEXT NOT NULL,
	partner    TEXT NOT NULL,
	period     INTEGER NOT NULL,
	value      REAL NOT NULL,
	unit_id    INTEGER,
	source_id  INTEGER,
	PRIMARY KEY (version_id, indicator, country, partner, period)
) WITHOUT ROWID; -- SQLite only: the table is its primary-key index.

CREATE TABLE job_runs (
	id           INTEGER PRIMARY KEY,
	job          TEXT NOT NULL,
	started      TEXT NOT NULL,
	ended        TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL,
	attempt      INTEGER NOT NULL DEFAULT 1,
	message      TEXT NOT NULL DEFAULT '',
	data_version INTEGER NOT NULL DEFAULT 0,
	report       TEXT
);

CREATE INDEX job_runs_job ON job_runs (job, id);

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
