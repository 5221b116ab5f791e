package render

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/clout-dev/clout/assets"
)

type testCollection struct {
	Features []struct {
		ID         string            `json:"id"`
		Properties map[string]string `json:"properties"`
		Geometry   struct {
			Type        string           `json:"type"`
			Coordinates [][][][2]float64 `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

func mustAtlas(t *testing.T) *Atlas {
	t.Helper()
	a, err := NewAtlas(assets.MustRead(assets.WorldAtlas))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mapOf(t *testing.T, a *Atlas, name string) testCollection {
	t.Helper()
	b, ok := a.GeoJSON(name)
	if !ok {
		t.Fatalf("no map %s", name)
	}
	var c testCollection
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

type bounds struct{ minX, minY, maxX, maxY float64 }

func boundsOf(rings ...[][2]float64) bounds {
	b := bounds{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, r := range rings {
		for _, p := range r {
			b.minX, b.minY, b.maxX, b.maxY = min(b.minX, p[0]), min(b.minY, p[1]), max(b.maxX, p[0]), max(b.maxY, p[1])
		}
	}
	return b
}

// Rings crossing the antimeridian (Russia's Chukotka, Fiji) are cut where the
// map's edge is: no ring spans more than 180° of longitude, none jumps across
// the map, and the atlas really had such rings.
func TestAtlasCutsTheAntimeridian(t *testing.T) {
	features, err := decodeTopo(assets.MustRead(assets.WorldAtlas))
	if err != nil {
		t.Fatal(err)
	}
	crossing := map[string]bool{}
	for _, f := range features {
		for _, poly := range f.polygons {
			for _, r := range poly {
				for i := 1; i < len(r); i++ {
					if math.Abs(r[i][0]-r[i-1][0]) > 180 {
						crossing[f.name] = true
					}
				}
			}
		}
	}
	if !crossing["Russia"] || !crossing["Fiji"] {
		t.Fatalf("the atlas's rings crossing the antimeridian: %v; want Russia and Fiji among them", crossing)
	}
	for _, v := range mapViews() {
		for _, f := range features {
			if f.id == antarcticaID {
				continue // dropped: a ring around the pole has no side to cut
			}
			for _, poly := range v.cut(f.polygons) {
				for _, r := range poly {
					b := boundsOf(r)
					if b.maxX-b.minX > 180 || b.minX < -180-1e-9 || b.maxX > 180+1e-9 {
						t.Errorf("%s: a ring of %s spans %.1f° to %.1f°", v.name, f.name, b.minX, b.maxX)
					}
					for i := 1; i < len(r); i++ {
						if math.Abs(r[i][0]-r[i-1][0]) > 180 {
							t.Errorf("%s: a ring of %s jumps from %.1f° to %.1f°", v.name, f.name, r[i-1][0], r[i][0])
						}
					}
				}
			}
		}
	}
	// Projected: no ring runs across half the world map (the band the uncut
	// rings drew at Russia's latitude).
	world := mapOf(t, mustAtlas(t), WorldMap)
	for _, f := range world.Features {
		for _, poly := range f.Geometry.Coordinates {
			for _, r := range poly {
				if b := boundsOf(r); b.maxX-b.minX > 500 {
					t.Errorf("%s: a ring %.0f units wide on a map 1,000 wide", f.Properties["name"], b.maxX-b.minX)
				}
			}
		}
	}
}

// The world map has no Antarctica; the Eurasian map is framed to Europe and
// Asia: Russia whole in it, the Americas, Africa's south and Australia out.
func TestAtlasFraming(t *testing.T) {
	a := mustAtlas(t)
	if got := a.MapNames(); len(got) != 2 || got[0] != EurasiaMap || got[1] != WorldMap {
		t.Errorf("maps %v", got)
	}
	for _, name := range []string{WorldMap, EurasiaMap} {
		c := mapOf(t, a, name)
		seen := map[string]bounds{}
		for _, f := range c.Features {
			if f.ID == antarcticaID || f.Properties["name"] == "Antarctica" {
				t.Errorf("%s draws Antarctica", name)
			}
			var rings [][][2]float64
			for _, poly := range f.Geometry.Coordinates {
				rings = append(rings, poly...)
			}
			b := boundsOf(rings...)
			seen[f.Properties["name"]] = b
		}
		frame := boundsOf()
		for _, b := range seen {
			frame.minX, frame.minY, frame.maxX, frame.maxY = min(frame.minX, b.minX), min(frame.minY, b.minY), max(frame.maxX, b.maxX), max(frame.maxY, b.maxY)
		}
		if frame.minX < 0 || frame.maxX > 1000.1 || frame.minY < 0 {
			t.Errorf("%s: shapes span %+v, want within 0–1000 across", name, frame)
		}
		switch name {
		case WorldMap:
			for _, want := range []string{"Russia", "Brazil", "Australia", "Fiji", "United States of America"} {
				if _, ok := seen[want]; !ok {
					t.Errorf("world map without %s", want)
				}
			}
		case EurasiaMap:
			for _, want := range []string{"Russia", "Kazakhstan", "Belarus", "Armenia", "Uzbekistan", "Germany", "Turkey", "China"} {
				if _, ok := seen[want]; !ok {
					t.Errorf("Eurasian map without %s", want)
				}
			}
			for _, out := range []string{"Brazil", "Australia", "South Africa", "Mexico"} {
				if _, ok := seen[out]; ok {
					t.Errorf("Eurasian map draws %s", out)
				}
			}
			// Russia is whole: from the Baltic to the Bering Strait, clear of the frame's sides.
			if r := seen["Russia"]; r.minX <= 1 || r.maxX >= 999 {
				t.Errorf("Russia %+v is cut by the frame", r)
			}
			if k, r := seen["Kazakhstan"], seen["Russia"]; k.maxY > r.maxY || k.minX < r.minX || k.maxX > r.maxX {
				t.Errorf("Kazakhstan %+v not south of and within Russia's span %+v", k, r)
			}
		}
	}
}

// Equal Earth's reference values (Šavrič et al.): the equator at 0, the pole
// row at y ≈ 1.3173 (in radians of a unit sphere).
func TestEqualEarth(t *testing.T) {
	if x, y := equalEarth(0, 0); x != 0 || y != 0 {
		t.Errorf("origin at %g,%g", x, y)
	}
	if _, y := equalEarth(0, 90); math.Abs(y-1.3173) > 1e-3 {
		t.Errorf("pole at y=%g", y)
	}
	if x, _ := equalEarth(180, 0); math.Abs(x-2.7064) > 1e-3 {
		t.Errorf("equator's end at x=%g", x)
	}
}
