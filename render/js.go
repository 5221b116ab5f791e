package render

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// renderJS is defined in every runtime after echarts.min.js. It takes the option as
// JSON text so the Go side never builds JavaScript objects by hand. The maps the
// option draws on (WorldMap, EurasiaMap) are registered on first use, from the
// GeoJSON Go projected, as the pages do.
const renderJS = `(function (optionJSON, width, height, theme, geoJSON) {
	var option = JSON.parse(optionJSON);
	[].concat(option.series || [], option.geo || []).forEach(function (s) {
		var name = s && (s.type === 'map' || !s.type) ? s.map : null;
		if (typeof name === 'string' && name && !echarts.getMap(name)) {
			var geo = geoJSON(name);
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

// lineHeightProbe is the text zrender measures to know a font's line height
// (the width of a CJK ideograph, one em). The embedded font has no CJK glyph,
// and the fallback's narrower advance would make every text box too short for
// ECharts' own overlap checks; the answer is the em.
const lineHeightProbe = "国"

// jsPool keeps up to max JavaScript runtimes, each with ECharts loaded. A runtime
// serves one render at a time; an interrupted runtime is discarded.
type jsPool struct {
	src      []byte
	topoJSON []byte     // countries-110m.json
	mu       sync.Mutex // guards prog and atlas, made on first use (they take a while)
	prog     *goja.Program
	atlas    *Atlas
	fonts    *fonts
	log      *slog.Logger
	slots    chan struct{} // one token per runtime that may exist
	idle     chan *jsRuntime
}

type jsRuntime struct {
	vm     *goja.Runtime
	render goja.Callable
	geo    goja.Value // geoJSON(name): a map's GeoJSON text, "" if unknown
}

func newJSPool(src, topoJSON []byte, f *fonts, max int, log *slog.Logger) *jsPool {
	return &jsPool{src: src, topoJSON: topoJSON, fonts: f, log: log, slots: make(chan struct{}, max), idle: make(chan *jsRuntime, max)}
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

// program compiles echarts.min.js once; runtimes share the compiled program.
func (p *jsPool) program() (*goja.Program, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.prog == nil {
		t0 := time.Now()
		prog, err := goja.Compile("echarts.min.js", string(p.src), false)
		if err != nil {
			return nil, fmt.Errorf("compile echarts: %w", err)
		}
		p.prog = prog
		p.log.Debug("render: echarts compiled", "took", time.Since(t0))
	}
	return p.prog, nil
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

func (p *jsPool) put(rt *jsRuntime) { p.idle <- rt }

// discard forgets a runtime whose state is unknown (interrupted mid-render).
func (p *jsPool) discard() { <-p.slots }

// start creates a runtime: timers (never fired: server-side rendering draws
// synchronously), console to the logger, ECharts, the font-backed measureText.
func (p *jsPool) start() (*jsRuntime, error) {
	prog, err := p.program()
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	vm := goja.New()
	m := newMeasurer(p.fonts)
	timers := 0
	set := func(name string, v any) {
		if err := vm.Set(name, v); err != nil {
			panic(err) // Set fails only for invalid names
		}
	}
	set("setTimeout", func(goja.FunctionCall) goja.Value { timers++; return vm.ToValue(timers) })
	set("clearTimeout", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	console := vm.NewObject()
	for _, name := range []string{"log", "info", "warn", "error", "debug"} {
		_ = console.Set(name, func(c goja.FunctionCall) goja.Value {
			p.log.Debug("render: echarts console", "level", name, "msg", fmt.Sprint(exportArgs(c.Arguments)...))
			return goja.Undefined()
		})
	}
	set("console", console)
	if _, err := vm.RunProgram(prog); err != nil {
		return nil, fmt.Errorf("load echarts: %w", err)
	}
	echarts := vm.Get("echarts")
	if echarts == nil || goja.IsUndefined(echarts) {
		return nil, errors.New("load echarts: no global echarts")
	}
	setPlatform, ok := goja.AssertFunction(echarts.ToObject(vm).Get("setPlatformAPI"))
	if !ok {
		return nil, errors.New("load echarts: no setPlatformAPI")
	}
	platform := vm.NewObject()
	_ = platform.Set("measureText", func(text, css string) map[string]any {
		if text == lineHeightProbe {
			size, _ := parseCSSFont(css)
			return map[string]any{"width": size}
		}
		return map[string]any{"width": m.width(text, css)}
	})
	if _, err := setPlatform(goja.Undefined(), platform); err != nil {
		return nil, fmt.Errorf("load echarts: setPlatformAPI: %w", err)
	}
	fn, err := vm.RunString(renderJS)
	if err != nil {
		return nil, fmt.Errorf("load echarts: %w", err)
	}
	render, _ := goja.AssertFunction(fn)
	p.log.Debug("render: javascript runtime started", "took", time.Since(t0))
	return &jsRuntime{vm: vm, render: render, geo: vm.ToValue(p.geoJSON(vm))}, nil
}

// geoJSON returns the function the render script calls for the shapes of a
// map the option names: the projected GeoJSON text, "" for an unknown name
// (ECharts then draws no regions).
func (p *jsPool) geoJSON(vm *goja.Runtime) func(string) string {
	return func(name string) string {
		a, err := p.maps()
		if err != nil {
			panic(vm.NewGoError(err))
		}
		b, _ := a.GeoJSON(name)
		return string(b)
	}
}

func exportArgs(args []goja.Value) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a.Export()
	}
	return out
}

// render runs ECharts on option (already prepared) and returns its SVG. If ctx ends
// first the runtime is interrupted and discarded.
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
		p.discard()
		return nil, err
	}
	p.put(rt)
	return svg, err
}

// run renders with rt, which the caller holds; usable is false when rt was
// interrupted mid-way (its state unknown) and must be discarded.
func (p *jsPool) run(ctx context.Context, rt *jsRuntime, option []byte, size Size, theme Theme) (svg []byte, usable bool, err error) {
	stop := context.AfterFunc(ctx, func() { rt.vm.Interrupt(ctx.Err()) })
	v, err := rt.render(goja.Undefined(), rt.vm.ToValue(string(option)),
		rt.vm.ToValue(size.Width), rt.vm.ToValue(size.Height), rt.vm.ToValue(string(theme)), rt.geo)
	if !stop() {
		// The interrupt fired (or is firing): the runtime may be mid-way anywhere.
		if err == nil {
			err = ctx.Err()
		}
		return nil, false, fmt.Errorf("render svg: %w", err)
	}
	if err != nil {
		// ECharts throwing on an option from our own builders is a bug, not bad input.
		return nil, true, fmt.Errorf("render svg: echarts: %w", err)
	}
	return []byte(v.String()), true, nil
}

// warm starts every runtime the pool may still create and renders options in
// each: a fresh runtime's first renders run ECharts' one-time set-up (components,
// the world map), which a reader's first export should not pay for. It never
// waits for a busy runtime, and returns the last SVG it rendered.
func (p *jsPool) warm(ctx context.Context, options [][]byte, size Size) ([]byte, error) {
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
		for _, opt := range options {
			var usable bool
			if svg, usable, err = p.run(ctx, rt, opt, size, Light); !usable {
				p.discard()
				return nil, err
			} else if err != nil {
				p.put(rt)
				return nil, err
			}
		}
		p.put(rt)
	}
}

// close drops idle runtimes; the garbage collector frees them.
func (p *jsPool) close() {
	for {
		select {
		case <-p.idle:
			<-p.slots
		default:
			return
		}
	}
}
