// Package dashboard is Clout's HTTP side: the Echo server, pages and their
// templates, the JSON API, the chart option builders (go-echarts) and the exports.
package dashboard
