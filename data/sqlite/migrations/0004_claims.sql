-- Claims on trial: the last judging of each claim, every verdict change between
-- judgings, and the claims users add through the dashboard.

-- claim_judgings holds each claim's latest verdicts (JSON: period → verdict) and
-- the data version they were judged at; a judging at an older version is stale.
CREATE TABLE claim_judgings (
	claim        TEXT PRIMARY KEY,
	definition   TEXT NOT NULL,
	data_version INTEGER NOT NULL,
	verdicts     TEXT NOT NULL,
	judged_at    TEXT NOT NULL
);

-- claim_changes is append-only: one row per period whose verdict changed.
CREATE TABLE claim_changes (
	id           INTEGER PRIMARY KEY,
	claim        TEXT NOT NULL,
	period       TEXT NOT NULL,
	old          TEXT NOT NULL,
	new          TEXT NOT NULL,
	data_version INTEGER NOT NULL,
	at           TEXT NOT NULL
);

CREATE INDEX claim_changes_claim ON claim_changes (claim, id);

-- user_claims are claims added through the form, as JSON.
CREATE TABLE user_claims (
	id         TEXT PRIMARY KEY,
	body       TEXT NOT NULL,
	who        TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);
