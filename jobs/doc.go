// Package jobs runs Clout's scheduled work with robfig/cron: imports from files and
// URLs, chart snapshots, and the run history.
package jobs
