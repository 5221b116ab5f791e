package render

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
)

// svgRoot matches the root element ECharts' SVG renderer writes:
// <svg width="W" height="H" … viewBox="0 0 W H">.
var svgRoot = regexp.MustCompile(`^<svg width="(\d+)" height="(\d+)"([^>]*) viewBox="0 0 (\d+) (\d+)"`)

// bandOverlap is how far, in SVG units, each band reaches past the row where the
// bands meet; the overlap is drawn and cut off. The rasteriser clips a shape to
// the band, and a shape clipped differently can get different anti-aliasing on
// its edges some way from the cut: 8 units kept the charts and maps of the
// tests identical at scale 1, 32 at scale 2 as well (TestBandsDrawTheWholeImage).
const bandOverlap = 32

// svgBands is a drawing cut in two: top and bottom are the drawing seen through
// the viewBoxes of its upper and lower part, each reaching bandOverlap units
// past the row mid where they meet.
type svgBands struct {
	top, bottom   []byte
	width, height int // of the drawing, in SVG units
	mid           int
}

// splitSVG cuts ECharts' SVG in two bands meeting on a whole unit, so that at
// every integer scale they meet on a pixel row. ok is false for a root element
// of another form, or a drawing too short to cut.
func splitSVG(svg []byte) (b svgBands, ok bool) {
	m := svgRoot.FindSubmatchIndex(svg)
	if m == nil {
		return b, false
	}
	num := func(i int) int {
		n, _ := strconv.Atoi(string(svg[m[2*i]:m[2*i+1]]))
		return n
	}
	b.width, b.height = num(1), num(2)
	if b.width != num(4) || b.height != num(5) || b.height < 4*bandOverlap {
		return b, false
	}
	b.mid = b.height / 2
	band := func(y, h int) []byte {
		var out bytes.Buffer
		out.Grow(len(svg) + 16)
		fmt.Fprintf(&out, `<svg width="%d" height="%d"`, b.width, h)
		out.Write(svg[m[6]:m[7]])
		fmt.Fprintf(&out, ` viewBox="0 %d %d %d"`, y, b.width, h)
		out.Write(svg[m[1]:])
		return out.Bytes()
	}
	b.top = band(0, b.mid+bandOverlap)
	b.bottom = band(b.mid-bandOverlap, b.height-b.mid+bandOverlap)
	return b, true
}

// pixels is the number of pixels of the drawing rasterised width pixels wide.
func (b svgBands) pixels(width int) int { return width * width * b.height / b.width }

// join stacks the kept rows of the bands' pixels (premultiplied RGBA, w pixels
// wide; scale pixels per unit): the top band's rows above mid, then the bottom
// band's from mid on.
func (b svgBands) join(top, bottom []byte, w, scale int) []byte {
	row := 4 * w
	keepTop := b.mid * scale * row
	skipBottom := bandOverlap * scale * row
	out := make([]byte, 0, b.height*scale*row)
	out = append(out, top[:keepTop]...)
	return append(out, bottom[skipBottom:]...)
}
