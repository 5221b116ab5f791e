package importer

import (
	"math/rand/v2"
	"testing"
)

func TestKeySet(t *testing.T) {
	k := func(ind, cty, per int) obsKey { return obsKey{ind: uint32(ind), cty: uint32(cty), per: int32(per)} }
	tests := []struct {
		name  string
		keys  []obsKey
		dups  []int // indexes of keys that must be reported as duplicates
		late  int   // keys kept out of the sorted slice
		total int
	}{
		{name: "sorted", keys: []obsKey{k(1, 1, 1), k(1, 1, 2), k(1, 2, 1), k(2, 1, 1)}, total: 4},
		{name: "sorted with a repeat of the last", keys: []obsKey{k(1, 1, 1), k(1, 1, 2), k(1, 1, 2)}, dups: []int{2}, total: 2},
		{name: "repeat of an early key", keys: []obsKey{k(1, 1, 1), k(1, 2, 1), k(1, 3, 1), k(1, 1, 1)}, dups: []int{3}, total: 3},
		{name: "out of order, then repeated", keys: []obsKey{k(1, 2, 1), k(1, 1, 1), k(1, 3, 1), k(1, 1, 1), k(1, 4, 1)}, dups: []int{3}, late: 1, total: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks := keySet{late: map[obsKey]seen{}}
			var dups []int
			for i, key := range tc.keys {
				prev, dup := ks.add(key, seen{row: int32(i + 1)})
				if dup {
					dups = append(dups, i)
					if tc.keys[prev.row-1] != key {
						t.Errorf("duplicate %d points at row %d holding %+v", i, prev.row, tc.keys[prev.row-1])
					}
				}
			}
			if len(dups) != len(tc.dups) || (len(dups) > 0 && dups[0] != tc.dups[0]) {
				t.Errorf("duplicates at %v, want %v", dups, tc.dups)
			}
			if len(ks.late) != tc.late || ks.len() != tc.total {
				t.Errorf("late %d, total %d; want %d, %d", len(ks.late), ks.len(), tc.late, tc.total)
			}
		})
	}
	// Against a map, on random keys.
	ks, ref := keySet{late: map[obsKey]seen{}}, map[obsKey]bool{}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		key := k(rng.IntN(5), rng.IntN(30), rng.IntN(60))
		_, dup := ks.add(key, seen{})
		if dup != ref[key] {
			t.Fatalf("key %+v: dup %v, want %v", key, dup, ref[key])
		}
		ref[key] = true
	}
	if ks.len() != len(ref) {
		t.Fatalf("len %d, want %d", ks.len(), len(ref))
	}
}
