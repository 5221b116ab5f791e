// Package export turns a computed chart (its indicators.Result and the ECharts option
// its builder made) into a snapshot file: PNG or SVG with the title, subtitle and a
// provenance footer drawn inside the image, CSV and XLSX with provenance and formula
// injection neutralised (XLSX with a native Excel chart), a self-contained
// interactive HTML page, or JSON. The dashboard's /charts/:id/snapshot.* routes and
// `clout export` both call Exporter.Write.
package export
