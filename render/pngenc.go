package render

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"

	"github.com/klauspost/compress/zlib"
)

// pngWriter encodes the rasteriser's pixels as PNG, keeping its buffers from one
// image to the next. Charts are drawn on an opaque background, so they are
// written as 8-bit RGB with every row filtered "Up" (a chart's rows mostly
// repeat the row above) and deflated by klauspost's zlib at its fastest level:
// about a third of image/png's time at BestSpeed, which picks a filter per row
// by trying all five and deflates more slowly, for files of about the same size
// (docs/benchmarks.md). Pixels with any transparency go through image/png.
type pngWriter struct {
	zw   *zlib.Writer
	idat bytes.Buffer
	rows [2][]byte // the filtered row being written and the previous RGB row
	std  png.Encoder
}

func newPNGWriter() *pngWriter {
	return &pngWriter{std: png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &oneBuffer{}}}
}

// oneBuffer is the buffer pool of one image/png encoder.
type oneBuffer struct{ b *png.EncoderBuffer }

func (p *oneBuffer) Get() *png.EncoderBuffer  { return p.b }
func (p *oneBuffer) Put(b *png.EncoderBuffer) { p.b = b }

// encode returns the PNG of pix, premultiplied RGBA rows of width pixels.
func (w *pngWriter) encode(pix []byte, width, height int) ([]byte, error) {
	if !opaque(pix) {
		img := &image.RGBA{Pix: pix, Stride: 4 * width, Rect: image.Rect(0, 0, width, height)}
		var out bytes.Buffer
		err := w.std.Encode(&out, img)
		return out.Bytes(), err
	}
	w.idat.Reset()
	if w.zw == nil {
		zw, err := zlib.NewWriterLevel(&w.idat, zlib.BestSpeed)
		if err != nil {
			return nil, err
		}
		w.zw = zw
	} else {
		w.zw.Reset(&w.idat)
	}
	n := 3 * width
	for i := range w.rows {
		if cap(w.rows[i]) < n+1 {
			w.rows[i] = make([]byte, n+1)
		}
		w.rows[i] = w.rows[i][:n+1]
	}
	out, prev := w.rows[0], w.rows[1][1:]
	clear(prev)
	out[0] = 2 // filter type Up: each byte minus the one above it
	for y := range height {
		src := pix[y*4*width : (y+1)*4*width]
		for x, o := 0, 1; x < len(src); x, o = x+4, o+3 {
			r, g, b := src[x], src[x+1], src[x+2]
			out[o], out[o+1], out[o+2] = r-prev[o-1], g-prev[o], b-prev[o+1]
			prev[o-1], prev[o], prev[o+1] = r, g, b
		}
		if _, err := w.zw.Write(out); err != nil {
			return nil, err
		}
	}
	if err := w.zw.Close(); err != nil {
		return nil, err
	}
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(height))
	ihdr[8], ihdr[9] = 8, 2 // 8 bits per sample, truecolour; deflate, adaptive filtering, no interlace
	file := bytes.NewBuffer(make([]byte, 0, w.idat.Len()+64))
	file.WriteString("\x89PNG\r\n\x1a\n")
	writeChunk(file, "IHDR", ihdr[:])
	writeChunk(file, "IDAT", w.idat.Bytes())
	writeChunk(file, "IEND", nil)
	return file.Bytes(), nil
}

// opaque reports whether every pixel of RGBA pix has full alpha.
func opaque(pix []byte) bool {
	for i := 3; i < len(pix); i += 4 {
		if pix[i] != 0xff {
			return false
		}
	}
	return true
}

func writeChunk(b *bytes.Buffer, kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	b.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	b.WriteString(kind)
	b.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	b.Write(n[:])
}
