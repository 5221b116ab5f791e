-- Original files' chunks may be stored compressed: encoding names how ('' as
-- read, 'zstd'). Chunks stored before stay as they were.
ALTER TABLE file_chunks ADD COLUMN encoding TEXT NOT NULL DEFAULT '';
