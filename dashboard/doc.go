// Package dashboard is Clout's HTTP side: the Echo server, pages and their
// templates, the JSON API, the chart option builders (go-echarts) and the
// snapshot routes (rendering lives in dashboard/render and dashboard/export).
//
// New(cfg, deps) builds a Server over an indicators.Store; Handler() is the Echo
// instance, Start/Serve/Shutdown run it with a graceful shutdown.
//
// Every chart goes through one path: the query string becomes the chart's
// Params (chartParams), indicators.ComputeChart reads and computes them at a data
// version, and Option(result, theme) — one go-echarts builder per chart
// (option_*.go) — turns the Result into the ECharts option that the page, the
// embed page, the JSON API and the exports all use. The option reaches the
// browser only as JSON inside <script type="application/json"> (HTML-escaped, no
// "__f__" markers), never as go-echarts' Render() output, and app.js draws it.
//
// Computed charts and rendered pages are cached in a bounded LRU keyed by chart,
// canonical parameters and data version, so the cache never serves stale data;
// the current data version is itself cached for Config.VersionTTL and dropped at
// once by DataChanged after an in-process write.
//
// Errors are *indicators.Error values; handleError maps their codes to status
// codes in one table and answers JSON under /api and an HTML page elsewhere.
//
// Later features plug in with their own files: a registerXRoutes call in routes
// (uploads and datasets, jobs, snapshots), readGuards for --private, renderData
// for pages that use the layout, and Metrics().Registry for their collectors.
package dashboard
