//go:build !linux

package chart

// lowerThreadPriority is a no-op where threads' priorities cannot be set
// portably; the warmer still yields to readers' renders.
func lowerThreadPriority() {}
