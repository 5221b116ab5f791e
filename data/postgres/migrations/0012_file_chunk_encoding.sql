-- Original files' chunks may be stored compressed: encoding names how ('' as
-- read, 's2', S2's block format). Chunks stored before stay as they were.
ALTER TABLE file_chunks ADD COLUMN encoding TEXT NOT NULL DEFAULT '';
