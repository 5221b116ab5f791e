package render

import (
	"log/slog"
	"testing"

	"github.com/clout-dev/clout/assets"
)

// BenchmarkJSRuntimeStart is the cost of one more JavaScript runtime in the pool
// (echarts.min.js already compiled): run ECharts' code, register measureText.
func BenchmarkJSRuntimeStart(b *testing.B) {
	f, err := loadFonts(assets.MustRead(assets.FontRegular), assets.MustRead(assets.FontBold))
	if err != nil {
		b.Fatal(err)
	}
	p := newJSPool(assets.MustRead(assets.EChartsJS), nil, f, 1, slog.Default())
	if _, err := p.program(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := p.start(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileECharts is the once-per-process cost of compiling echarts.min.js.
func BenchmarkCompileECharts(b *testing.B) {
	src := assets.MustRead(assets.EChartsJS)
	for b.Loop() {
		if _, err := newJSPool(src, nil, nil, 1, slog.Default()).program(); err != nil {
			b.Fatal(err)
		}
	}
}
