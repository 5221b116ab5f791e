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
// JSON text so the Go side never builds JavaScript objects by hand.
// The world map (WorldMap) is registered on first use, as the pages do.
const renderJS = `(function (optionJSON, width, height, theme, registerWorld) {
	var option = JSON.parse(optionJSON);
	var series = [].concat(option.series || []);
	var usesMap = !!option.geo || series.some(function (s) { return s && s.type === 'map'; });
	if (usesMap && !echarts.getMap('` + WorldMap + `')) {
		registerWorld();
	}
	var chart = echarts.init(null, theme === 'dark' ? 'dark' : null,
		{renderer: 'svg', ssr: true, width: width, height: height});
	try {
		chart.setOption(option);
		return chart.renderToSVGString();
	} finally {
		chart.dispose();
	}
})`

// WorldMap is the name under which the embedded world atlas (world-atlas
// countries-110m, converted with topojson-client) is registered with ECharts.
const WorldMap = "world"

// registerWorldJS converts the TopoJSON atlas and registers it; topojson-client
// has been run in the runtime first.
const registerWorldJS = `(function (atlasJSON) {
	var topo = JSON.parse(atlasJSON);
	echarts.registerMap('` + WorldMap + `', topojson.feature(topo, topo.objects.countries));
})`

// jsPool keeps up to max JavaScript runtimes, each with ECharts loaded. A runtime
// serves one render at a time; an interrupted runtime is discarded.
type jsPool struct {
	src   []byte
	topo  []byte     // topojson-client.min.js
	atlas string     // countries-110m.json
	mu    sync.Mutex // guards prog, compiled on first use (it takes a while)
	prog  *goja.Program
	fonts *fonts
	log   *slog.Logger
	slots chan struct{} // one token per runtime that may exist
	idle  chan *jsRuntime
}

type jsRuntime struct {
	vm            *goja.Runtime
	render        goja.Callable
	registerWorld goja.Value
}

func newJSPool(src, topo, atlas []byte, f *fonts, max int, log *slog.Logger) *jsPool {
	return &jsPool{src: src, topo: topo, atlas: string(atlas), fonts: f, log: log, slots: make(chan struct{}, max), idle: make(chan *jsRuntime, max)}
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
	return &jsRuntime{vm: vm, render: render, registerWorld: vm.ToValue(p.registerWorld(vm))}, nil
}

// registerWorld returns the function the render script calls when an option
// needs the world map: it loads topojson-client and registers the atlas.
func (p *jsPool) registerWorld(vm *goja.Runtime) func() {
	return func() {
		if _, err := vm.RunScript("topojson-client.min.js", string(p.topo)); err != nil {
			panic(vm.NewGoError(fmt.Errorf("load topojson-client: %w", err)))
		}
		fn, err := vm.RunString(registerWorldJS)
		if err != nil {
			panic(vm.NewGoError(err))
		}
		register, _ := goja.AssertFunction(fn)
		if _, err := register(goja.Undefined(), vm.ToValue(p.atlas)); err != nil {
			panic(vm.NewGoError(fmt.Errorf("register world map: %w", err)))
		}
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
		rt.vm.ToValue(size.Width), rt.vm.ToValue(size.Height), rt.vm.ToValue(string(theme)), rt.registerWorld)
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
