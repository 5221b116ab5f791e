package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/clout-dev/clout/indicators"
)

// fileChunkSize is how much of an original file one row of file_chunks holds:
// files are stored and read back a chunk at a time, so neither a large import
// nor its download needs the file whole in memory.
const fileChunkSize = 4 << 20 // also in migration 0009, which cut the files stored before into chunks

// fileSHA256 reads f through and returns its SHA-256 in hex.
func fileSHA256(f indicators.FileContent) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, f.Size())); err != nil {
		return "", fmt.Errorf("read file: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// storeFile keeps f under its SHA-256 sum, once: a file the store holds
// already is not written again. The chunks are hashed as they are written, and
// a file whose bytes do not match sum (it changed while it was imported) fails
// the transaction.
func (s *Store) storeFile(ctx context.Context, tx *sql.Tx, f indicators.FileContent, sum string) error {
	size := f.Size()
	res, err := tx.ExecContext(ctx, s.q(`INSERT INTO files (sha256, size) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING`), sum, size)
	if err != nil {
		return fmt.Errorf("store file: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err // stored before, by content
	}
	h := sha256.New()
	buf := make([]byte, min(size, fileChunkSize))
	for seq, off := 0, int64(0); off < size; seq++ {
		n, err := f.ReadAt(buf[:min(size-off, int64(len(buf)))], off)
		if err != nil && !(errors.Is(err, io.EOF) && off+int64(n) == size) {
			return fmt.Errorf("store file: read at %d: %w", off, err)
		}
		h.Write(buf[:n])
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO file_chunks (sha256, seq, content) VALUES (?, ?, ?)`), sum, seq, buf[:n]); err != nil {
			return fmt.Errorf("store file: chunk %d: %w", seq, err)
		}
		off += int64(n)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return indicators.Errorf(indicators.ECONFLICT, "the file changed while it was imported (SHA-256 %s, expected %s): import it again", got, sum)
	}
	return nil
}

// VersionFile returns the original file of a version with its name; its
// content is read from the store a chunk at a time.
func (s *Store) VersionFile(ctx context.Context, dataset string, number int) (indicators.OriginalFile, error) {
	var out indicators.OriginalFile
	err := s.read(ctx, func(tx *sql.Tx) error {
		r, err := s.findVersion(ctx, tx, dataset, number)
		out.Name, out.SHA256 = r.fileName, r.sha256
		out.Content = &chunkReader{ctx: ctx, s: s, sha256: r.sha256, size: r.size, seq: -1,
			what: fmt.Sprintf("file of %s version %d", dataset, number)}
		return err
	})
	if err != nil {
		return indicators.OriginalFile{}, s.errorf(err, "file of %s version %d", dataset, number)
	}
	return out, nil
}

// chunkReader reads a stored file at any offset, a chunk at a time, keeping the
// last chunk read. Files are kept by content and never change, so each chunk is
// read on its own, without a transaction held across a download.
type chunkReader struct {
	ctx    context.Context
	s      *Store
	sha256 string
	what   string
	size   int64

	mu    sync.Mutex // ReadAt may be called in parallel
	seq   int        // of chunk; -1: none read yet
	chunk []byte
}

func (c *chunkReader) Size() int64 { return c.size }

func (c *chunkReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("%s: negative offset", c.what)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= c.size {
			return n, io.EOF
		}
		seq := int(pos / fileChunkSize)
		if seq != c.seq {
			var chunk []byte
			err := c.s.db.QueryRowContext(c.ctx, c.s.q(`SELECT content FROM file_chunks WHERE sha256 = ? AND seq = ?`), c.sha256, seq).Scan(&chunk)
			if err != nil {
				return n, c.s.errorf(err, "%s: chunk %d", c.what, seq)
			}
			c.seq, c.chunk = seq, chunk
		}
		at := int(pos - int64(seq)*fileChunkSize)
		if at >= len(c.chunk) {
			return n, c.s.errorf(io.ErrUnexpectedEOF, "%s: chunk %d is short", c.what, seq)
		}
		n += copy(p[n:], c.chunk[at:])
	}
	return n, nil
}
