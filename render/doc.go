// Package render draws an ECharts option without a browser: ECharts' own
// server-side SVG renderer runs inside V8 (a pool of isolates, through v8go, that
// load echarts.min.js from one code cache), and resvg compiled to WebAssembly runs in
// V8's WebAssembly engine, in isolates of its own, to rasterise that SVG to PNG. Text is measured and drawn with the embedded
// DejaVu fonts, so Latin and Cyrillic labels are laid out and drawn the same way on
// every machine, with no system fonts, no Chromium and no network.
package render
