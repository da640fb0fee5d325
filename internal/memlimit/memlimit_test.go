package memlimit

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// keep holds the live heap of the test; sink takes its garbage, so the
// allocations are not optimized away.
var (
	keep [][]byte
	sink []byte
)

// TestWatchRaisesUnderPressure runs a live heap close to a low limit with
// steady garbage, so the collector runs back to back: the limit must rise
// above the live heap, and stay raised.
func TestWatchRaisesUnderPressure(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for range 64 {
		keep = append(keep, make([]byte, 1<<20))
	}
	defer func() { keep = nil }()
	start := int64(72 << 20)
	debug.SetMemoryLimit(start)
	w := &watcher{}
	w.init()
	w.arm()
	defer w.stopped.Store(true)
	deadline := time.Now().Add(10 * time.Second)
	for w.raised.Load() == 0 && time.Now().Before(deadline) {
		for range 256 {
			sink = make([]byte, 64<<10) // garbage
		}
	}
	if w.raised.Load() == 0 {
		t.Fatalf("the limit stayed at %d MiB with 64 MiB live", start>>20)
	}
	if got := debug.SetMemoryLimit(-1); got <= start {
		t.Fatalf("limit %d MiB, want above %d MiB", got>>20, start>>20)
	}
}

// TestWatchWithoutLimit leaves no limit alone.
func TestWatchWithoutLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	w := &watcher{}
	w.init()
	for range 3 {
		runtime.GC()
		w.tick()
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 || w.raised.Load() != 0 {
		t.Fatalf("limit %d, %d raises; want none set", got, w.raised.Load())
	}
}

// TestRaiseNeverLowers: Raise only ever raises.
func TestRaiseNeverLowers(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	debug.SetMemoryLimit(500 << 20)
	Raise(200 << 20)
	if got := debug.SetMemoryLimit(-1); got != 500<<20 {
		t.Fatalf("Raise(200 MiB) under a 500 MiB limit left %d MiB", got>>20)
	}
	Raise(600 << 20)
	if got := debug.SetMemoryLimit(-1); got != 600<<20 {
		t.Fatalf("Raise(600 MiB) left %d MiB", got>>20)
	}
}

// TestGCPercentFirstThenLower: the first target is set as given, later
// ones only when lower.
func TestGCPercentFirstThenLower(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer func() { gcSet = false }()
	gcSet = false
	GCPercent(400)
	if got := debug.SetGCPercent(-1); got != 400 {
		t.Fatalf("first GCPercent(400) left %d", got)
	}
	debug.SetGCPercent(400)
	GCPercent(800)
	if got := debug.SetGCPercent(400); got != 400 {
		t.Fatalf("GCPercent(800) after 400 left %d", got)
	}
	GCPercent(100)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GCPercent(100) after 400 left %d", got)
	}
}
