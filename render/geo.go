package render

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
)

// Names of the maps a choropleth draws on. Each is the world atlas
// (world-atlas countries-110m) projected in Go and registered with ECharts under
// its name, so the pages, the HTML export and the server renderer draw the very
// same shapes, with no code in the option.
const (
	// WorldMap is the world without Antarctica in the Equal Earth projection,
	// centred on Greenwich: for trade partners anywhere.
	WorldMap = "clout-world"
	// EurasiaMap is Europe and Asia in an Albers equal-area conic projection
	// centred on 80°E: for blocs of the former Soviet Union.
	EurasiaMap = "clout-eurasia"
)

// antarcticaID is Antarctica's ISO 3166-1 numeric code: a continent with no
// trade and no people would take a seventh of a world map.
const antarcticaID = "010"

// mapView is how one map is made from the atlas: the meridian the map is
// centred on (the opposite one is where rings are cut), the projection of
// longitudes relative to it, and the longitude/latitude box it is framed to
// (nil: the whole world).
type mapView struct {
	name    string
	lon0    float64
	project func(lon, lat float64) (x, y float64) // degrees, lon relative to lon0
	frame   *box                                  // relative longitudes, latitudes
}

// box is a rectangle: west, south, east, north.
type box struct{ w, s, e, n float64 }

func mapViews() []mapView {
	return []mapView{
		{name: WorldMap, lon0: 0, project: equalEarth},
		{name: EurasiaMap, lon0: 80, project: albers(30, 65, 50),
			// Lisbon to the Bering Strait, the Arctic coast to the Persian Gulf.
			frame: &box{w: -12 - 80, s: 24, e: 192 - 80, n: 82}},
	}
}

// equalEarth is the Equal Earth projection (Šavrič, Patterson, Jenny 2018).
func equalEarth(lon, lat float64) (float64, float64) {
	const a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
	l, p := lon*math.Pi/180, lat*math.Pi/180
	t := math.Asin(math.Sqrt(3) / 2 * math.Sin(p))
	t2 := t * t
	t6 := t2 * t2 * t2
	x := 2 * math.Sqrt(3) * l * math.Cos(t) / (3 * (a1 + 3*a2*t2 + t6*(7*a3+9*a4*t2)))
	y := t * (a1 + a2*t2 + t6*(a3+a4*t2))
	return x, y
}

// albers is the Albers equal-area conic projection with standard parallels
// p1 and p2 and origin latitude p0 (degrees).
func albers(p1, p2, p0 float64) func(lon, lat float64) (float64, float64) {
	r := math.Pi / 180
	n := (math.Sin(p1*r) + math.Sin(p2*r)) / 2
	c := math.Cos(p1*r)*math.Cos(p1*r) + 2*n*math.Sin(p1*r)
	rho0 := math.Sqrt(c-2*n*math.Sin(p0*r)) / n
	return func(lon, lat float64) (float64, float64) {
		rho := math.Sqrt(c-2*n*math.Sin(lat*r)) / n
		t := n * lon * r
		return rho * math.Sin(t), rho0 - rho*math.Cos(t)
	}
}

// Atlas holds the projected maps as GeoJSON, made once from the embedded atlas.
type Atlas struct {
	maps map[string][]byte
}

// atlasFeature is a country of the atlas: its rings in longitude and latitude.
type atlasFeature struct {
	id, name string
	polygons [][][][2]float64 // polygons → rings → points
}

// NewAtlas projects the TopoJSON world atlas into every map of Clout.
func NewAtlas(topoJSON []byte) (*Atlas, error) {
	features, err := decodeTopo(topoJSON)
	if err != nil {
		return nil, fmt.Errorf("world atlas: %w", err)
	}
	a := &Atlas{maps: map[string][]byte{}}
	for _, v := range mapViews() {
		b, err := json.Marshal(v.geoJSON(features))
		if err != nil {
			return nil, fmt.Errorf("map %s: %w", v.name, err)
		}
		a.maps[v.name] = b
	}
	return a, nil
}

// GeoJSON returns the projected shapes of a map by name.
func (a *Atlas) GeoJSON(name string) ([]byte, bool) {
	b, ok := a.maps[name]
	return b, ok
}

// MapNames lists the maps of the atlas.
func (a *Atlas) MapNames() []string {
	names := make([]string, 0, len(a.maps))
	for n := range a.maps {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// topoCountries is the countries object of the TopoJSON world atlas: each
// shape's id (ISO 3166-1 numeric), name and arcs.
type topoCountries struct {
	Objects struct {
		Countries struct {
			Geometries []struct {
				Type       string          `json:"type"`
				ID         string          `json:"id"`
				Arcs       json.RawMessage `json:"arcs"`
				Properties struct {
					Name string `json:"name"`
				} `json:"properties"`
			} `json:"geometries"`
		} `json:"countries"`
	} `json:"objects"`
}

// AtlasNames maps the TopoJSON world atlas's ISO 3166-1 numeric ids to the
// names of its shapes, which ECharts matches a map's data against.
func AtlasNames(topoJSON []byte) (map[string]string, error) {
	var topo topoCountries
	if err := json.Unmarshal(topoJSON, &topo); err != nil {
		return nil, fmt.Errorf("world atlas: %w", err)
	}
	names := map[string]string{}
	for _, g := range topo.Objects.Countries.Geometries {
		if g.ID != "" {
			names[g.ID] = g.Properties.Name
		}
	}
	return names, nil
}

func decodeTopo(b []byte) ([]atlasFeature, error) {
	var topo struct {
		Transform *struct {
			Scale     [2]float64 `json:"scale"`
			Translate [2]float64 `json:"translate"`
		} `json:"transform"`
		Arcs [][][2]float64 `json:"arcs"`
		topoCountries
	}
	if err := json.Unmarshal(b, &topo); err != nil {
		return nil, err
	}
	arcs := make([][][2]float64, len(topo.Arcs))
	for i, arc := range topo.Arcs {
		var x, y float64
		pts := make([][2]float64, len(arc))
		for j, p := range arc {
			if topo.Transform != nil {
				x, y = x+p[0], y+p[1] // delta-encoded, quantised
				pts[j] = [2]float64{x*topo.Transform.Scale[0] + topo.Transform.Translate[0], y*topo.Transform.Scale[1] + topo.Transform.Translate[1]}
			} else {
				pts[j] = p
			}
		}
		arcs[i] = pts
	}
	ring := func(ids []int) ([][2]float64, error) {
		var out [][2]float64
		for k, id := range ids {
			rev := id < 0
			if rev {
				id = ^id
			}
			if id >= len(arcs) {
				return nil, fmt.Errorf("arc %d of %d", id, len(arcs))
			}
			pts := slices.Clone(arcs[id])
			if rev {
				slices.Reverse(pts)
			}
			if k > 0 {
				pts = pts[1:] // the arc starts where the previous one ended
			}
			out = append(out, pts...)
		}
		return out, nil
	}
	var features []atlasFeature
	for _, g := range topo.Objects.Countries.Geometries {
		var polys [][][]int
		switch g.Type {
		case "Polygon":
			var p [][]int
			if err := json.Unmarshal(g.Arcs, &p); err != nil {
				return nil, fmt.Errorf("%s: %w", g.Properties.Name, err)
			}
			polys = [][][]int{p}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				return nil, fmt.Errorf("%s: %w", g.Properties.Name, err)
			}
		default:
			continue
		}
		f := atlasFeature{id: g.ID, name: g.Properties.Name}
		for _, p := range polys {
			var rings [][][2]float64
			for _, r := range p {
				pts, err := ring(r)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", g.Properties.Name, err)
				}
				rings = append(rings, pts)
			}
			f.polygons = append(f.polygons, rings)
		}
		features = append(features, f)
	}
	return features, nil
}

// geoFeature and geoCollection are the GeoJSON ECharts registers.
type geoFeature struct {
	Type       string            `json:"type"`
	ID         string            `json:"id"`
	Properties map[string]string `json:"properties"`
	Geometry   geoGeometry       `json:"geometry"`
}

type geoGeometry struct {
	Type        string           `json:"type"`
	Coordinates [][][][2]float64 `json:"coordinates"`
}

type geoCollection struct {
	Type     string       `json:"type"`
	Features []geoFeature `json:"features"`
}

// geoJSON makes the map: each polygon recentred on the view's meridian and
// cut where it crosses the opposite one, clipped to the frame, densified so
// that cut edges follow the projection's curves, projected, and scaled so the
// map is 1,000 units wide.
func (v mapView) geoJSON(features []atlasFeature) geoCollection {
	type projected struct {
		f     atlasFeature
		polys [][][][2]float64
	}
	var out []projected
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, f := range features {
		if f.id == antarcticaID {
			continue
		}
		var polys [][][][2]float64
		for _, rings := range v.cut(f.polygons) {
			var poly [][][2]float64
			for _, r := range rings {
				pr := make([][2]float64, 0, len(r))
				for _, p := range densify(r, 1) {
					x, y := v.project(p[0], p[1])
					pr = append(pr, [2]float64{x, y})
					minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
				}
				poly = append(poly, pr)
			}
			polys = append(polys, poly)
		}
		if len(polys) > 0 {
			out = append(out, projected{f, polys})
		}
	}
	if v.frame != nil {
		// The frame is the projected box's bounds: a conic's parallels curve,
		// so the box's edges are sampled.
		minX, minY, maxX, maxY = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		fr := *v.frame
		for i := 0; i <= 100; i++ {
			lon := fr.w + (fr.e-fr.w)*float64(i)/100
			lat := fr.s + (fr.n-fr.s)*float64(i)/100
			for _, p := range [][2]float64{{lon, fr.s}, {lon, fr.n}, {fr.w, lat}, {fr.e, lat}} {
				x, y := v.project(p[0], p[1])
				minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
			}
		}
	}
	k := 1000 / (maxX - minX)
	col := geoCollection{Type: "FeatureCollection", Features: []geoFeature{}}
	for _, p := range out {
		var coords [][][][2]float64
		for _, poly := range p.polys {
			var rings [][][2]float64
			for i, r := range poly {
				if v.frame != nil {
					r = clipRect(r, minX, minY, maxX, maxY)
				}
				if len(r) < 3 {
					if i == 0 {
						break // the outer ring is out of the frame: so are its holes
					}
					continue
				}
				sr := make([][2]float64, len(r))
				for j, pt := range r {
					sr[j] = [2]float64{math.Round((pt[0]-minX)*k*10) / 10, math.Round((pt[1]-minY)*k*10) / 10}
				}
				rings = append(rings, sr)
			}
			if len(rings) > 0 {
				coords = append(coords, rings)
			}
		}
		if len(coords) == 0 {
			continue
		}
		col.Features = append(col.Features, geoFeature{Type: "Feature", ID: p.f.id,
			Properties: map[string]string{"name": p.f.name},
			Geometry:   geoGeometry{Type: "MultiPolygon", Coordinates: coords}})
	}
	return col
}

// cut recentres polygons on the view's meridian (longitudes in −180…180 from
// it) and splits every one that crosses the opposite meridian into a part on
// each side, so no ring runs across the whole map.
func (v mapView) cut(polys [][][][2]float64) [][][][2]float64 {
	var out [][][][2]float64
	for _, rings := range polys {
		shifted := make([][][2]float64, len(rings))
		crosses := false
		for i, r := range rings {
			shifted[i], crosses = unwrap(r, v.lon0, crosses)
		}
		if !crosses {
			out = append(out, shifted)
			continue
		}
		// The unwrapped rings run past ±180: keep what lies within, and the
		// rest moved by a full turn to the other edge.
		for _, side := range []struct{ shift, lo, hi float64 }{{0, -180, 180}, {360, -180, 180}, {-360, -180, 180}} {
			var part [][][2]float64
			for i, r := range shifted {
				moved := make([][2]float64, len(r))
				for j, p := range r {
					moved[j] = [2]float64{p[0] + side.shift, p[1]}
				}
				c := clipHalf(clipHalf(moved, 0, side.lo, false), 0, side.hi, true)
				if len(c) < 3 {
					if i == 0 {
						break
					}
					continue
				}
				part = append(part, c)
			}
			if len(part) > 0 {
				out = append(out, part)
			}
		}
	}
	return out
}

// unwrap writes a ring's longitudes relative to lon0, continuous along the
// ring (a step across the cut becomes a step past ±180); crosses reports
// whether any point lies past ±180 (or did already).
func unwrap(r [][2]float64, lon0 float64, crosses bool) ([][2]float64, bool) {
	out := make([][2]float64, len(r))
	for i, p := range r {
		lon := math.Mod(p[0]-lon0+540, 360) - 180
		if i > 0 {
			prev := out[i-1][0]
			for lon-prev > 180 {
				lon -= 360
			}
			for prev-lon > 180 {
				lon += 360
			}
		}
		out[i] = [2]float64{lon, p[1]}
		if lon < -180 || lon > 180 {
			crosses = true
		}
	}
	return out, crosses
}

// clipHalf clips a ring to one side of a line x[axis] = at (Sutherland–Hodgman):
// keeps x ≤ at if below, else x ≥ at.
func clipHalf(r [][2]float64, axis int, at float64, below bool) [][2]float64 {
	inside := func(p [2]float64) bool {
		if below {
			return p[axis] <= at
		}
		return p[axis] >= at
	}
	var out [][2]float64
	for i := range r {
		cur, prev := r[i], r[(i+len(r)-1)%len(r)]
		if inside(cur) != inside(prev) {
			t := (at - prev[axis]) / (cur[axis] - prev[axis])
			var q [2]float64
			q[axis] = at
			q[1-axis] = prev[1-axis] + t*(cur[1-axis]-prev[1-axis])
			out = append(out, q)
		}
		if inside(cur) {
			out = append(out, cur)
		}
	}
	return out
}

// clipRect clips a ring to a rectangle.
func clipRect(r [][2]float64, minX, minY, maxX, maxY float64) [][2]float64 {
	r = clipHalf(r, 0, minX, false)
	r = clipHalf(r, 0, maxX, true)
	r = clipHalf(r, 1, minY, false)
	return clipHalf(r, 1, maxY, true)
}

// densify adds points so no edge is longer than step degrees: a straight
// edge in longitude and latitude is a curve in the projection.
func densify(r [][2]float64, step float64) [][2]float64 {
	out := make([][2]float64, 0, len(r))
	for i, p := range r {
		if i > 0 {
			q := r[i-1]
			n := int(math.Max(math.Abs(p[0]-q[0]), math.Abs(p[1]-q[1])) / step)
			for k := 1; k < n; k++ {
				t := float64(k) / float64(n)
				out = append(out, [2]float64{q[0] + t*(p[0]-q[0]), q[1] + t*(p[1]-q[1])})
			}
		}
		out = append(out, p)
	}
	return out
}
