package render

import (
	"bytes"
	"encoding/base64"
	"errors"

	"golang.org/x/image/font/sfnt"
)

// embed inserts @font-face rules carrying the fonts (subset to the characters the
// SVG uses) right after the root element's start tag, so the SVG shows the same
// glyphs anywhere, standalone.
func (f *fonts) embed(svg []byte) ([]byte, error) {
	i := bytes.Index(svg, []byte("<svg"))
	if i < 0 {
		return nil, errors.New("render svg: no <svg> element")
	}
	j := bytes.IndexByte(svg[i:], '>')
	if j < 0 {
		return nil, errors.New("render svg: unterminated <svg> tag")
	}
	at := i + j + 1
	runes := svgRunes(svg)
	var style bytes.Buffer
	style.WriteString(`<defs><style>`)
	for _, face := range []struct {
		ttf    []byte
		font   *sfnt.Font
		weight string
	}{{f.regularTTF, f.regular, "normal"}, {f.boldTTF, f.bold, "bold"}} {
		sub, err := subsetTTF(face.ttf, face.font, runes)
		if err != nil {
			return nil, err
		}
		style.WriteString(`@font-face{font-family:"` + FontFamily + `";font-weight:` + face.weight + `;src:url(data:font/ttf;base64,`)
		style.WriteString(base64.StdEncoding.EncodeToString(sub))
		style.WriteString(`) format("truetype")}`)
	}
	style.WriteString(`</style></defs>`)
	out := make([]byte, 0, len(svg)+style.Len())
	out = append(out, svg[:at]...)
	out = append(out, style.Bytes()...)
	return append(out, svg[at:]...), nil
}
