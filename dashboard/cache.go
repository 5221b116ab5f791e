package dashboard

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// lruCache is a bounded, goroutine-safe least-recently-used cache. Keys include the
// data version, so entries never go stale: old versions simply age out.
type lruCache struct {
	mu    sync.Mutex
	max   int
	ll    *list.List
	items map[string]*list.Element
}

type lruEntry struct {
	key   string
	value any
}

func newLRUCache(max int) *lruCache {
	return &lruCache{max: max, ll: list.New(), items: make(map[string]*list.Element)}
}

func (c *lruCache) get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*lruEntry).value, true
}

func (c *lruCache) put(key string, value any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		el.Value.(*lruEntry).value = value
		c.ll.MoveToFront(el)
		return
	}
	c.items[key] = c.ll.PushFront(&lruEntry{key: key, value: value})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*lruEntry).key)
	}
}

func (c *lruCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

// versionCache remembers the current data version for a short time, so a page
// served from the cache costs no store query; another process (the CLI importing
// into the same SQLite file) is seen within Config.VersionTTL.
type versionCache struct {
	mu      sync.Mutex
	version int64
	fetched time.Time
}

func (v *versionCache) invalidate() {
	v.mu.Lock()
	v.fetched = time.Time{}
	v.mu.Unlock()
}

// dataVersion returns the current data version, from the cache when it is fresh.
func (s *Server) dataVersion(ctx context.Context) (int64, error) {
	v := &s.version
	v.mu.Lock()
	defer v.mu.Unlock()
	now := time.Now()
	if !v.fetched.IsZero() && now.Sub(v.fetched) < s.cfg.VersionTTL {
		return v.version, nil
	}
	n, err := s.store.DataVersion(ctx)
	if err != nil {
		return 0, err
	}
	v.version, v.fetched = n, now
	return n, nil
}
