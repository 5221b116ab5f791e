package render

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"

	"golang.org/x/image/font/sfnt"
)

// svgRunes returns the characters in the text content of svg (style excluded: the
// fonts are not inserted yet).
func svgRunes(svg []byte) map[rune]bool {
	runes := map[rune]bool{' ': true}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	dec.Strict = false
	for {
		tok, err := dec.Token()
		if err != nil {
			return runes // io.EOF, or a syntax error after which nothing more is drawn
		}
		if cd, ok := tok.(xml.CharData); ok {
			for _, r := range string(cd) {
				runes[r] = true
			}
		}
	}
}

// keptTables are the TrueType tables a subset keeps; the rest (kerning, OpenType
// layout, device metrics) are dropped, matching measureText, which ignores kerning.
var keptTables = []string{"OS/2", "cmap", "cvt ", "fpgm", "gasp", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "post", "prep"}

// subsetTTF returns a copy of the TrueType font ttf in which every glyph not needed
// for runes is empty. Glyph ids do not change, so cmap, hmtx and the rest stay valid
// as they are; only glyf, loca, head and post (version 3, no glyph names) are rebuilt.
func subsetTTF(ttf []byte, f *sfnt.Font, runes map[rune]bool) ([]byte, error) {
	tables, err := ttfTables(ttf)
	if err != nil {
		return nil, err
	}
	head, loca, glyf, maxp := tables["head"], tables["loca"], tables["glyf"], tables["maxp"]
	if len(head) < 54 || len(maxp) < 6 || glyf == nil || loca == nil {
		return nil, errors.New("subset font: missing head, maxp, loca or glyf")
	}
	numGlyphs := int(binary.BigEndian.Uint16(maxp[4:]))
	offsets, err := locaOffsets(loca, numGlyphs, binary.BigEndian.Uint16(head[50:]) == 1, len(glyf))
	if err != nil {
		return nil, err
	}
	keep := map[uint16]bool{0: true}
	var buf sfnt.Buffer
	for r := range runes {
		if gi, err := f.GlyphIndex(&buf, r); err == nil && gi != 0 {
			keepGlyph(keep, uint16(gi), glyf, offsets)
		}
	}
	newGlyf, newLoca, long := rebuildGlyf(glyf, offsets, keep)
	newHead := slices.Clone(head)
	binary.BigEndian.PutUint16(newHead[50:], 0) // indexToLocFormat: short
	if long {
		binary.BigEndian.PutUint16(newHead[50:], 1)
	}
	binary.BigEndian.PutUint32(newHead[8:], 0) // checkSumAdjustment, set below
	post := make([]byte, 32)
	if old := tables["post"]; len(old) >= 32 {
		copy(post, old[:32])
	}
	binary.BigEndian.PutUint32(post, 0x00030000)
	tables["glyf"], tables["loca"], tables["head"], tables["post"] = newGlyf, newLoca, newHead, post
	return writeTTF(tables)
}

func ttfTables(ttf []byte) (map[string][]byte, error) {
	if len(ttf) < 12 {
		return nil, errors.New("subset font: too short")
	}
	n := int(binary.BigEndian.Uint16(ttf[4:]))
	tables := map[string][]byte{}
	for i := range n {
		rec := 12 + 16*i
		if rec+16 > len(ttf) {
			return nil, errors.New("subset font: truncated table directory")
		}
		tag := string(ttf[rec : rec+4])
		off, length := binary.BigEndian.Uint32(ttf[rec+8:]), binary.BigEndian.Uint32(ttf[rec+12:])
		if uint64(off)+uint64(length) > uint64(len(ttf)) {
			return nil, fmt.Errorf("subset font: table %q out of bounds", tag)
		}
		if slices.Contains(keptTables, tag) {
			tables[tag] = ttf[off : off+length]
		}
	}
	return tables, nil
}

func locaOffsets(loca []byte, numGlyphs int, long bool, glyfLen int) ([]uint32, error) {
	offsets := make([]uint32, numGlyphs+1)
	for i := range offsets {
		switch {
		case long && 4*i+4 <= len(loca):
			offsets[i] = binary.BigEndian.Uint32(loca[4*i:])
		case !long && 2*i+2 <= len(loca):
			offsets[i] = 2 * uint32(binary.BigEndian.Uint16(loca[2*i:]))
		default:
			return nil, errors.New("subset font: loca too short")
		}
		if int(offsets[i]) > glyfLen || (i > 0 && offsets[i] < offsets[i-1]) {
			return nil, errors.New("subset font: bad loca")
		}
	}
	return offsets, nil
}

// keepGlyph marks gi and, for a composite glyph, its components.
func keepGlyph(keep map[uint16]bool, gi uint16, glyf []byte, offsets []uint32) {
	if keep[gi] || int(gi)+1 >= len(offsets) {
		return
	}
	keep[gi] = true
	g := glyf[offsets[gi]:offsets[gi+1]]
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return // empty or simple glyph
	}
	const (
		argsAreWords = 0x0001
		haveScale    = 0x0008
		moreComps    = 0x0020
		haveXYScale  = 0x0040
		haveTwoByTwo = 0x0080
	)
	for p := 10; p+4 <= len(g); {
		flags, comp := binary.BigEndian.Uint16(g[p:]), binary.BigEndian.Uint16(g[p+2:])
		keepGlyph(keep, comp, glyf, offsets)
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&haveTwoByTwo != 0:
			p += 8
		}
		if flags&moreComps == 0 {
			return
		}
	}
}

// rebuildGlyf keeps the glyphs in keep and returns the new glyf and loca; loca uses
// short offsets (half the size) when the glyf table is small enough.
func rebuildGlyf(glyf []byte, offsets []uint32, keep map[uint16]bool) (newGlyf, newLoca []byte, long bool) {
	starts := make([]uint32, len(offsets))
	for gi := range len(offsets) - 1 {
		starts[gi] = uint32(len(newGlyf))
		if keep[uint16(gi)] {
			newGlyf = append(newGlyf, glyf[offsets[gi]:offsets[gi+1]]...)
			for len(newGlyf)%4 != 0 {
				newGlyf = append(newGlyf, 0)
			}
		}
	}
	starts[len(starts)-1] = uint32(len(newGlyf))
	long = len(newGlyf) > 2*0xFFFF
	for _, off := range starts {
		if long {
			newLoca = binary.BigEndian.AppendUint32(newLoca, off)
		} else {
			newLoca = binary.BigEndian.AppendUint16(newLoca, uint16(off/2))
		}
	}
	return newGlyf, newLoca, long
}

// writeTTF lays the tables out in tag order with checksums and head's adjustment.
func writeTTF(tables map[string][]byte) ([]byte, error) {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	n := len(tags)
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := 16 << entrySelector
	var out bytes.Buffer
	hdr := []any{uint32(0x00010000), uint16(n), uint16(searchRange), uint16(entrySelector), uint16(16*n - searchRange)}
	for _, v := range hdr {
		_ = binary.Write(&out, binary.BigEndian, v)
	}
	off := 12 + 16*n
	headAt := 0
	for _, t := range tags {
		data := tables[t]
		if t == "head" {
			headAt = off
		}
		_ = binary.Write(&out, binary.BigEndian, []uint32{binary.BigEndian.Uint32([]byte(t)), checksum(data), uint32(off), uint32(len(data))})
		off += pad4(len(data))
	}
	for _, t := range tags {
		out.Write(tables[t])
		out.Write(make([]byte, pad4(len(tables[t]))-len(tables[t])))
	}
	b := out.Bytes()
	binary.BigEndian.PutUint32(b[headAt+8:], 0xB1B0AFBA-checksum(b))
	if _, err := sfnt.Parse(b); err != nil && err != io.EOF {
		return nil, fmt.Errorf("subset font: result does not parse: %w", err)
	}
	return b, nil
}

func pad4(n int) int { return (n + 3) &^ 3 }

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
