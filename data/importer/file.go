package importer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"unicode/utf8"

	"github.com/clout-dev/clout/indicators"
)

// sniffSize is how much of the head of a file its kind is told from.
const sniffSize = 64 << 10

// content is the request's file: req.File, or req.Data in memory.
func (req Request) content() indicators.FileContent {
	if req.File != nil {
		return req.File
	}
	return bytes.NewReader(req.Data)
}

// readHead returns the first n bytes of f (fewer if it is shorter).
func readHead(f indicators.FileContent, n int64) ([]byte, error) {
	head := make([]byte, min(n, f.Size()))
	k, err := f.ReadAt(head, 0)
	if err != nil && !(errors.Is(err, io.EOF) && k == len(head)) {
		return nil, err
	}
	return head[:k], nil
}

// fileScan is what one pass over a file tells before it is parsed.
type fileScan struct {
	sha256 string // hex
	utf8   bool   // the whole file is valid UTF-8
	lines  int    // newlines, to size the duplicate check of a tidy csv
	blank  bool   // only white space (and a BOM): an empty file
}

// scanFile reads f through once, a buffer at a time: its SHA-256, whether it is
// UTF-8 text, and its lines.
func scanFile(f indicators.FileContent) (fileScan, error) {
	h := sha256.New()
	sc := fileScan{utf8: true, blank: true}
	buf := make([]byte, 1<<20)
	carry := 0 // bytes of a rune cut by the end of the previous buffer
	first := true
	r := io.NewSectionReader(f, 0, f.Size())
	for {
		n, err := io.ReadFull(r, buf[carry:])
		chunk := buf[carry : carry+n]
		h.Write(chunk)
		sc.lines += bytes.Count(chunk, []byte{'\n'})
		data := buf[:carry+n]
		if first {
			data, first = bytes.TrimPrefix(data, utf8BOM), false
		}
		if sc.blank && len(bytes.TrimSpace(data)) > 0 {
			sc.blank = false
		}
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			return sc, err
		}
		cut := validPrefix(data, eof) // a rune cut by the buffer's end waits for the next pass
		if sc.utf8 && !utf8.Valid(data[:cut]) {
			sc.utf8 = false
		}
		if eof {
			break
		}
		carry = copy(buf, data[cut:])
	}
	sc.sha256 = hex.EncodeToString(h.Sum(nil))
	return sc, nil
}
