-- Original files are kept in chunks of a few MiB (sqlstore's fileChunkSize), so
-- that neither an import of a large local file nor its download holds the file
-- whole in memory. Files stored before as one BYTEA are cut into chunks of the same
-- size (4 MiB).
CREATE TABLE file_chunks (
	sha256  TEXT NOT NULL REFERENCES files (sha256),
	seq     INTEGER NOT NULL,
	content BYTEA NOT NULL,
	PRIMARY KEY (sha256, seq)
);

INSERT INTO file_chunks (sha256, seq, content)
SELECT f.sha256, n.seq, substring(f.content FROM 1 + n.seq * 4194304 FOR 4194304)
FROM files f JOIN generate_series(0, 4095) AS n (seq) ON n.seq::BIGINT * 4194304 < length(f.content);

ALTER TABLE files DROP COLUMN content;
