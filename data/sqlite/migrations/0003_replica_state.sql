-- State every replica must share: browser sessions (the dashboard's scs store) and
-- dry-run uploads staged for a later import, both with an expiry (fixed-width UTC
-- text, so it compares as text).

CREATE TABLE sessions (
	token   TEXT PRIMARY KEY,
	data    BLOB NOT NULL,
	expires TEXT NOT NULL
);

CREATE INDEX sessions_expires ON sessions (expires);

CREATE TABLE staged_uploads (
	id        TEXT PRIMARY KEY,
	owner     TEXT NOT NULL,
	dataset   TEXT NOT NULL,
	file_name TEXT NOT NULL,
	format    TEXT NOT NULL,
	data      BLOB NOT NULL,
	expires   TEXT NOT NULL
);

CREATE INDEX staged_uploads_expires ON staged_uploads (expires);
