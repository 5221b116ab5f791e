package render

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// chartPixels is an opaque image with what charts have: flat background, lines,
// text-like noise and a gradient band.
func chartPixels(width, height int, alpha uint8) []byte {
	pix := make([]byte, 4*width*height)
	for y := range height {
		for x := range width {
			i := 4 * (y*width + x)
			r, g, b := uint8(255), uint8(255), uint8(255)
			switch {
			case y%50 == 0 || x%97 == 0:
				r, g, b = 220, 220, 220
			case (x*7+y*13)%101 < 3:
				r, g, b = uint8(x), uint8(y), uint8(x^y)
			case y > height/2 && y < height/2+40:
				r, g, b = uint8(x*255/width), 100, 200
			}
			pix[i], pix[i+1], pix[i+2], pix[i+3] = r, g, b, 255
		}
	}
	if alpha != 255 {
		pix[3] = alpha
		pix[0], pix[1], pix[2] = 0, 0, alpha // premultiplied
	}
	return pix
}

func TestPNGWriterRoundTrips(t *testing.T) {
	w := newPNGWriter()
	for _, c := range []struct {
		name          string
		width, height int
		alpha         uint8
		model         color.Model
	}{
		{"opaque chart as RGB", 301, 157, 255, color.RGBAModel},
		{"transparent pixel through image/png", 64, 33, 128, color.NRGBAModel},
		{"opaque again, buffers reused", 1200, 675, 255, color.RGBAModel},
	} {
		t.Run(c.name, func(t *testing.T) {
			pix := chartPixels(c.width, c.height, c.alpha)
			b, err := w.encode(pix, c.width, c.height)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if got := img.Bounds(); got != image.Rect(0, 0, c.width, c.height) {
				t.Fatalf("bounds %v", got)
			}
			if c.model == color.RGBAModel {
				if _, ok := img.(*image.RGBA); !ok {
					t.Errorf("opaque pixels decoded as %T, want RGB (image.RGBA)", img)
				}
			}
			want := &image.RGBA{Pix: pix, Stride: 4 * c.width, Rect: image.Rect(0, 0, c.width, c.height)}
			for y := range c.height {
				for x := range c.width {
					if got, exp := color.RGBAModel.Convert(img.At(x, y)), want.At(x, y); got != exp {
						t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, got, exp)
					}
				}
			}
		})
	}
}

// BenchmarkPNGEncode compares the writer with image/png at BestSpeed (what
// exports used before) on a chart-like 1200×675 image, and reports the sizes.
func BenchmarkPNGEncode(b *testing.B) {
	const width, height = 1200, 675
	pix := chartPixels(width, height, 255)
	b.Run("clout", func(b *testing.B) {
		w := newPNGWriter()
		var n int
		for b.Loop() {
			out, err := w.encode(pix, width, height)
			if err != nil {
				b.Fatal(err)
			}
			n = len(out)
		}
		b.ReportMetric(float64(n), "bytes")
	})
	b.Run("image-png", func(b *testing.B) {
		enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &oneBuffer{}}
		img := &image.RGBA{Pix: pix, Stride: 4 * width, Rect: image.Rect(0, 0, width, height)}
		var n int
		for b.Loop() {
			var out bytes.Buffer
			if err := enc.Encode(&out, img); err != nil {
				b.Fatal(err)
			}
			n = out.Len()
		}
		b.ReportMetric(float64(n), "bytes")
	})
}
