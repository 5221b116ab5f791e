// Package dashboard is Clout's HTTP side and nothing else: the Echo server, its
// routes and middleware, the one error mapping, the pages and their templates, the
// embedded static files, and a handler file per resource (pages, API, snapshots,
// uploads and datasets, jobs). Computing, linking and rendering charts is the
// chart package's; importing is data/importer's; the dashboard only reads
// requests, calls them and writes responses.
//
// New(cfg, deps) builds a Server over an indicators.Store and a *chart.Service;
// Handler() is the Echo instance, Serve and Shutdown run it on a listener with a
// graceful shutdown.
//
// Every chart goes through one path: chart.Service.ParseRequest reads the query
// string, Compute computes the chart at a data version (from its cache), and
// OptionFor gives the ECharts option that the page, the embed page, the JSON API
// and the snapshots all use. The option reaches the browser only as JSON inside
// <script type="application/json"> (HTML-escaped, no "__f__" markers), never as
// go-echarts' Render() output, and app.js draws it. Rendered pages are kept in a
// bounded LRU keyed by chart, canonical parameters and data version, so a new
// data version is never answered from a stale page.
//
// Errors are *indicators.Error values; handleError maps their codes to status
// codes in one table and answers JSON under /api and an HTML page elsewhere.
//
// A new resource adds its own file: a registerXRoutes call in routes, readGuards
// for --private, renderData for pages that use the layout, and
// Metrics().Registry for its collectors.
package dashboard
