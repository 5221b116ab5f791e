package dashboard

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/assets"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/render"
)

// geoMaps serves the projected maps choropleths draw on (GET /geo/:name.json),
// the very GeoJSON the server's renderer registers, so a map in the page and
// in an export are the same shapes. They are projected on first request and
// kept, with an ETag and a gzipped copy.
type geoMaps struct {
	once sync.Once
	maps map[string]*geoBody
	err  error
}

type geoBody struct {
	body, gzipped []byte
	etag          string
}

func newGeoMaps() *geoMaps { return &geoMaps{} }

func (g *geoMaps) load() (map[string]*geoBody, error) {
	g.once.Do(func() {
		atlas, err := render.NewAtlas(assets.MustRead(assets.WorldAtlas))
		if err != nil {
			g.err = err
			return
		}
		g.maps = map[string]*geoBody{}
		for _, name := range atlas.MapNames() {
			body, _ := atlas.GeoJSON(name)
			sum := sha256.Sum256(body)
			var buf bytes.Buffer
			w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = w.Write(body)
			_ = w.Close()
			g.maps[name] = &geoBody{body: body, gzipped: buf.Bytes(), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		}
	})
	return g.maps, g.err
}

// serve answers GET /geo/:file, file being a map's name and ".json".
func (g *geoMaps) serve(c echo.Context) error {
	maps, err := g.load()
	if err != nil {
		return err
	}
	name, ok := strings.CutSuffix(c.Param("file"), ".json")
	m, known := maps[name]
	if !ok || !known {
		return indicators.Errorf(indicators.ENOTFOUND, "map %q: no such map", c.Param("file"))
	}
	// The shapes change only with a new build, under a name that does not:
	// a day's caching, revalidated.
	return writeFixed(c, "public, max-age=86400", m.etag, "application/geo+json", m.body, func() []byte { return m.gzipped })
}
