package render

import (
	"log/slog"
	"testing"

	"github.com/clout-dev/clout/assets"
)

// BenchmarkJSRuntimeStart is the cost of one more JavaScript runtime in the pool
// (echarts.min.js already compiled): load ECharts from the code cache, register
// measureText. A worn runtime is replaced at this cost.
func BenchmarkJSRuntimeStart(b *testing.B) {
	f, err := loadFonts(assets.MustRead(assets.FontRegular), assets.MustRead(assets.FontBold))
	if err != nil {
		b.Fatal(err)
	}
	p := newJSPool(assets.MustRead(assets.EChartsJS), nil, f, 1, slog.Default())
	if _, err := p.codeCache(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rt, err := p.start()
		if err != nil {
			b.Fatal(err)
		}
		rt.close()
	}
}

// BenchmarkCompileECharts is the once-per-process cost of compiling echarts.min.js.
func BenchmarkCompileECharts(b *testing.B) {
	src := assets.MustRead(assets.EChartsJS)
	for b.Loop() {
		if _, err := newJSPool(src, nil, nil, 1, slog.Default()).codeCache(); err != nil {
			b.Fatal(err)
		}
	}
}
