package render

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	v8 "github.com/tommie/v8go"
)

// renderJS is defined in every runtime after echarts.min.js. It takes the option as
// JSON text so the Go side never builds JavaScript objects by hand. The maps the
// option draws on (WorldMap, EurasiaMap) are registered on first use, from the
// GeoJSON Go projected (cloutGeoJSON), as the pages do.
const renderJS = `(function (optionJSON, width, height, theme) {
	var option = JSON.parse(optionJSON);
	[].concat(option.series || [], option.geo || []).forEach(function (s) {
		var name = s && (s.type === 'map' || !s.type) ? s.map : null;
		if (typeof name === 'string' && name && !echarts.getMap(name)) {
			var geo = cloutGeoJSON(name);
			if (geo) { echarts.registerMap(name, JSON.parse(geo)); }
		}
	});
	var chart = echarts.init(null, theme === 'dark' ? 'dark' : null,
		{renderer: 'svg', ssr: true, width: width, height: height});
	try {
		chart.setOption(option);
		return chart.renderToSVGString();
	} finally {
		chart.dispose();
	}
})`

// setupJS stubs the browser functions ECharts looks for (timers never fire:
// server-side rendering draws synchronously), sends console output to the
// logger, and measures text with the embedded fonts.
const setupJS = `var setTimeout = function () { return ++setTimeout.n; }; setTimeout.n = 0;
var clearTimeout = function () {};
var console = {};
['log', 'info', 'warn', 'error', 'debug'].forEach(function (level) {
	console[level] = function () { cloutLog(level, Array.prototype.join.call(arguments, ' ')); };
});`

// lineHeightProbe is the text zrender measures to know a font's line height
// (the width of a CJK ideograph, one em). The embedded font has no CJK glyph,
// and the fallback's narrower advance would make every text box too short for
// ECharts' own overlap checks; the answer is the em.
const lineHeightProbe = "国"

// runtimeRenders is how many renders a runtime draws before it is replaced, in
// the background. The pool releases every value it hands across to V8 (v8go
// keeps them otherwise until the isolate is disposed), so a runtime's memory
// stays flat over hundreds of renders (docs/benchmarks.md); the replacement
// bounds whatever else a long-lived isolate may accumulate, at the cost of one
// start from the code cache (about 60 ms) and a few colder renders.
const runtimeRenders = 4096

// warmRounds is how many times warm draws each warm-up chart in a runtime: V8
// compiles ECharts' hot functions to optimised code only after a dozen or so
// draws, which took a chart from 15–20 ms to 8 ms (docs/benchmarks.md).
const warmRounds = 12

// maxHeapBytes bounds one runtime's JavaScript heap. The largest chart (the
// world map) needs about a tenth of it; past it V8 ends the render.
const maxHeapBytes = 512 << 20

// jsPool keeps up to max JavaScript runtimes (V8 isolates, through v8go), each
// with ECharts loaded. A runtime serves one render at a time; an interrupted or
// worn runtime is disposed, and the next render starts a new one.
//
// V8 compiles ECharts' hot paths to machine code, where an interpreter (goja,
// QuickJS) drew the same charts 4–12 times slower (docs/benchmarks.md).
type jsPool struct {
	src      []byte
	topoJSON []byte     // countries-110m.json
	mu       sync.Mutex // guards the fields below; cache and atlas are made on first use (they take a while)
	cache    *v8.CompilerCachedData
	atlas    *Atlas
	warmOpts [][]byte // what warm drew, drawn again in each replacement runtime
	warmSize Size
	closed   bool
	fonts    *fonts
	log      *slog.Logger
	slots    chan struct{} // one token per runtime that may exist
	idle     chan *jsRuntime
	// wornAfter is runtimeRenders (tests lower it).
	wornAfter int
}

type jsRuntime struct {
	iso     *v8.Isolate
	ctx     *v8.Context
	render  *v8.Function
	renders int
}

func newJSPool(src, topoJSON []byte, f *fonts, max int, log *slog.Logger) *jsPool {
	return &jsPool{src: src, topoJSON: topoJSON, fonts: f, log: log, slots: make(chan struct{}, max), idle: make(chan *jsRuntime, max),
		wornAfter: runtimeRenders}
}

// maps projects the world atlas once; runtimes share the maps.
func (p *jsPool) maps() (*Atlas, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.atlas == nil {
		a, err := NewAtlas(p.topoJSON)
		if err != nil {
			return nil, err
		}
		p.atlas = a
	}
	return p.atlas, nil
}

// codeCache compiles echarts.min.js once in a scratch isolate and keeps V8's
// code cache of it; every runtime loads ECharts from the cache.
func (p *jsPool) codeCache() (*v8.CompilerCachedData, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cache == nil {
		t0 := time.Now()
		iso := v8.NewIsolate()
		defer iso.Dispose()
		script, err := iso.CompileUnboundScript(string(p.src), "echarts.min.js", v8.CompileOptions{Mode: v8.CompileModeEager})
		if err != nil {
			return nil, fmt.Errorf("compile echarts: %w", err)
		}
		p.cache = script.CreateCodeCache()
		p.log.Debug("render: echarts compiled", "took", time.Since(t0), "cache_bytes", len(p.cache.Bytes))
	}
	return p.cache, nil
}

// get returns an idle runtime, or starts one if fewer than max exist, or waits.
func (p *jsPool) get(ctx context.Context) (*jsRuntime, error) {
	select {
	case rt := <-p.idle:
		return rt, nil
	default:
	}
	select {
	case rt := <-p.idle:
		return rt, nil
	case p.slots <- struct{}{}:
		rt, err := p.start()
		if err != nil {
			<-p.slots
			return nil, err
		}
		return rt, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// put returns rt to the pool. Once it has drawn its share it is disposed of and
// a replacement is started and warmed in the background, keeping its slot, so
// no reader waits for a fresh runtime's start.
func (p *jsPool) put(rt *jsRuntime) {
	if rt.renders < p.wornAfter {
		p.idle <- rt
		return
	}
	rt.close()
	go p.replace()
}

// replace starts a runtime in a slot already taken, draws warm's options in it
// and makes it idle.
func (p *jsPool) replace() {
	rt, err := p.start()
	if err != nil {
		p.log.Warn("render: replacing a javascript runtime", "err", err)
		<-p.slots
		return
	}
	p.mu.Lock()
	opts, size := p.warmOpts, p.warmSize
	p.mu.Unlock()
	for range warmRounds {
		for _, opt := range opts {
			if _, usable, _ := p.run(context.Background(), rt, opt, size, Light); !usable {
				p.discard(rt)
				return
			}
		}
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		p.discard(rt)
		return
	}
	p.idle <- rt
}

// discard disposes of a runtime (worn, or interrupted mid-render with its state
// unknown) and frees its slot.
func (p *jsPool) discard(rt *jsRuntime) {
	rt.close()
	<-p.slots
}

func (rt *jsRuntime) close() {
	rt.ctx.Close()
	rt.iso.Dispose()
}

// start creates a runtime: the browser stubs, ECharts from the code cache, the
// font-backed measureText and the map shapes.
func (p *jsPool) start() (rt *jsRuntime, err error) {
	cache, err := p.codeCache()
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	iso := v8.NewIsolate(v8.WithResourceConstraints(0, maxHeapBytes))
	m := newMeasurer(p.fonts)
	global := v8.NewObjectTemplate(iso)
	set := func(name string, fn v8.FunctionCallback) {
		if err := global.Set(name, v8.NewFunctionTemplate(iso, fn)); err != nil {
			panic(err) // Set fails only for invalid names
		}
	}
	value := func(v any) *v8.Value {
		val, err := v8.NewValue(iso, v)
		if err != nil {
			panic(err) // NewValue fails only for types other than these
		}
		return val
	}
	set("cloutLog", func(info *v8.FunctionCallbackInfo) *v8.Value {
		defer info.Release()
		if args := info.Args(); len(args) == 2 {
			p.log.Debug("render: echarts console", "level", args[0].String(), "msg", args[1].String())
		}
		return nil
	})
	set("cloutMeasureText", func(info *v8.FunctionCallbackInfo) *v8.Value {
		defer info.Release()
		args := info.Args()
		if len(args) != 2 {
			return value(0.0)
		}
		text, css := args[0].String(), args[1].String()
		if text == lineHeightProbe {
			size, _ := parseCSSFont(css)
			return value(size)
		}
		return value(m.width(text, css))
	})
	// The atlas is projected on first use; if that fails, the render throws.
	mapShapes := v8.NewFunctionTemplateWithError(iso, func(info *v8.FunctionCallbackInfo) (*v8.Value, error) {
		defer info.Release()
		a, err := p.maps()
		if err != nil {
			return nil, err
		}
		b, _ := a.GeoJSON(info.Args()[0].String())
		return value(string(b)), nil
	})
	if err := global.Set("cloutGeoJSON", mapShapes); err != nil {
		panic(err) // Set fails only for invalid names
	}
	ctx := v8.NewContext(iso, global)
	rt = &jsRuntime{iso: iso, ctx: ctx}
	defer func() {
		if err != nil {
			rt.close()
		}
	}()
	if _, err := ctx.RunScript(setupJS, "setup.js"); err != nil {
		return nil, fmt.Errorf("load echarts: %w", err)
	}
	// A copy: compiling records in it whether V8 rejected the cache.
	cached := &v8.CompilerCachedData{Bytes: cache.Bytes}
	script, err := iso.CompileUnboundScript(string(p.src), "echarts.min.js", v8.CompileOptions{CachedData: cached})
	if err != nil {
		return nil, fmt.Errorf("load echarts: %w", err)
	}
	if _, err := script.Run(ctx); err != nil {
		return nil, fmt.Errorf("load echarts: %w", err)
	}
	if _, err := ctx.RunScript(`echarts.setPlatformAPI({measureText: function (text, font) {
		return {width: cloutMeasureText(text, font)};
	}});`, "platform.js"); err != nil {
		return nil, fmt.Errorf("load echarts: setPlatformAPI: %w", err)
	}
	fn, err := ctx.RunScript(renderJS, "render.js")
	if err != nil {
		return nil, fmt.Errorf("load echarts: %w", err)
	}
	if rt.render, err = fn.AsFunction(); err != nil {
		return nil, fmt.Errorf("load echarts: %w", err)
	}
	p.log.Debug("render: javascript runtime started", "took", time.Since(t0), "code_cache_rejected", cached.Rejected)
	return rt, nil
}

// render runs ECharts on option (already prepared) and returns its SVG. If ctx ends
// first the runtime is interrupted and disposed.
func (p *jsPool) render(ctx context.Context, option []byte, size Size, theme Theme) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("render svg: %w", err)
	}
	rt, err := p.get(ctx)
	if err != nil {
		return nil, err
	}
	svg, usable, err := p.run(ctx, rt, option, size, theme)
	if !usable {
		p.discard(rt)
		return nil, err
	}
	p.put(rt)
	return svg, err
}

// run renders with rt, which the caller holds; usable is false when rt was
// interrupted or the render failed (its state unknown), and rt must be disposed.
func (p *jsPool) run(ctx context.Context, rt *jsRuntime, option []byte, size Size, theme Theme) (svg []byte, usable bool, err error) {
	args := make([]v8.Valuer, 0, 4)
	for _, a := range []any{string(option), int32(size.Width), int32(size.Height), string(theme)} {
		v, err := v8.NewValue(rt.iso, a)
		if err != nil {
			return nil, true, fmt.Errorf("render svg: %w", err)
		}
		args = append(args, v)
	}
	rt.renders++
	stop := context.AfterFunc(ctx, rt.iso.TerminateExecution)
	v, err := rt.render.Call(v8.Undefined(rt.iso), args...)
	for _, a := range args {
		a.(*v8.Value).Release()
	}
	if !stop() {
		// The interrupt fired (or is firing): the runtime may be mid-way anywhere.
		return nil, false, fmt.Errorf("render svg: %w", ctx.Err())
	}
	if err != nil {
		// ECharts throwing on an option from our own builders is a bug, not bad
		// input; V8 ending a render past its heap limit leaves the runtime spent.
		// Either way its state is unknown, and a fresh runtime is cheap.
		return nil, false, fmt.Errorf("render svg: echarts: %w", err)
	}
	defer v.Release()
	if !v.IsString() {
		return nil, true, errors.New("render svg: echarts returned no SVG")
	}
	return []byte(v.String()), true, nil
}

// warm starts every runtime the pool may still create and renders options in
// each, warmRounds times: a fresh runtime's first renders run ECharts' one-time
// set-up (components, the world map) and V8's compilation of its hot paths,
// which a reader's first export should not pay for. It never
// waits for a busy runtime, and returns the last SVG it rendered.
func (p *jsPool) warm(ctx context.Context, options [][]byte, size Size) ([]byte, error) {
	p.mu.Lock()
	p.warmOpts, p.warmSize = options, size
	p.mu.Unlock()
	var svg []byte
	for {
		select {
		case p.slots <- struct{}{}:
		default:
			return svg, nil // every runtime exists
		}
		rt, err := p.start()
		if err != nil {
			<-p.slots
			return nil, err
		}
		for range warmRounds {
			for _, opt := range options {
				var usable bool
				if svg, usable, err = p.run(ctx, rt, opt, size, Light); !usable {
					p.discard(rt)
					return nil, err
				} else if err != nil {
					p.put(rt)
					return nil, err
				}
			}
		}
		p.put(rt)
	}
}

// close disposes of idle runtimes; replacements started later dispose of
// themselves.
func (p *jsPool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	for {
		select {
		case rt := <-p.idle:
			p.discard(rt)
		default:
			return
		}
	}
}
