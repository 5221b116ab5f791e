-- Original files are kept in chunks of a few MiB (sqlstore's fileChunkSize), so
-- that neither an import of a large local file nor its download holds the file
-- whole in memory. Files stored before as one BLOB are cut into chunks of the same
-- size (4 MiB).
CREATE TABLE file_chunks (
	sha256  TEXT NOT NULL REFERENCES files (sha256),
	seq     INTEGER NOT NULL,
	content BLOB NOT NULL,
	PRIMARY KEY (sha256, seq)
) WITHOUT ROWID;

WITH RECURSIVE n (seq) AS (SELECT 0 UNION ALL SELECT seq + 1 FROM n WHERE seq < 4095)
INSERT INTO file_chunks (sha256, seq, content)
SELECT f.sha256, n.seq, substr(f.content, 1 + n.seq * 4194304, 4194304)
FROM files f JOIN n ON n.seq * 4194304 < length(f.content);

ALTER TABLE files DROP COLUMN content;
