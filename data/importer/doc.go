// Package importer reads the spreadsheets analysts have — Clout's tidy template,
// wide tables, World Bank bulk CSV and DataBank exports, IMF DOTS exports and data
// portal reports, UN Comtrade, OECD.Stat/IEA — into observations, validates every
// cell, reports what it found, and hands the observations to an indicators.Store.
//
// Each layout is a small detector (does this header row belong to me?) plus a row
// mapper (turn one row into observations); see layouts.go for the registry in
// detection order. xlsx files are read with excelize's streaming row iterator and
// csv files with encoding/csv; parsing runs in its own goroutine and feeds the store
// in batches, so reading and storing overlap, while any error still rejects the
// whole import before it is committed.
package importer
