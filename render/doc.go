// Package render draws an ECharts option without a browser: ECharts' own
// server-side SVG renderer runs inside goja (a pool of JavaScript runtimes that
// share one compiled echarts.min.js), and resvg compiled to WebAssembly runs under
// wazero to rasterise that SVG to PNG. Text is measured and drawn with the embedded
// DejaVu fonts, so Latin and Cyrillic labels are laid out and drawn the same way on
// every machine, with no system fonts, no Chromium and no network.
package render
