// Package data is Clout's storage and spreadsheet import: the Store implementations
// (SQLite by default, PostgreSQL for several replicas), the importer with its
// spreadsheet layouts, and the embedded seed data.
package data
