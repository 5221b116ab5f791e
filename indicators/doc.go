// Package indicators is Clout's domain: observations and periods, countries and
// country groups, the indicator computations behind every chart (TradeShare,
// GasExports, IntegrationGain, Series), the import report, the coded errors, and the
// Store interface that the data package implements.
//
// It performs no I/O and imports nothing from HTTP, SQL or spreadsheet libraries, so
// every computation can be tested on plain values and reused by the dashboard, the
// CLI, the exports and the jobs alike.
package indicators
