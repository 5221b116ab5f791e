//go:build race

package chart_test

// raceEnabled: the race detector slows the JavaScript renderer about tenfold.
const raceEnabled = true
