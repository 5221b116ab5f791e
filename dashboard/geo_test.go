package dashboard

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/clout-dev/clout/assets"
	"github.com/clout-dev/clout/render"
)

// The browser gets the very shapes the renderer draws exports with, cached by
// ETag and gzipped; an unknown map is a 404.
func TestGeoMaps(t *testing.T) {
	s := MustServer(t, MustOpenStore(t), testConfig())
	atlas, err := render.NewAtlas(assets.MustRead(assets.WorldAtlas))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{render.WorldMap, render.EurasiaMap} {
		rec := get(t, s.Handler(), "/geo/"+name+".json")
		want, _ := atlas.GeoJSON(name)
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), want) {
			t.Fatalf("%s: status %d, %d bytes; want the renderer's %d bytes", name, rec.Code, rec.Body.Len(), len(want))
		}
		var fc struct {
			Type     string            `json:"type"`
			Features []json.RawMessage `json:"features"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) < 50 {
			t.Errorf("%s: not a GeoJSON collection of countries (%v)", name, err)
		}
		etag := rec.Header().Get("ETag")
		if etag == "" || rec.Header().Get("Content-Type") != "application/geo+json" {
			t.Errorf("%s: headers %v", name, rec.Header())
		}
		if again := get(t, s.Handler(), "/geo/"+name+".json", "If-None-Match", etag); again.Code != http.StatusNotModified {
			t.Errorf("%s: If-None-Match gave %d, want 304", name, again.Code)
		}
		gz := get(t, s.Handler(), "/geo/"+name+".json", "Accept-Encoding", "gzip")
		zr, err := gzip.NewReader(gz.Body)
		if err != nil {
			t.Fatalf("%s: gzip: %v", name, err)
		}
		if body, _ := io.ReadAll(zr); !bytes.Equal(body, want) || gz.Body.Len() >= len(want)/2 {
			t.Errorf("%s: gzipped body differs or is not smaller", name)
		}
	}
	for _, bad := range []string{"/geo/world.json", "/geo/clout-world", "/geo/..%2Fapp.js"} {
		if rec := get(t, s.Handler(), bad); rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", bad, rec.Code)
		}
	}
}
