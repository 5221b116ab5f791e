//go:build !unix

package jobs

// processExists cannot tell here; a run of another process is then judged by
// its heartbeat alone.
func processExists(int) bool { return true }
