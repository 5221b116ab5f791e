-- Imports run as operations with an id: the upload is answered (202 and the
-- operation's URL) while the import queues and runs, and any replica can report
-- it. An Idempotency-Key, unique per owner, makes a retried upload find the
-- first operation instead of importing the file twice. Times are fixed-width UTC
-- text, so they compare as text; expired operations are purged.
CREATE TABLE import_operations (
	id              TEXT PRIMARY KEY,
	owner           TEXT NOT NULL,
	idempotency_key TEXT NOT NULL DEFAULT '',
	fingerprint     TEXT NOT NULL,
	state           TEXT NOT NULL,
	status          INTEGER NOT NULL DEFAULT 0,
	result          TEXT NOT NULL DEFAULT '',
	created         TEXT NOT NULL,
	updated         TEXT NOT NULL,
	expires         TEXT NOT NULL
);

CREATE UNIQUE INDEX import_operations_key ON import_operations (owner, idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX import_operations_expires ON import_operations (expires);
