package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"

	"github.com/clout-dev/clout/indicators"
	"github.com/klauspost/compress/s2"
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

// Chunk encodings: stored as read, or compressed in S2's block format (a csv
// export shrinks to about a third; a workbook, already a zip archive, stays as
// read). S2 compresses a 4 MiB chunk of csv in 7 ms, zstd's fastest level in
// 21 ms for a quarter instead of a third: on the writer's path of an import, the
// time counts more than the bytes.
const (
	chunkPlain = ""
	chunkS2    = "s2"
)

// claimFile adds f's row to files under its SHA-256 sum, unless the store holds
// that content already; it reports whether the file's chunks must be written
// (by fileChunks, in the same transaction).
func (s *Store) claimFile(ctx context.Context, tx *sql.Tx, size int64, sum string) (bool, error) {
	res, err := tx.ExecContext(ctx, s.q(`INSERT INTO files (sha256, size) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING`), sum, size)
	if err != nil {
		return false, fmt.Errorf("store file: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store file: %w", err)
	}
	return n > 0, nil // 0: stored before, by content
}

// fileChunks writes a claimed file's chunks one at a time, so the writer of an
// import can store them while it waits for rows, and checks the file's SHA-256
// after the last: a file whose bytes do not match (it changed while it was
// imported) fails the transaction.
type fileChunks struct {
	f    indicators.FileContent
	sum  string
	size int64
	off  int64
	seq  int
	hash hash.Hash
	buf  []byte
	out  []byte
}

func newFileChunks(f indicators.FileContent, sum string) *fileChunks {
	size := f.Size()
	return &fileChunks{f: f, sum: sum, size: size, hash: sha256.New(), buf: make([]byte, min(size, fileChunkSize)),
		out: make([]byte, s2.MaxEncodedLen(int(min(size, fileChunkSize))))}
}

// done reports whether every chunk is written.
func (c *fileChunks) done() bool { return c.off >= c.size }

// next writes the next chunk through exec, compressed if that saves a tenth.
func (c *fileChunks) next(ctx context.Context, exec func(ctx context.Context, query string, args ...any) error) error {
	n, err := c.f.ReadAt(c.buf[:min(c.size-c.off, int64(len(c.buf)))], c.off)
	if err != nil && !(errors.Is(err, io.EOF) && c.off+int64(n) == c.size) {
		return fmt.Errorf("store file: read at %d: %w", c.off, err)
	}
	chunk := c.buf[:n]
	c.hash.Write(chunk)
	content, encoding := chunk, chunkPlain
	if packed := s2.Encode(c.out, chunk); len(packed) < n-n/10 {
		content, encoding = packed, chunkS2
	}
	if err := exec(ctx, `INSERT INTO file_chunks (sha256, seq, content, encoding) VALUES (?, ?, ?, ?)`, c.sum, c.seq, content, encoding); err != nil {
		return fmt.Errorf("store file: chunk %d: %w", c.seq, err)
	}
	c.off += int64(n)
	c.seq++
	return nil
}

// finish writes the chunks left and checks the file's sum.
func (c *fileChunks) finish(ctx context.Context, exec func(ctx context.Context, query string, args ...any) error) error {
	for !c.done() {
		if err := c.next(ctx, exec); err != nil {
			return err
		}
	}
	if got := hex.EncodeToString(c.hash.Sum(nil)); got != c.sum {
		return indicators.Errorf(indicators.ECONFLICT, "the file changed while it was imported (SHA-256 %s, expected %s): import it again", got, c.sum)
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

// decode returns a chunk's bytes as they were read from the file.
func (c *chunkReader) decode(chunk []byte, encoding string) ([]byte, error) {
	switch encoding {
	case chunkPlain:
		return chunk, nil
	case chunkS2:
		n, err := s2.DecodedLen(chunk)
		if err != nil || n > fileChunkSize {
			return nil, fmt.Errorf("decompress: a chunk of %d bytes (%v)", n, err)
		}
		out, err := s2.Decode(make([]byte, n), chunk)
		if err != nil {
			return nil, fmt.Errorf("decompress: %w", err)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("unknown encoding %q", encoding)
	}
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
			var encoding string
			err := c.s.db.QueryRowContext(c.ctx, c.s.q(`SELECT content, encoding FROM file_chunks WHERE sha256 = ? AND seq = ?`), c.sha256, seq).Scan(&chunk, &encoding)
			if err != nil {
				return n, c.s.errorf(err, "%s: chunk %d", c.what, seq)
			}
			if chunk, err = c.decode(chunk, encoding); err != nil {
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
