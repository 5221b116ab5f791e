// Package jobs runs Clout's scheduled work with robfig/cron: imports from files and
// URLs, chart snapshots, and the run history.
//
// A config's jobs: section (ParseConfig, LoadConfig) is checked as a whole by
// Config.Validate, which names every bad job at once. New builds a Scheduler over
// small interfaces (RunStore, DatasetInfo, Importer, Snapshotter, Settings) that
// cmd/clout wires to the store, the importer and the exporter.
//
// A run is one or more attempts. Each attempt has a timeout and is recorded
// (running, then ok, unchanged or failed); transient failures (network, timeouts,
// HTTP 5xx) are retried with exponential backoff, user errors (a bad or missing
// file, over the size limit) and panics are not. A run that overlaps another of
// the same job, scheduled or manual, is recorded as skipped. An import job
// imports only when the source changed: a 304 to its conditional request, or a
// file whose SHA-256 equals the dataset's current version, is `unchanged`; the
// importer is all-or-nothing, so a failed run never changes the data. A snapshot
// job renders every chart × format in memory, then writes each file atomically to
// dir/YYYY-MM-DD/ and prunes old day directories.
package jobs
