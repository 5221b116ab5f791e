package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"sync"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

func testReopenKeepsData(t *testing.T, b Backend) {
	name := b.New(t)
	db := b.Open(t, name, NewClock().Now)
	MustSave(t, db, "pop", "a", pop("RUS", 2019, 144))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 { // migrations run again on every open and must change nothing
		db := b.Open(t, name, NewClock().Now)
		got := values(MustObservations(t, db, indicators.Query{}))
		if want := map[string]float64{"RUS 2019": 144}; !maps.Equal(got, want) {
			t.Fatalf("after reopen: %v, want %v", got, want)
		}
		if dv, err := db.DataVersion(context.Background()); err != nil || dv != 1 {
			t.Errorf("data version after reopen %d %v, want 1", dv, err)
		}
		db.Close()
	}
}

func testSaveVersion_replacesPreviousVersion(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	ctx := context.Background()
	v1 := MustSave(t, db, "pop", "v1", pop("RUS", 2019, 144), pop("KAZ", 2019, 18))
	v2 := MustSave(t, db, "pop", "v2", pop("RUS", 2019, 145), pop("ARM", 2019, 3))

	if v1.Number != 1 || v1.DataVersion != 1 || v2.Number != 2 || v2.DataVersion != 2 {
		t.Fatalf("numbers: v1 %d/%d, v2 %d/%d, want 1/1 and 2/2", v1.Number, v1.DataVersion, v2.Number, v2.DataVersion)
	}
	got := values(MustObservations(t, db, indicators.Query{}))
	if want := map[string]float64{"RUS 2019": 145, "ARM 2019": 3}; !maps.Equal(got, want) {
		t.Errorf("live data %v, want %v", got, want)
	}
	d, err := db.Dataset(ctx, "pop")
	if err != nil {
		t.Fatal(err)
	}
	if d.Current != 2 || d.Observations != 2 || len(d.Versions) != 2 {
		t.Fatalf("dataset %+v, want current 2 with 2 observations and 2 versions", d)
	}
	newest, oldest := d.Versions[0], d.Versions[1]
	if newest.Number != 2 || !newest.Current || oldest.Number != 1 || oldest.Current {
		t.Errorf("versions not newest first with the current marker: %+v", d.Versions)
	}
	sum := sha256.Sum256([]byte("v1"))
	if oldest.SHA256 != hex.EncodeToString(sum[:]) || oldest.Size != 2 || oldest.FileName != "pop.csv" || oldest.Who != "test" {
		t.Errorf("version 1 file fields %+v", oldest)
	}
	if r := newest.Report; r == nil || r.Version != 2 || r.DataVersion != 2 || r.Dataset != "pop" || r.Layout != "tidy" {
		t.Errorf("stored report %+v, want the import's report stamped with version 2, data version 2", r)
	}
	if !newest.CreatedAt.After(oldest.CreatedAt) || !d.UpdatedAt.Equal(newest.CreatedAt) {
		t.Errorf("times: v1 %v, v2 %v, updated %v", oldest.CreatedAt, newest.CreatedAt, d.UpdatedAt)
	}
	list, err := db.Datasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != "pop" || list[0].Current != 2 || list[0].Observations != 2 || list[0].Versions != nil {
		t.Errorf("Datasets() = %+v", list)
	}
}

func testRollback_restoresValuesAsNewVersion(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	ctx := context.Background()
	MustSave(t, db, "pop", "file one", pop("RUS", 2019, 144), pop("KAZ", 2019, 18))
	MustSave(t, db, "pop", "file two", pop("RUS", 2019, 999))

	v3, err := db.Rollback(ctx, "pop", 1, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if v3.Number != 3 || v3.DataVersion != 3 || v3.RollbackOf != 1 || v3.Observations != 2 || v3.Who != "admin" {
		t.Errorf("rollback version %+v, want number 3, data version 3, rollback of 1, 2 observations", v3)
	}
	got := values(MustObservations(t, db, indicators.Query{}))
	if want := map[string]float64{"RUS 2019": 144, "KAZ 2019": 18}; !maps.Equal(got, want) {
		t.Errorf("after rollback %v, want version 1's %v", got, want)
	}
	if dv, _ := db.DataVersion(ctx); dv != 3 {
		t.Errorf("data version %d, want 3", dv)
	}
	name, file, err := ReadVersionFile(ctx, db, "pop", 3)
	if err != nil || name != "pop.csv" || string(file) != "file one" {
		t.Errorf("rollback version file = %q %q %v, want version 1's file", name, file, err)
	}
	d, _ := db.Dataset(ctx, "pop")
	if d.Current != 3 || d.Versions[0].RollbackOf != 1 || !d.Versions[0].Current {
		t.Errorf("history after rollback %+v", d.Versions[0])
	}
	v4, err := db.Rollback(ctx, "pop", 2, "admin")
	if err != nil || v4.Number != 4 || v4.DataVersion != 4 {
		t.Fatalf("second rollback %+v %v", v4, err)
	}
	if got := values(MustObservations(t, db, indicators.Query{})); !maps.Equal(got, map[string]float64{"RUS 2019": 999}) {
		t.Errorf("after rollback to 2: %v", got)
	}
}

func testRollback_errors(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	MustSave(t, db, "pop", "1", pop("RUS", 2019, 1))
	MustSave(t, db, "pop", "2", pop("RUS", 2019, 2))
	if _, err := db.Rollback(context.Background(), "pop", 1, ""); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dataset string
		number  int
		code    string
	}{
		{name: "unknown dataset", dataset: "nope", number: 1, code: indicators.ENOTFOUND},
		{name: "unknown version", dataset: "pop", number: 9, code: indicators.ENOTFOUND},
		{name: "current version", dataset: "pop", number: 3, code: indicators.ECONFLICT},
		{name: "version whose data are current", dataset: "pop", number: 1, code: indicators.ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Rollback(context.Background(), tt.dataset, tt.number, "")
			if code := indicators.ErrorCode(err); code != tt.code {
				t.Fatalf("error %v (code %q), want %q", err, code, tt.code)
			}
			if dv, _ := db.DataVersion(context.Background()); dv != 3 {
				t.Errorf("data version %d after a failed rollback, want 3", dv)
			}
		})
	}
}

func testObservations_asOfReadsThePast(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	ctx := context.Background()
	MustSave(t, db, "pop", "1", pop("RUS", 2019, 1), pop("KAZ", 2019, 10))   // dv 1
	MustSave(t, db, "other", "1", pop("RUS", 2019, 50), pop("UZB", 2019, 7)) // dv 2: overlaps RUS
	MustSave(t, db, "pop", "2", pop("RUS", 2019, 2))                         // dv 3: pop newer, wins RUS
	if _, err := db.Rollback(ctx, "pop", 1, ""); err != nil {                // dv 4: pop v1 again, still newest
		t.Fatal(err)
	}
	MustSave(t, db, "other", "2", pop("UZB", 2019, 8)) // dv 5: other drops RUS

	tests := []struct {
		name string
		asOf int64
		want map[string]float64
	}{
		{name: "first import", asOf: 1, want: map[string]float64{"RUS 2019": 1, "KAZ 2019": 10}},
		{name: "later dataset wins overlap", asOf: 2, want: map[string]float64{"RUS 2019": 50, "KAZ 2019": 10, "UZB 2019": 7}},
		{name: "reimport wins back", asOf: 3, want: map[string]float64{"RUS 2019": 2, "UZB 2019": 7}},
		{name: "rollback is a new change", asOf: 4, want: map[string]float64{"RUS 2019": 1, "KAZ 2019": 10, "UZB 2019": 7}},
		{name: "current", asOf: 0, want: map[string]float64{"RUS 2019": 1, "KAZ 2019": 10, "UZB 2019": 8}},
		{name: "beyond current reads current", asOf: 99, want: map[string]float64{"RUS 2019": 1, "KAZ 2019": 10, "UZB 2019": 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := MustObservations(t, db, indicators.Query{AsOf: tt.asOf})
			if got := values(obs); !maps.Equal(got, tt.want) {
				t.Errorf("as of %d: %v, want %v", tt.asOf, got, tt.want)
			}
			if len(obs) != len(tt.want) {
				t.Errorf("as of %d: %d rows for %d keys (an overlap returned twice?)", tt.asOf, len(obs), len(tt.want))
			}
		})
	}
	if _, err := db.Observations(ctx, indicators.Query{AsOf: -1}); indicators.ErrorCode(err) != indicators.EINVALID {
		t.Errorf("negative as-of: %v, want EINVALID", err)
	}
}

func testOverlaps(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	MustSave(t, db, "a", "1", pop("RUS", 2019, 1), pop("KAZ", 2019, 2), pop("ARM", 2019, 3))
	MustSave(t, db, "a", "2", pop("RUS", 2019, 1), pop("KAZ", 2019, 2)) // ARM no longer current
	MustSave(t, db, "b", "1", pop("RUS", 2019, 1))
	MustSave(t, db, "c", "1", pop("BLR", 2019, 1))

	keys := func(obs ...indicators.Observation) []indicators.Key {
		var ks []indicators.Key
		for _, o := range obs {
			ks = append(ks, o.Key())
		}
		return ks
	}
	tests := []struct {
		name    string
		dataset string
		keys    []indicators.Key
		want    map[string]int
	}{
		{name: "new dataset", dataset: "new", keys: keys(pop("RUS", 2019, 0), pop("KAZ", 2019, 0), pop("ARM", 2019, 0), pop("RUS", 2019, 0)),
			want: map[string]int{"a": 2, "b": 1}},
		{name: "own dataset excluded", dataset: "a", keys: keys(pop("RUS", 2019, 0), pop("KAZ", 2019, 0)), want: map[string]int{"b": 1}},
		{name: "no overlap", dataset: "new", keys: keys(pop("RUS", 2020, 0)), want: map[string]int{}},
		{name: "no keys", dataset: "new", want: map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Overlaps(context.Background(), tt.dataset, indicators.NewKeyList(tt.keys...))
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("Overlaps = %v, want %v", got, tt.want)
			}
		})
	}
}

// testOverlaps_manyKeys covers both ways Overlaps works: reading a dataset whole
// (it is not much larger than the keys) and probing it key by key (it is).
func testOverlaps_manyKeys(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	years := func(from, to int) []indicators.Observation {
		var obs []indicators.Observation
		for y := from; y < to; y++ {
			obs = append(obs, pop("RUS", y, 1))
		}
		return obs
	}
	MustSave(t, db, "a", "1", years(1000, 5000)...) // 4000 rows
	tests := []struct {
		name     string
		from, to int
		want     int
	}{
		{name: "read whole", from: 3000, to: 6000, want: 2000},
		{name: "probe, one chunk and a part", from: 4900, to: 5160, want: 100},
		{name: "probe, few keys", from: 999, to: 1002, want: 2},
		{name: "probe, no overlap", from: 6000, to: 6010},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var keys []indicators.Key
			for _, o := range years(tt.from, tt.to) {
				keys = append(keys, o.Key())
			}
			got, err := db.Overlaps(context.Background(), "b", indicators.NewKeyList(keys...))
			if err != nil || got["a"] != tt.want {
				t.Errorf("Overlaps = %v %v, want a: %d", got, err, tt.want)
			}
			if tt.want == 0 && len(got) != 0 {
				t.Errorf("Overlaps = %v, want none", got)
			}
		})
	}
}

// errParse stands for an importer failing halfway through a file.
var errParse = errors.New("row 1234: not a number")

func testSaveVersion_failureChangesNothing(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	ctx := context.Background()
	MustSave(t, db, "pop", "1", pop("RUS", 2019, 1))
	before := MustObservations(t, db, indicators.Query{})
	beforeSets, _ := db.Datasets(ctx)

	many := func(n int) []indicators.Observation {
		var obs []indicators.Observation
		for i := range n {
			obs = append(obs, pop(fmt.Sprintf("C%04d", i), 2020, float64(i)))
		}
		return obs
	}
	failAfter := func(obs []indicators.Observation, err error) indicators.ObservationSource {
		return func(yield func([]indicators.Observation) error) error {
			if e := yield(obs); e != nil {
				return e
			}
			return err
		}
	}
	canceled, cancel := context.WithCancel(ctx)
	tests := []struct {
		name    string
		dataset string
		ctx     context.Context
		src     indicators.ObservationSource
		code    string
		is      error
	}{
		{name: "source error after rows", dataset: "pop", ctx: ctx, src: failAfter(many(1000), errParse), code: indicators.EINTERNAL, is: errParse},
		{name: "source error in new dataset", dataset: "fresh", ctx: ctx, src: failAfter(many(1000), errParse), code: indicators.EINTERNAL, is: errParse},
		{name: "context ends midway", dataset: "pop", ctx: canceled, code: indicators.EINTERNAL, is: context.Canceled,
			src: func(yield func([]indicators.Observation) error) error {
				if err := yield(many(500)); err != nil {
					return err
				}
				cancel()
				return yield(many(10))
			}},
		{name: "duplicate key", dataset: "pop", ctx: ctx, src: sliceSource(append(many(10), pop("C0003", 2020, 1))), code: indicators.EINVALID},
		{name: "NaN value", dataset: "pop", ctx: ctx, src: sliceSource([]indicators.Observation{pop("RUS", 2020, nan())}), code: indicators.EINVALID},
		{name: "zero period", dataset: "pop", ctx: ctx, src: sliceSource([]indicators.Observation{{Indicator: "X", Country: "RUS"}}), code: indicators.EINVALID},
		{name: "empty dataset name", dataset: " ", ctx: ctx, src: sliceSource(many(1)), code: indicators.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.SaveVersion(tt.ctx, indicators.NewVersion{Dataset: tt.dataset, FileName: "x.csv", File: bytes.NewReader([]byte("x"))}, tt.src)
			if err == nil {
				t.Fatal("SaveVersion succeeded")
			}
			if code := indicators.ErrorCode(err); code != tt.code {
				t.Errorf("error %v has code %q, want %q", err, code, tt.code)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
			if dv, _ := db.DataVersion(ctx); dv != 1 {
				t.Errorf("data version %d, want 1", dv)
			}
			if sets, _ := db.Datasets(ctx); fmt.Sprint(sets) != fmt.Sprint(beforeSets) {
				t.Errorf("datasets %+v, want %+v", sets, beforeSets)
			}
			if after := MustObservations(t, db, indicators.Query{}); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("observations changed: %v", after)
			}
		})
	}
	// The store still works after the failures.
	if v := MustSave(t, db, "pop", "2", pop("RUS", 2019, 2)); v.Number != 2 || v.DataVersion != 2 {
		t.Errorf("next save after failures: %+v, want version 2, data version 2", v)
	}
}

func testSaveVersion_duplicateNamesTheKey(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	obs := []indicators.Observation{pop("RUS", 2019, 1), pop("KAZ", 2019, 1), pop("RUS", 2019, 2)}
	_, err := db.SaveVersion(context.Background(), indicators.NewVersion{Dataset: "d"}, sliceSource(obs))
	if msg := indicators.ErrorMessage(err); msg != "the import gives SP.POP.TOTL for RUS in 2019 more than once" {
		t.Errorf("message %q", msg)
	}
}

func testVersionFile_bytesIdentical(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	ctx := context.Background()
	// Larger than two of the store's chunks, so the file is written and read
	// back in several.
	file := make([]byte, 9<<20+12345)
	rand.Read(file)
	// Text like a csv export's, which the store keeps compressed, with random
	// bytes in its middle chunk, which it keeps as read.
	text := CompressibleFile(9<<20 + 6789)
	rand.Read(text[4<<20 : 8<<20])
	for _, ds := range []string{"a", "b"} { // the same bytes twice are stored once
		if _, err := db.SaveVersion(ctx, indicators.NewVersion{Dataset: ds, FileName: "../../etc/passwd <script>.xlsx", File: bytes.NewReader(file)},
			sliceSource([]indicators.Observation{pop("RUS", 2019, 1)})); err != nil {
			t.Fatal(err)
		}
	}
	MustSave(t, db, "a", "other bytes", pop("RUS", 2019, 2))
	for _, ds := range []string{"a", "b"} {
		f, err := db.VersionFile(ctx, ds, 1)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		got, err := io.ReadAll(io.TeeReader(io.NewSectionReader(f.Content, 0, f.Content.Size()), h))
		if err != nil {
			t.Fatal(err)
		}
		if f.Name != "../../etc/passwd <script>.xlsx" || !bytes.Equal(got, file) || f.Content.Size() != int64(len(file)) {
			t.Errorf("%s: file %q with %d bytes (size %d), want the original name and bytes", ds, f.Name, len(got), f.Content.Size())
		}
		// Read at an offset across a chunk's end, as a download resumed there would.
		part := make([]byte, 100)
		if _, err := f.Content.ReadAt(part, 4<<20-50); err != nil || !bytes.Equal(part, file[4<<20-50:4<<20+50]) {
			t.Errorf("%s: ReadAt across a chunk boundary: %v", ds, err)
		}
		if sum := sha256.Sum256(file); f.SHA256 != hex.EncodeToString(sum[:]) || !bytes.Equal(h.Sum(nil), sum[:]) {
			t.Errorf("%s: SHA-256 %s, want %x", ds, f.SHA256, sum)
		}
	}
	if _, got, _ := ReadVersionFile(ctx, db, "a", 2); string(got) != "other bytes" {
		t.Errorf("version 2 file %q", got)
	}
	if _, err := db.SaveVersion(ctx, indicators.NewVersion{Dataset: "c", FileName: "c.csv", File: bytes.NewReader(text)},
		sliceSource([]indicators.Observation{pop("RUS", 2019, 1)})); err != nil {
		t.Fatal(err)
	}
	if _, got, err := ReadVersionFile(ctx, db, "c", 1); err != nil || !bytes.Equal(got, text) {
		t.Errorf("csv-like file: %d bytes back (%v), want its %d bytes", len(got), err, len(text))
	}
	for _, tt := range []struct {
		dataset string
		number  int
	}{{"a", 3}, {"zzz", 1}} {
		if _, err := db.VersionFile(ctx, tt.dataset, tt.number); indicators.ErrorCode(err) != indicators.ENOTFOUND {
			t.Errorf("VersionFile(%s, %d): %v, want ENOTFOUND", tt.dataset, tt.number, err)
		}
	}
}

func testDataset_unknown(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	if _, err := db.Dataset(context.Background(), "nope"); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("Dataset(nope): %v, want ENOTFOUND", err)
	}
	if sets, err := db.Datasets(context.Background()); err != nil || len(sets) != 0 {
		t.Errorf("Datasets on empty store: %v %v", sets, err)
	}
	if dv, err := db.DataVersion(context.Background()); err != nil || dv != 0 {
		t.Errorf("DataVersion on empty store: %d %v", dv, err)
	}
}

func testSaveVersion_parallel(t *testing.T, b Backend) {
	tests := []struct {
		name     string
		datasets func(i int) string
		handles  int // 2: two processes' worth of connection pools on one database
	}{
		{name: "one dataset", datasets: func(int) string { return "shared" }, handles: 1},
		{name: "different datasets", datasets: func(i int) string { return fmt.Sprintf("ds%d", i) }, handles: 1},
		{name: "one dataset, two handles", datasets: func(int) string { return "shared" }, handles: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := b.New(t)
			clock := NewClock()
			var dbs []Store
			for range tt.handles {
				dbs = append(dbs, b.Open(t, name, clock.Now))
			}
			db := dbs[0]
			const n = 10
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					var obs []indicators.Observation
					for c := range 300 {
						obs = append(obs, pop(fmt.Sprintf("C%03d", c), 2000+i, float64(i)))
					}
					_, errs[i] = dbs[i%len(dbs)].SaveVersion(context.Background(),
						indicators.NewVersion{Dataset: tt.datasets(i), File: bytes.NewReader([]byte{byte(i)})}, sliceSource(obs))
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("import %d: %v", i, err)
				}
			}
			seen := map[int64]bool{}
			sets, _ := db.Datasets(context.Background())
			for _, s := range sets {
				d, err := db.Dataset(context.Background(), s.Name)
				if err != nil {
					t.Fatal(err)
				}
				for i, v := range d.Versions {
					if want := len(d.Versions) - i; v.Number != want {
						t.Errorf("%s: version %d at position %d, want %d", s.Name, v.Number, i, want)
					}
					if v.Observations != 300 {
						t.Errorf("%s v%d: %d observations, want 300", s.Name, v.Number, v.Observations)
					}
					seen[v.DataVersion] = true
				}
			}
			for dv := int64(1); dv <= n; dv++ {
				if !seen[dv] {
					t.Errorf("data version %d missing (have %v)", dv, seen)
				}
			}
			if len(seen) != n {
				t.Errorf("%d data versions, want %d", len(seen), n)
			}
		})
	}
}

func testDiff(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	ctx := context.Background()
	MustSave(t, db, "pop", "1", pop("RUS", 2019, 144), pop("KAZ", 2019, 18), pop("ARM", 2019, 3), pop("BLR", 2019, 9))
	MustSave(t, db, "pop", "2", pop("RUS", 2019, 145), pop("KAZ", 2019, 18), pop("AZE", 2019, 10), pop("BLR", 2019, 9.5))
	if _, err := db.Rollback(ctx, "pop", 1, ""); err != nil {
		t.Fatal(err)
	}
	f := func(v float64) *float64 { return &v }
	change := func(country string, old, new *float64) indicators.ObservationChange {
		return indicators.ObservationChange{Key: pop(country, 2019, 0).Key(), Old: old, New: new}
	}
	tests := []struct {
		name                    string
		from, to                int
		added, removed, changed int
		changes                 []indicators.ObservationChange
	}{
		{name: "import", from: 1, to: 2, added: 1, removed: 1, changed: 2, changes: []indicators.ObservationChange{
			change("ARM", f(3), nil), change("AZE", nil, f(10)), change("BLR", f(9), f(9.5)), change("RUS", f(144), f(145))}},
		{name: "backwards", from: 2, to: 1, added: 1, removed: 1, changed: 2, changes: []indicators.ObservationChange{
			change("ARM", nil, f(3)), change("AZE", f(10), nil), change("BLR", f(9.5), f(9)), change("RUS", f(145), f(144))}},
		{name: "rollback equals its target", from: 1, to: 3, changes: []indicators.ObservationChange{}},
		{name: "same version", from: 2, to: 2, changes: []indicators.ObservationChange{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := db.Diff(ctx, "pop", tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if d.Added != tt.added || d.Removed != tt.removed || d.Changed != tt.changed {
				t.Errorf("counts +%d -%d ~%d, want +%d -%d ~%d", d.Added, d.Removed, d.Changed, tt.added, tt.removed, tt.changed)
			}
			if fmt.Sprint(changeText(d.Changes)) != fmt.Sprint(changeText(tt.changes)) {
				t.Errorf("changes %v, want %v", changeText(d.Changes), changeText(tt.changes))
			}
		})
	}
	for _, bad := range [][2]int{{1, 9}, {9, 1}} {
		if _, err := db.Diff(ctx, "pop", bad[0], bad[1]); indicators.ErrorCode(err) != indicators.ENOTFOUND {
			t.Errorf("Diff(%v): %v, want ENOTFOUND", bad, err)
		}
	}
}

func changeText(cs []indicators.ObservationChange) []string {
	num := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s %s %s %s: %s→%s", c.Indicator, c.Country, c.Partner, c.Period, num(c.Old), num(c.New)))
	}
	return out
}

// CompressibleFile returns size bytes of text in the shape of a tidy csv export.
func CompressibleFile(size int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "SP.POP.TOTL,C%03d,%d-%02d,%d.%d\n", i%250, 1950+i/12%70, i%12+1, i*7919%100003, i%97)
	}
	return b.Bytes()[:size]
}

// ReadVersionFile reads a version's original file whole: its name and bytes.
func ReadVersionFile(ctx context.Context, db indicators.Store, dataset string, number int) (string, []byte, error) {
	f, err := db.VersionFile(ctx, dataset, number)
	if err != nil {
		return "", nil, err
	}
	data, err := io.ReadAll(io.NewSectionReader(f.Content, 0, f.Content.Size()))
	return f.Name, data, err
}
