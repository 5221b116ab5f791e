package importer

import (
	"iter"
	"sort"
)

// keySet remembers the key of every accepted observation, to find duplicates and
// to ask the store about overlaps. Statistical files are nearly always sorted
// (by indicator, country, period; interned ids follow first appearance, so their
// keys come in increasing order): those keys are appended to a sorted slice, which
// costs a comparison per observation instead of a hash-map probe, and a key that
// is not above the last one is looked up by binary search. Keys that arrive out of
// order go to a map.
type keySet struct {
	sorted []keyed
	late   map[obsKey]seen
}

type keyed struct {
	k obsKey
	s seen
}

func (a obsKey) less(b obsKey) bool {
	switch {
	case a.ind != b.ind:
		return a.ind < b.ind
	case a.cty != b.cty:
		return a.cty < b.cty
	case a.par != b.par:
		return a.par < b.par
	case a.per != b.per:
		return a.per < b.per
	}
	return a.vin < b.vin
}

// add records k; if k was recorded before it returns the earlier record and true.
func (ks *keySet) add(k obsKey, s seen) (seen, bool) {
	n := len(ks.sorted)
	if n == 0 || ks.sorted[n-1].k.less(k) {
		// Above every sorted key, and so above every late one too: each late key
		// was below the last sorted key when it came.
		ks.sorted = append(ks.sorted, keyed{k, s})
		return seen{}, false
	}
	i := sort.Search(n, func(i int) bool { return !ks.sorted[i].k.less(k) })
	if ks.sorted[i].k == k {
		return ks.sorted[i].s, true
	}
	if prev, ok := ks.late[k]; ok {
		return prev, true
	}
	ks.late[k] = s
	return seen{}, false
}

func (ks *keySet) len() int { return len(ks.sorted) + len(ks.late) }

// has reports whether k was recorded.
func (ks *keySet) has(k obsKey) bool {
	n := len(ks.sorted)
	if i := sort.Search(n, func(i int) bool { return !ks.sorted[i].k.less(k) }); i < n && ks.sorted[i].k == k {
		return true
	}
	_, ok := ks.late[k]
	return ok
}

// all yields every key.
func (ks *keySet) all() iter.Seq[obsKey] {
	return func(yield func(obsKey) bool) {
		for _, e := range ks.sorted {
			if !yield(e.k) {
				return
			}
		}
		for k := range ks.late {
			if !yield(k) {
				return
			}
		}
	}
}
