// Package assets embeds the third-party files Clout serves and renders with: ECharts,
// the world map (TopoJSON) and its client, the DejaVu fonts and resvg's WebAssembly
// build. They come from npm (package-lock.json pins them) through `make assets`,
// which copies them into vendor/; they are build output and not committed.
package assets

import "embed"

// Vendor holds vendor/*: echarts.min.js, topojson-client.min.js, countries-110m.json,
// resvg.wasm, DejaVuSans.ttf, DejaVuSans-Bold.ttf.
//
//go:embed vendor/*.js vendor/*.json vendor/*.wasm vendor/*.ttf
var Vendor embed.FS

// Names of the embedded files.
const (
	EChartsJS      = "vendor/echarts.min.js"
	TopoJSONClient = "vendor/topojson-client.min.js"
	WorldAtlas     = "vendor/countries-110m.json"
	ResvgWasm      = "vendor/resvg.wasm"
	FontRegular    = "vendor/DejaVuSans.ttf"
	FontBold       = "vendor/DejaVuSans-Bold.ttf"
)

// MustRead returns an embedded file; the names above always exist in a built binary.
func MustRead(name string) []byte {
	b, err := Vendor.ReadFile(name)
	if err != nil {
		panic("assets: " + err.Error() + " (run `make assets`)")
	}
	return b
}
