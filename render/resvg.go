package render

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// maxIdleMemory is the most linear memory an idle resvg instance may keep; an
// instance that grew beyond it (a huge image) is closed instead of pooled.
const maxIdleMemory = 96 << 20

// resvg rasterises SVG with resvg's wasm-bindgen build (npm @resvg/resvg-wasm) under
// wazero. The module is compiled once (cached on disk when possible); instances are
// pooled, and each render runs on one instance at a time.
type resvg struct {
	wasm     []byte
	fonts    [][]byte
	cacheDir string
	log      *slog.Logger

	mu       sync.Mutex // guards the lazy start below
	rt       wazero.Runtime
	cache    wazero.CompilationCache
	compiled wazero.CompiledModule

	slots chan struct{} // one token per render in progress: bounds instances and memory
	idle  chan *resvgInstance
}

func newResvg(wasm []byte, fonts [][]byte, cacheDir string, max int, log *slog.Logger) *resvg {
	return &resvg{wasm: wasm, fonts: fonts, cacheDir: cacheDir, log: log,
		slots: make(chan struct{}, max), idle: make(chan *resvgInstance, max)}
}

// start compiles the module and registers the wasm-bindgen imports, once. If the
// disk cache cannot be written, it compiles again with an in-memory cache.
func (r *resvg) start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.compiled != nil {
		return nil
	}
	t0 := time.Now()
	err := r.compile(ctx, r.compilationCache())
	if err != nil && r.cacheDir != "" {
		r.log.Warn("render: wasm compilation cache failed; compiling in memory", "dir", r.cacheDir, "err", err)
		err = r.compile(ctx, wazero.NewCompilationCache())
	}
	if err != nil {
		return err
	}
	r.log.Debug("render: resvg compiled", "took", time.Since(t0), "cache", r.cacheDir)
	return nil
}

func (r *resvg) compile(ctx context.Context, cache wazero.CompilationCache) error {
	// No WithCloseOnContextDone: it makes every loop iteration call back into Go,
	// which made rasterising ~50× slower. A render is a few calls of tens of
	// milliseconds; the context is checked between them instead.
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(cache))
	fail := func(what string, err error) error {
		_ = rt.Close(ctx)
		_ = cache.Close(ctx)
		return fmt.Errorf("resvg: %s: %w", what, err)
	}
	if err := instantiateBindgen(ctx, rt); err != nil {
		return fail("imports", err)
	}
	compiled, err := rt.CompileModule(ctx, r.wasm)
	if err != nil {
		return fail("compile", err)
	}
	r.rt, r.cache, r.compiled = rt, cache, compiled
	return nil
}

func (r *resvg) compilationCache() wazero.CompilationCache {
	if r.cacheDir != "" {
		c, err := wazero.NewCompilationCacheWithDir(r.cacheDir)
		if err == nil {
			return c
		}
		r.log.Warn("render: wasm compilation cache unavailable; compiling in memory", "dir", r.cacheDir, "err", err)
	}
	return wazero.NewCompilationCache()
}

func (r *resvg) get(ctx context.Context) (*resvgInstance, error) {
	select {
	case in := <-r.idle:
		return in, nil
	default:
	}
	if err := r.start(ctx); err != nil {
		return nil, err
	}
	mod, err := r.rt.InstantiateModule(ctx, r.compiled, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		return nil, fmt.Errorf("resvg: instantiate: %w", err)
	}
	return newInstance(mod)
}

func (r *resvg) put(ctx context.Context, in *resvgInstance) {
	if in.mod.Memory().Size() > maxIdleMemory {
		_ = in.mod.Close(ctx)
		return
	}
	select {
	case r.idle <- in:
	default:
		_ = in.mod.Close(ctx)
	}
}

// resvgOptions is the JSON the Resvg constructor takes (ResvgRenderOptions).
type resvgOptions struct {
	FitTo      resvgFit  `json:"fitTo"`
	Background string    `json:"background"`
	Font       resvgFont `json:"font"`
}

type resvgFit struct {
	Mode  string `json:"mode"`
	Value int    `json:"value"`
}

type resvgFont struct {
	LoadSystemFonts   bool   `json:"loadSystemFonts"`
	DefaultFontFamily string `json:"defaultFontFamily"`
	SansSerifFamily   string `json:"sansSerifFamily"`
}

// render returns svg as a PNG width pixels wide (the height follows the aspect ratio).
func (r *resvg) render(ctx context.Context, svg []byte, width int, background string) ([]byte, error) {
	opts, err := json.Marshal(resvgOptions{
		FitTo:      resvgFit{Mode: "width", Value: width},
		Background: background,
		Font:       resvgFont{DefaultFontFamily: FontFamily, SansSerifFamily: FontFamily},
	})
	if err != nil {
		return nil, err
	}
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	case <-ctx.Done():
		return nil, fmt.Errorf("render png: %w", ctx.Err())
	}
	in, err := r.get(ctx)
	if err != nil {
		return nil, err
	}
	var pix []byte
	var w, h int
	if bands, ok := splitSVG(svg); ok && bandable(bands.pixels(width)) && r.trySlot() {
		pix, w, h, err = r.rasterBands(ctx, in, bands, opts)
		<-r.slots
	} else {
		pix, w, h, err = in.raster(ctx, svg, opts, r.fonts)
	}
	if err != nil {
		// After a trap or cancellation the instance's state is unknown.
		_ = in.mod.Close(context.Background())
		return nil, renderPNGError(ctx, err)
	}
	png, err := in.png.encode(pix, w, h)
	if err != nil {
		_ = in.mod.Close(context.Background())
		return nil, fmt.Errorf("render png: %w", err)
	}
	r.put(ctx, in)
	return png, nil
}

// Images of bandMinPixels to bandMaxPixels are drawn in two bands at once. Below,
// a second instance's work costs about what it saves; above, the two bands' and
// the joined pixels would hold half as much memory again as one piece, and a
// large image is a rare request where memory matters more than a few tens of
// milliseconds.
const (
	bandMinPixels = 200_000
	bandMaxPixels = 4_000_000
)

func bandable(pixels int) bool { return pixels >= bandMinPixels && pixels <= bandMaxPixels }

// trySlot takes a second render slot if one is free right away: an image is
// split across two instances only when the machine has a spare one, so a busy
// server draws each image in one piece and its throughput is unchanged.
func (r *resvg) trySlot() bool {
	select {
	case r.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// rasterBands draws the top band on in and the bottom band on a second instance
// at the same time, and stacks their rows.
func (r *resvg) rasterBands(ctx context.Context, in *resvgInstance, bands svgBands, opts []byte) ([]byte, int, int, error) {
	in2, err := r.get(ctx)
	if err != nil {
		return nil, 0, 0, err
	}
	type band struct {
		pix  []byte
		w, h int
		err  error
	}
	done := make(chan band, 1)
	go func() {
		var b band
		b.pix, b.w, b.h, b.err = in2.raster(ctx, bands.bottom, opts, r.fonts)
		done <- b
	}()
	pix, w, h, err := in.raster(ctx, bands.top, opts, r.fonts)
	b := <-done
	if b.err != nil {
		_ = in2.mod.Close(context.Background())
	} else {
		r.put(ctx, in2)
	}
	switch {
	case err != nil:
		return nil, 0, 0, err
	case b.err != nil:
		return nil, 0, 0, b.err
	}
	scale := w / bands.width
	if b.w != w || scale*bands.width != w || h != (bands.mid+bandOverlap)*scale || b.h != (bands.height-bands.mid+bandOverlap)*scale {
		return nil, 0, 0, fmt.Errorf("bands of %d×%d and %d×%d pixels for a drawing of %d×%d", w, h, b.w, b.h, bands.width, bands.height)
	}
	return bands.join(pix, b.pix, w, scale), w, bands.height * scale, nil
}

func renderPNGError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		err = errors.Join(ctx.Err(), err)
	}
	return fmt.Errorf("render png: %w", err)
}

func (r *resvg) close(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		select {
		case in := <-r.idle:
			_ = in.mod.Close(ctx)
			continue
		default:
		}
		break
	}
	var err error
	if r.rt != nil {
		err = r.rt.Close(ctx)
		if cerr := r.cache.Close(ctx); err == nil {
			err = cerr
		}
		r.rt, r.compiled = nil, nil
	}
	return err
}

// resvgInstance is one instantiated module with its exports and its wasm-bindgen
// object heap.
type resvgInstance struct {
	mod  api.Module
	heap heap
	// png keeps its compressor and row buffers between renders (an instance
	// renders one image at a time): allocating them anew was a good part of
	// encoding's cost and of the garbage collector's work.
	png *pngWriter

	malloc, addToStackPointer        api.Function
	resvgNew, resvgRender, resvgFree api.Function
	imagePixels, imageFree           api.Function
	imageWidth, imageHeight          api.Function
}

func newInstance(mod api.Module) (*resvgInstance, error) {
	in := &resvgInstance{mod: mod, png: newPNGWriter()}
	for name, fn := range map[string]*api.Function{
		"__wbindgen_malloc":               &in.malloc,
		"__wbindgen_add_to_stack_pointer": &in.addToStackPointer,
		"resvg_new":                       &in.resvgNew,
		"resvg_render":                    &in.resvgRender,
		"__wbg_resvg_free":                &in.resvgFree,
		"renderedimage_pixels":            &in.imagePixels,
		"renderedimage_width":             &in.imageWidth,
		"renderedimage_height":            &in.imageHeight,
		"__wbg_renderedimage_free":        &in.imageFree,
	} {
		if *fn = mod.ExportedFunction(name); *fn == nil {
			_ = mod.Close(context.Background())
			return nil, fmt.Errorf("resvg: module does not export %s", name)
		}
	}
	return in, nil
}

// raster does what the JS glue's `new Resvg(svg, options).render()` does, and
// returns the pixels: premultiplied RGBA rows, w×h.
func (in *resvgInstance) raster(ctx context.Context, svg, opts []byte, fonts [][]byte) (pix []byte, w, h int, err error) {
	in.heap.reset()
	ctx = context.WithValue(ctx, instanceKey{}, in)

	optPtr, err := in.passBytes(ctx, opts)
	if err != nil {
		return nil, 0, 0, err
	}
	fontArr := &jsArray{}
	for _, f := range fonts {
		fontArr.items = append(fontArr.items, &jsBytes{b: f})
	}
	resvgPtr, err := in.callRet(ctx, in.resvgNew,
		uint64(in.heap.add(&jsBytes{b: svg})), uint64(optPtr), uint64(len(opts)), uint64(in.heap.add(fontArr)))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("resvg new: %w", err)
	}
	defer in.resvgFree.Call(ctx, uint64(resvgPtr))

	imgPtr, err := in.callRet(ctx, in.resvgRender, uint64(resvgPtr))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("resvg render: %w", err)
	}
	defer in.imageFree.Call(ctx, uint64(imgPtr))
	return in.pixels(ctx, uint32(imgPtr))
}

// pixels takes the rendered pixels out of the instance; they are encoded in Go:
// resvg's own asPng (deflate inside wasm) took longer than drawing the chart.
func (in *resvgInstance) pixels(ctx context.Context, imgPtr uint32) ([]byte, int, int, error) {
	w, err := in.imageWidth.Call(ctx, uint64(imgPtr))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("resvg width: %w", err)
	}
	h, err := in.imageHeight.Call(ctx, uint64(imgPtr))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("resvg height: %w", err)
	}
	idx, err := in.imagePixels.Call(ctx, uint64(imgPtr))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("resvg pixels: %w", err)
	}
	px, ok := in.heap.take(uint32(idx[0])).(*jsBytes)
	width, height := int(uint32(w[0])), int(uint32(h[0]))
	if !ok || len(px.b) != 4*width*height {
		return nil, 0, 0, errors.New("resvg pixels: unexpected buffer")
	}
	return px.b, width, height, nil
}

// callRet calls a wasm-bindgen function that returns through a 16-byte area on the
// shadow stack: (value, error object, is-error).
func (in *resvgInstance) callRet(ctx context.Context, fn api.Function, args ...uint64) (uint32, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	sp, err := in.addToStackPointer.Call(ctx, api.EncodeI32(-16))
	if err != nil {
		return 0, err
	}
	defer in.addToStackPointer.Call(ctx, api.EncodeI32(16))
	retptr := uint32(sp[0])
	if _, err := fn.Call(ctx, append([]uint64{uint64(retptr)}, args...)...); err != nil {
		return 0, err
	}
	mem := in.mod.Memory()
	r0, ok0 := mem.ReadUint32Le(retptr)
	r1, ok1 := mem.ReadUint32Le(retptr + 4)
	r2, ok2 := mem.ReadUint32Le(retptr + 8)
	if !ok0 || !ok1 || !ok2 {
		return 0, errors.New("return area out of memory")
	}
	if r2 != 0 {
		return 0, fmt.Errorf("%v", in.heap.take(r1))
	}
	return r0, nil
}

// passBytes copies b into memory allocated by the module's allocator.
func (in *resvgInstance) passBytes(ctx context.Context, b []byte) (uint32, error) {
	res, err := in.malloc.Call(ctx, uint64(len(b)), 1)
	if err != nil {
		return 0, fmt.Errorf("malloc: %w", err)
	}
	ptr := uint32(res[0])
	if !in.mod.Memory().Write(ptr, b) {
		return 0, errors.New("malloc: pointer out of memory")
	}
	return ptr, nil
}
