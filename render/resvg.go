package render

import (
	"context"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	v8 "github.com/tommie/v8go"
)

// maxIdleMemory is the most wasm memory an idle resvg instance may keep; an
// instance that grew beyond it (a huge image) is closed instead of pooled.
const maxIdleMemory = 96 << 20

// resvgHeapBytes bounds the JavaScript heap of a resvg instance's isolate: the
// glue keeps a few objects there, and the module's memory lies outside it.
const resvgHeapBytes = 64 << 20

// resvgWarmRounds is how many times warm draws its chart on every instance. V8
// compiles the module's functions quickly at first (Liftoff) and recompiles the
// ones that run hot with its optimising compiler in the background; the map took
// 290 ms on a fresh instance, 80 ms on the next draw, and its steady 30 ms from
// about the fifth.
const resvgWarmRounds = 6

//go:embed resvg.js
var resvgGlueJS string

// resvg rasterises SVG with resvg's wasm-bindgen build (npm @resvg/resvg-wasm),
// run by V8's WebAssembly compiler in isolates of its own; render/resvg.js is the
// glue. Instances are pooled, and each render runs on one instance at a time.
//
// V8 ran the module twice as fast as wazero's compiler did (the map: 30 ms
// against 55 ms, docs/benchmarks.md), and the binary embeds V8 for ECharts anyway.
type resvg struct {
	wasm  []byte
	fonts [2][]byte // regular, bold
	log   *slog.Logger

	slots chan struct{} // one token per render in progress: bounds instances and memory
	idle  chan *resvgInstance
}

func newResvg(wasm []byte, regular, bold []byte, max int, log *slog.Logger) *resvg {
	return &resvg{wasm: wasm, fonts: [2][]byte{regular, bold}, log: log,
		slots: make(chan struct{}, max), idle: make(chan *resvgInstance, max)}
}

// get returns an idle instance or starts one.
func (r *resvg) get() (*resvgInstance, error) {
	select {
	case in := <-r.idle:
		return in, nil
	default:
	}
	return r.start()
}

func (r *resvg) put(in *resvgInstance) {
	if in.memory > maxIdleMemory {
		in.close()
		return
	}
	select {
	case r.idle <- in:
	default:
		in.close()
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

// rasterOptions is the options JSON of an image width pixels wide.
func rasterOptions(width int, background string) ([]byte, error) {
	return json.Marshal(resvgOptions{
		FitTo:      resvgFit{Mode: "width", Value: width},
		Background: background,
		Font:       resvgFont{DefaultFontFamily: FontFamily, SansSerifFamily: FontFamily},
	})
}

// render returns svg as a PNG width pixels wide (the height follows the aspect ratio).
func (r *resvg) render(ctx context.Context, svg []byte, width int, background string) ([]byte, error) {
	opts, err := rasterOptions(width, background)
	if err != nil {
		return nil, err
	}
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	case <-ctx.Done():
		return nil, fmt.Errorf("render png: %w", ctx.Err())
	}
	in, err := r.get()
	if err != nil {
		return nil, err
	}
	var pix []byte
	var w, h int
	if bands, ok := splitSVG(svg); ok && bandable(bands.pixels(width)) && r.trySlot() {
		pix, w, h, err = r.rasterBands(ctx, in, bands, opts)
		<-r.slots
	} else {
		pix, w, h, err = in.raster(ctx, svg, opts)
	}
	if err != nil {
		// After a trap or an interruption the instance's state is unknown.
		in.close()
		return nil, renderPNGError(ctx, err)
	}
	png, err := in.png.encode(pix, w, h)
	if err != nil {
		in.close()
		return nil, fmt.Errorf("render png: %w", err)
	}
	r.put(in)
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
	in2, err := r.get()
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
		b.pix, b.w, b.h, b.err = in2.raster(ctx, bands.bottom, opts)
		done <- b
	}()
	pix, w, h, err := in.raster(ctx, bands.top, opts)
	b := <-done
	if b.err != nil {
		in2.close()
	} else {
		// b.pix is in2's until its next render: put back once the bands are joined.
		defer r.put(in2)
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

// warm starts every instance the pool may keep and draws svg on each
// resvgWarmRounds times, so that no reader's export pays for compiling the module
// or runs it before V8 optimised its hot functions. It never waits for a busy
// pool: renders then start the instances they need.
func (r *resvg) warm(ctx context.Context, svg []byte, width int, background string) error {
	opts, err := rasterOptions(width, background)
	if err != nil {
		return err
	}
	for range cap(r.idle) - len(r.idle) {
		select {
		case r.slots <- struct{}{}:
		default:
			return nil
		}
		err := r.warmInstance(ctx, svg, opts)
		<-r.slots
		if err != nil {
			return renderPNGError(ctx, err)
		}
	}
	return nil
}

func (r *resvg) warmInstance(ctx context.Context, svg, opts []byte) error {
	in, err := r.start()
	if err != nil {
		return err
	}
	for range resvgWarmRounds {
		if _, _, _, err := in.raster(ctx, svg, opts); err != nil {
			in.close()
			return err
		}
	}
	r.put(in)
	return nil
}

// close disposes of the idle instances; busy ones are disposed of when their
// render ends and the pool is full or they are discarded.
func (r *resvg) close() {
	for {
		select {
		case in := <-r.idle:
			in.close()
		default:
			return
		}
	}
}

// resvgInstance is one V8 isolate running resvg's module through the glue.
type resvgInstance struct {
	iso    *v8.Isolate
	ctx    *v8.Context
	draw   *v8.Function // the glue's raster
	newBuf *v8.Function // (n) → a SharedArrayBuffer of n bytes
	// input is a SharedArrayBuffer the SVG is written to, grown as needed, and
	// inBytes its contents.
	input   *v8.Value
	inBytes []byte
	// meta holds the width, height and memory size the glue writes (int32s),
	// the contents of metaV, which keeps it referenced.
	meta   []byte
	metaV  *v8.Value
	memory int // bytes of wasm memory after the last render
	// png keeps its compressor and row buffers between renders (an instance
	// renders one image at a time): allocating them anew was a good part of
	// encoding's cost and of the garbage collector's work.
	png *pngWriter
}

// start creates an instance: an isolate with the glue, resvg's module compiled
// and instantiated, and the fonts loaded.
func (r *resvg) start() (in *resvgInstance, err error) {
	t0 := time.Now()
	iso := v8.NewIsolate(v8.WithResourceConstraints(0, resvgHeapBytes))
	ctx := v8.NewContext(iso)
	in = &resvgInstance{iso: iso, ctx: ctx, png: newPNGWriter()}
	defer func() {
		if err != nil {
			in.close()
		}
	}()
	fail := func(what string, err error) error { return fmt.Errorf("resvg: %s: %w", what, err) }
	v, err := ctx.RunScript(`(function (n) { return new SharedArrayBuffer(n); })`, "buffer.js")
	if err != nil {
		return nil, fail("start", err)
	}
	if in.newBuf, err = v.AsFunction(); err != nil {
		return nil, fail("start", err)
	}
	glue, err := ctx.RunScript(resvgGlueJS, "resvg.js")
	if err != nil {
		return nil, fail("glue", err)
	}
	setup, err := glue.AsFunction()
	if err != nil {
		return nil, fail("glue", err)
	}
	args := make([]v8.Valuer, 0, 4)
	for _, b := range [][]byte{r.wasm, r.fonts[0], r.fonts[1]} {
		buf, dst, err := in.buffer(len(b))
		if err != nil {
			return nil, fail("start", err)
		}
		copy(dst, b)
		args = append(args, buf)
	}
	if in.metaV, in.meta, err = in.buffer(3 * 4); err != nil { // three int32s
		return nil, fail("start", err)
	}
	args = append(args, in.metaV)
	fn, err := setup.Call(v8.Undefined(iso), args...)
	for _, a := range args[:3] {
		a.(*v8.Value).Release()
	}
	if err != nil {
		return nil, fail("instantiate", err)
	}
	if in.draw, err = fn.AsFunction(); err != nil {
		return nil, fail("instantiate", err)
	}
	r.log.Debug("render: resvg instance started", "took", time.Since(t0))
	return in, nil
}

// buffer returns a new SharedArrayBuffer of size bytes and its contents.
func (in *resvgInstance) buffer(size int) (*v8.Value, []byte, error) {
	n, err := v8.NewValue(in.iso, int32(size))
	if err != nil {
		return nil, nil, err
	}
	defer n.Release()
	v, err := in.newBuf.Call(v8.Undefined(in.iso), n)
	if err != nil {
		return nil, nil, err
	}
	dst, err := in.contents(v)
	if err != nil {
		v.Release()
		return nil, nil, err
	}
	return v, dst, nil
}

// contents is a SharedArrayBuffer's bytes, shared with V8: valid while the
// buffer is referenced, as the instance references the ones it keeps.
func (in *resvgInstance) contents(v *v8.Value) ([]byte, error) {
	b, release, err := v.SharedArrayBufferGetContents()
	if err != nil {
		return nil, err
	}
	release() // drops the Go side's extra reference; the value keeps the buffer
	return b, nil
}

// raster draws svg with opts (resvgOptions as JSON) and returns its pixels:
// premultiplied RGBA rows, w×h, in the instance's own buffer, valid until its
// next raster. If ctx ends first the isolate is interrupted, and the caller must
// close the instance.
func (in *resvgInstance) raster(ctx context.Context, svg, opts []byte) (pix []byte, w, h int, err error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, 0, err
	}
	if len(svg) > len(in.inBytes) {
		v, dst, err := in.buffer(max(len(svg), 2*len(in.inBytes)))
		if err != nil {
			return nil, 0, 0, err
		}
		if in.input != nil {
			in.input.Release()
		}
		in.input, in.inBytes = v, dst
	}
	copy(in.inBytes, svg)
	length, err := v8.NewValue(in.iso, int32(len(svg)))
	if err != nil {
		return nil, 0, 0, err
	}
	defer length.Release()
	options, err := v8.NewValue(in.iso, string(opts))
	if err != nil {
		return nil, 0, 0, err
	}
	defer options.Release()
	stop := context.AfterFunc(ctx, in.iso.TerminateExecution)
	out, err := in.draw.Call(v8.Undefined(in.iso), in.input, length, options)
	if !stop() {
		return nil, 0, 0, ctx.Err()
	}
	if err != nil {
		return nil, 0, 0, err
	}
	defer out.Release()
	w = int(binary.LittleEndian.Uint32(in.meta[0:]))
	h = int(binary.LittleEndian.Uint32(in.meta[4:]))
	in.memory = int(binary.LittleEndian.Uint32(in.meta[8:]))
	px, err := in.contents(out)
	if err != nil {
		return nil, 0, 0, err
	}
	if len(px) < 4*w*h {
		return nil, 0, 0, errors.New("resvg pixels: unexpected buffer")
	}
	return px[:4*w*h], w, h, nil
}

func (in *resvgInstance) close() {
	in.ctx.Close()
	in.iso.Dispose()
}
