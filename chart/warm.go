package chart

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
)

// Default views are every chart of the catalogue with its default parameters,
// drawn at export.DefaultImage in the formats below: the images a reader gets
// from a chart page's download links without choosing anything. The warmer draws
// them in the background whenever the data version (or the day printed in their
// footer) changes, so nobody waits for one.

// warmFormats are the formats of the default views drawn ahead.
var warmFormats = []export.Format{export.SVG, export.PNG}

// warmPoll is how often the warmer looks at the data version when nothing tells
// it of a change: another replica's import is seen within it.
const warmPoll = time.Second

// warmYield is how long the warmer waits before looking again while a reader's
// image is being drawn.
const warmYield = 20 * time.Millisecond

// warmState is the image cache's concurrency and the warmer's state, kept apart
// from the rest of the Service.
type warmState struct {
	// flights makes concurrent requests for one image share one render.
	flights singleflight.Group
	// readers counts the images being drawn for a request (not for the warmer);
	// the warmer waits while there are any.
	readers atomic.Int64
	// changed is signalled by DataChanged (capacity 1, never blocks).
	changed chan struct{}

	mu sync.Mutex
	// defaults holds the default views of the generation being warmed, apart
	// from the LRU so that many other images cannot push them out.
	defaults map[string]Snapshot
	gen      warmGeneration
}

// warmGeneration is what the default views depend on besides the charts: the
// data version and the day printed in their footer.
type warmGeneration struct {
	version int64
	day     string
}

func newWarmState() warmState {
	return warmState{changed: make(chan struct{}, 1), defaults: map[string]Snapshot{}}
}

// signalChanged wakes the warmer without blocking.
func (w *warmState) signalChanged() {
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

// warmContextKey marks the warmer's context, so its renders do not count as a
// reader's and do not make the warmer wait for itself.
type warmContextKey struct{}

func isWarming(ctx context.Context) bool { return ctx.Value(warmContextKey{}) != nil }

// imageKey is the cache key of a rendered image: everything that changes its
// bytes, including the day printed in the footer.
func imageKey(permalink string, version int64, f export.Format, img export.Image, now time.Time) string {
	return fmt.Sprintf("%s|%d|%s|%d|%d|%d|%s|%s", permalink, version, f, img.Size.Width, img.Size.Height, img.Scale, img.Theme, now.UTC().Format(time.DateOnly))
}

// cachedImage returns the image of key from the default views or the LRU, or
// draws it with draw. Concurrent callers of one key share one render, so a
// reader asking for a default view the warmer is drawing waits for that render
// instead of starting another. If the caller that started the render gave up
// (its context ended) while this one did not, this one draws it itself.
func (s *Service) cachedImage(ctx context.Context, key string, draw func(context.Context) (Snapshot, error)) (Snapshot, error) {
	for {
		if snap, ok := s.lookupImage(key); ok {
			return snap, nil
		}
		// Do (not DoChan) draws on the calling goroutine: the warmer's render
		// stays on its low-priority thread. A waiter whose own context ends
		// waits at most one render longer.
		v, err, shared := s.warm.flights.Do(key, func() (any, error) {
			if !isWarming(ctx) {
				s.warm.readers.Add(1)
				defer s.warm.readers.Add(-1)
			}
			snap, err := draw(ctx)
			if err != nil {
				return Snapshot{}, err
			}
			s.images.Add(key, snap)
			return snap, nil
		})
		if err != nil && shared && ctx.Err() == nil && isContextErr(err) {
			continue // the render belonged to a caller who left
		}
		snap, _ := v.(Snapshot)
		return snap, err
	}
}

func (s *Service) lookupImage(key string) (Snapshot, bool) {
	s.warm.mu.Lock()
	snap, ok := s.warm.defaults[key]
	s.warm.mu.Unlock()
	if ok {
		return snap, true
	}
	return s.images.Get(key)
}

// EntityTag is the HTTP entity tag of a body: a strong tag of its hash.
func EntityTag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// WarmDefaults runs until ctx ends, drawing the default views of every chart
// (SVG and PNG at export.DefaultImage) at start and again whenever the data
// version or the day changes. One worker draws one image at a time, on an OS
// thread of lowered priority where the system allows it, and waits while a
// reader's image is being drawn; a newer version cancels the drawing of an
// older one. Without an exporter it returns at once.
func (s *Service) WarmDefaults(ctx context.Context, log *slog.Logger) {
	if s.exporter == nil {
		return
	}
	ticker := time.NewTicker(warmPoll)
	defer ticker.Stop()
	var current warmGeneration
	stop := func() {}
	defer func() { stop() }()
	for {
		if gen, err := s.warmGeneration(ctx); err != nil {
			if ctx.Err() == nil {
				log.Warn("warming default views: data version", "err", err)
			}
		} else if gen != current {
			stop()
			current = gen
			stop = s.startDrawing(ctx, gen, log)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.warm.changed:
		case <-ticker.C:
		}
	}
}

// startDrawing makes gen the generation kept and starts drawing its default
// views; the returned stop cancels the drawing and waits for it to end.
func (s *Service) startDrawing(ctx context.Context, gen warmGeneration, log *slog.Logger) (stop func()) {
	s.warm.mu.Lock()
	s.warm.gen, s.warm.defaults = gen, map[string]Snapshot{}
	s.warm.mu.Unlock()
	ctx, cancel := context.WithCancel(context.WithValue(ctx, warmContextKey{}, true))
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.drawDefaults(ctx, gen, log)
	}()
	return func() { cancel(); <-done }
}

// warmGeneration reads the current generation of the default views.
func (s *Service) warmGeneration(ctx context.Context) (warmGeneration, error) {
	v, err := s.DataVersion(ctx)
	if err != nil {
		return warmGeneration{}, err
	}
	return warmGeneration{version: v, day: s.now().UTC().Format(time.DateOnly)}, nil
}

// drawDefaults draws every default view of gen, one after another. It locks
// its goroutine to an OS thread whose scheduling priority it lowers; the thread
// ends with the goroutine, so the lowered priority never reaches a request.
func (s *Service) drawDefaults(ctx context.Context, gen warmGeneration, log *slog.Logger) {
	runtime.LockOSThread() // never unlocked: the thread exits with this goroutine
	lowerThreadPriority()
	start := time.Now()
	drawn := 0
	for _, c := range s.charts {
		for _, f := range warmFormats {
			if !s.waitForReaders(ctx) {
				return
			}
			key, snap, err := s.warmView(ctx, c, gen, f)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				// A chart whose defaults cannot be drawn (no data for it) is
				// left to the request that asks, which reports the error.
				log.Info("warming default views: skipped", "chart", c.ID(), "format", f, "err", err)
				continue
			}
			drawn++
			s.keepDefault(gen, key, snap)
		}
	}
	log.Info("default views drawn", "data_version", gen.version, "images", drawn, "took", time.Since(start).Round(time.Millisecond))
}

// warmView draws one default view into the cache and returns it with its key.
func (s *Service) warmView(ctx context.Context, c indicators.Chart, gen warmGeneration, f export.Format) (string, Snapshot, error) {
	cc, err := s.Compute(ctx, Request{Chart: c, Params: indicators.Params{}, Version: gen.version, Latest: gen.version})
	if err != nil {
		return "", Snapshot{}, err
	}
	img := export.DefaultImage()
	key := imageKey(s.Absolute(cc.Permalink()), cc.Version, f, img, s.now())
	snap, err := s.Snapshot(ctx, cc, f, img)
	return key, snap, err
}

// keepDefault keeps a drawn default view apart from the LRU, if its generation
// is still the one being warmed.
func (s *Service) keepDefault(gen warmGeneration, key string, snap Snapshot) {
	s.warm.mu.Lock()
	defer s.warm.mu.Unlock()
	if s.warm.gen == gen {
		s.warm.defaults[key] = snap
	}
}

// waitForReaders waits until no reader's image is being drawn; false if ctx
// ended first.
func (s *Service) waitForReaders(ctx context.Context) bool {
	for s.warm.readers.Load() > 0 {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(warmYield):
		}
	}
	return ctx.Err() == nil
}
