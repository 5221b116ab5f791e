package chart

import "syscall"

// warmNice is the niceness of the warmer's thread: the scheduler gives the
// request handlers' threads the CPU first.
const warmNice = 10

// lowerThreadPriority lowers the scheduling priority of the calling OS thread
// (on Linux, setpriority with a thread id applies to that thread only). Failing
// to lower it only makes the warmer compete as an equal.
func lowerThreadPriority() {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), warmNice)
}
