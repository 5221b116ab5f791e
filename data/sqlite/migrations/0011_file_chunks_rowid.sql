-- Original files' chunks move to a rowid table. In a WITHOUT ROWID table each
-- 4 MiB chunk was stored inside the primary key's b-tree, which SQLite writes
-- and searches through overflow pages: storing a file took a third longer.
CREATE TABLE file_chunks_rowid (
	sha256  TEXT NOT NULL REFERENCES files (sha256),
	seq     INTEGER NOT NULL,
	content BLOB NOT NULL,
	UNIQUE (sha256, seq)
);

INSERT INTO file_chunks_rowid (sha256, seq, content)
SELECT sha256, seq, content FROM file_chunks ORDER BY sha256, seq;

DROP TABLE file_chunks;

ALTER TABLE file_chunks_rowid RENAME TO file_chunks;
