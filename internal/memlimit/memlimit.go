// Package memlimit keeps the soft memory limit (debug.SetMemoryLimit) above
// what stays live.
//
// rehearse runs under a soft limit so that a large plan does not double
// its heap before the collector runs. A limit sized from the input's
// bytes guesses what stays live, and the guess depends on the plan's
// shape: on the mixed 100k plan in bench/ the heap stays at ~140 MB live
// while the limit derived from its size is 192 MiB, of which fragmentation
// and metadata take ~60, so the collector ran back to back for a second.
// Watch measures instead: after a collection that leaves the heap less
// room than Ratio, while the collector takes more than MaxGCShare of the
// CPU, it raises the limit by what the heap goal lacks. It never lowers
// it.
package memlimit

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// Ratio is how far above the live heap the heap goal is kept when the
// collector is busy: room to allocate a quarter of what is live between
// two collections. On the mixed 100k plan that took it from 3.4 s to
// 2.1 s at about the same peak RSS (254 MiB, against 247-256 with the
// limit held); 1.4 gave 2.1 s at 266 MiB, 1.8 2.2 s at 270 MiB.
const Ratio = 1.25

// Raise sets the soft memory limit to limit unless one at least as high
// is set already (none is math.MaxInt64, the default), and from then on
// keeps it above the live heap (Watch), for the rest of the process.
func Raise(limit int64) {
	if cur := debug.SetMemoryLimit(-1); cur == math.MaxInt64 || limit > cur {
		debug.SetMemoryLimit(limit)
	}
	watchOnce.Do(func() { Watch() })
}

var watchOnce sync.Once

// GCPercent sets the collector's target (debug.SetGCPercent) to percent
// for the first input it is given, and from then on only lowers it:
// inputs read at once (stacks) run under the target of the one that needs
// the lowest, the largest.
func GCPercent(percent int) {
	gcMu.Lock()
	defer gcMu.Unlock()
	if !gcSet || percent < gcPercent {
		debug.SetGCPercent(percent)
		gcPercent, gcSet = percent, true
	}
}

var (
	gcMu      sync.Mutex
	gcSet     bool
	gcPercent int
)

// MaxGCShare is the share of CPU time the collector may take between two
// collections before the limit gives way: below it, the limit holds the
// heap down at a cost worth paying (the AWS 100k plan peaks at 133 MB live
// for a moment under 180 MiB, and gains nothing from a raise but RSS).
const MaxGCShare = 0.3

// Watch raises the limit after a collection, while a limit is set, so
// that the heap goal is Ratio times the live heap, when it is less and
// the collector took more than MaxGCShare of the CPU time since the
// collection before. It returns a function
// that stops watching. It learns of collections from a finalizer, the one
// hook the runtime gives: an object that only the finalizer re-creates
// becomes garbage at every cycle.
func Watch() (stop func()) {
	w := &watcher{}
	w.init()
	w.arm()
	return func() { w.stopped.Store(true) }
}

type watcher struct {
	stopped atomic.Bool
	sample  []metrics.Sample
	// gcCPU and allCPU are the CPU seconds at the last tick.
	gcCPU, allCPU float64
	// raised counts the raises, for the test.
	raised atomic.Int64
}

// sentinel is large enough not to share a tiny-allocator block, whose
// finalizers run only when every object in the block is garbage.
type sentinel struct{ _ [32]byte }

func (w *watcher) init() {
	w.sample = []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/heap/goal:bytes"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/cpu/classes/total:cpu-seconds"},
	}
}

func (w *watcher) arm() {
	s := &sentinel{}
	runtime.SetFinalizer(s, func(*sentinel) {
		if w.stopped.Load() {
			return
		}
		w.tick()
		w.arm()
	})
}

func (w *watcher) tick() {
	cur := debug.SetMemoryLimit(-1)
	if cur == math.MaxInt64 {
		return // no limit: nothing to keep above the live heap
	}
	metrics.Read(w.sample)
	for _, s := range w.sample {
		if s.Value.Kind() == metrics.KindBad {
			return
		}
	}
	live, goal := float64(w.sample[0].Value.Uint64()), float64(w.sample[1].Value.Uint64())
	gc, all := w.sample[2].Value.Float64(), w.sample[3].Value.Float64()
	busy := all > w.allCPU && (gc-w.gcCPU)/(all-w.allCPU) > MaxGCShare
	w.gcCPU, w.allCPU = gc, all
	// The limit covers all the process's memory, the heap goal only the
	// heap: raising the limit by the goal's shortfall gives the heap the
	// room, whatever the rest (fragmentation, metadata) takes.
	if short := live*Ratio - goal; busy && short > 0 {
		debug.SetMemoryLimit(cur + int64(short))
		w.raised.Add(1)
	}
}
