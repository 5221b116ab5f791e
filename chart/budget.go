package chart

import (
	"context"
	"errors"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/render"
)

// Defaults of the render budget (Config.MaxImagePixels, RenderPixels, RenderWait).
const (
	// DefaultMaxImagePixels bounds one PNG: 16 megapixels (4000×4000, or
	// 2000×2000 at scale 2) is about 0.4 GB of rendering work at most.
	DefaultMaxImagePixels = 16_000_000
	// DefaultRenderPixels bounds the PNG pixels being rendered at once in the
	// process: one maximum-size image, or many ordinary ones (1200×675 is 0.8
	// megapixels).
	DefaultRenderPixels = DefaultMaxImagePixels
	// DefaultRenderWait is how long a render waits for room in the budget before
	// it is refused as busy.
	DefaultRenderWait = 10 * time.Second
)

// renderBudget bounds the PNG pixels rendered at once: a render takes its
// image's pixels from the budget, waits for them for a while, or is refused
// (EBUSY) so that parallel large images cannot exhaust memory.
type renderBudget struct {
	perImage int64
	total    int64
	wait     time.Duration
	sem      *semaphore.Weighted
}

func newRenderBudget(cfg Config) *renderBudget {
	return &renderBudget{perImage: cfg.MaxImagePixels, total: cfg.RenderPixels, wait: cfg.RenderWait,
		sem: semaphore.NewWeighted(cfg.RenderPixels)}
}

// pixels is the area rasterised for an image in format f: PNG is drawn at its
// scale; other formats are not rasterised by the server.
func pixels(f export.Format, img export.Image) int64 {
	if f != export.PNG {
		return 0
	}
	return int64(img.Size.Width) * int64(img.Scale) * int64(img.Size.Height) * int64(img.Scale)
}

// check refuses an image over the per-image limit (ETOOLARGE, naming it).
func (b *renderBudget) check(f export.Format, img export.Image) error {
	if px := pixels(f, img); px > b.perImage {
		return indicators.Errorf(indicators.ETOOLARGE,
			"image: %d×%d at scale %d is %d pixels, over the limit of %d pixels per image; ask for a smaller width, height or scale",
			img.Size.Width, img.Size.Height, img.Scale, px, b.perImage)
	}
	return nil
}

// acquire takes the image's pixels from the budget, waiting at most the
// budget's wait; it returns the release, or EBUSY when the budget stays full.
func (b *renderBudget) acquire(ctx context.Context, f export.Format, img export.Image) (func(), error) {
	if err := b.check(f, img); err != nil {
		return nil, err
	}
	px := min(pixels(f, img), b.total)
	if px == 0 {
		return func() {}, nil
	}
	wctx, cancel := context.WithTimeout(ctx, b.wait)
	defer cancel()
	if err := b.sem.Acquire(wctx, px); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, indicators.Errorf(indicators.EBUSY,
				"the server is busy rendering other large images (at most %d pixels at once); try again shortly", b.total)
		}
		return nil, err
	}
	return func() { b.sem.Release(px) }, nil
}

// validBudget checks a configured budget against the renderer's own bound.
func validBudget(cfg Config) error {
	switch {
	case cfg.MaxImagePixels > render.MaxPixels:
		return indicators.Errorf(indicators.EINVALID, "image pixel limit %d is over the renderer's maximum of %d", cfg.MaxImagePixels, render.MaxPixels)
	case cfg.RenderPixels < cfg.MaxImagePixels:
		return indicators.Errorf(indicators.EINVALID, "render budget of %d pixels is under the per-image limit of %d: the largest image could never render",
			cfg.RenderPixels, cfg.MaxImagePixels)
	}
	return nil
}
