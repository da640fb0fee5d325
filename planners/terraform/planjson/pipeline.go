package planjson

import (
	"runtime"
	"sync"
	"unsafe"

	"github.com/rehearse-dev/rehearse/change"
)

// Resource changes are converted while the document is still being read.
// The goroutine that called Read checks the syntax of the whole document
// and copies the bytes of each resource change into a job; a pool of
// converter goroutines, one per processor, turns the jobs' changes into
// Resources while the reader goes on (prior_state and configuration come
// after resource_changes). Converting is most of the work, so on two cores
// it takes both while the reader waits for input or for a free job.
//
// The invariants: the Set is what one goroutine would make, in document
// order (each job's Resources are kept apart and joined in the order the
// jobs were sent), whichever converter took which job; and errors come out
// as they did from one goroutine: the reader sends the changes it has
// checked before it stops at an error, and a conversion error, always at
// an earlier change than anything the reader met after it, wins; among
// conversion errors, the one in the earliest job.

// jobBytes is how many bytes of resource changes a job carries.
const jobBytes = 256 << 10

// convJob is a run of consecutive elements of one list of resource changes.
type convJob struct {
	res   *convResult
	first int    // index in the list of the job's first element
	data  []byte // the elements' bytes, back to back
	ends  []int  // end of each element in data
	offs  []int64
	// dst, when the list's room is reserved and the job fits in it, is
	// where its Resources go: the job's own stretch of the list.
	dst []change.Resource
}

// convResult is what became of one job, in the order the jobs were sent.
type convResult struct {
	key  string // "resource_changes" or "resource_drift", for errors
	into *[]change.Resource
	out  []change.Resource
	err  error
	// inPlace is set when out is the job's stretch of the reserved list.
	inPlace bool
}

// convWorker is one converter goroutine's state: the converter keeps its
// digester and scratch slices from one change to the next, the interner
// its strings and label sets.
type convWorker struct {
	conv   converter
	intern *interner
}

type pipeline struct {
	jobs    chan *convJob
	free    chan *convJob
	wg      sync.WaitGroup
	workers []*convWorker
	results []*convResult // owned by the reader; filled by the workers
	// reserved is the room made for a list before its jobs (reserve).
	reserved map[*[]change.Resource][]change.Resource
}

// reserve makes room for n Resources of the list into, which its jobs
// fill in place while it lasts: each job owns the stretch from its first
// element, so the converters write disjoint parts of it.
func (p *pipeline) reserve(into *[]change.Resource, n int) {
	room := make([]change.Resource, n)
	prefault(room)
	if p.reserved == nil {
		p.reserved = map[*[]change.Resource][]change.Resource{}
	}
	p.reserved[into] = room
}

// send hands a job to the converters, with its stretch of the reserved
// list when it fits there.
func (p *pipeline) send(j *convJob) {
	if room, ok := p.reserved[j.res.into]; ok {
		if end := j.first + len(j.ends); end <= len(room) {
			j.dst = room[j.first:j.first:end]
		}
	}
	p.jobs <- j
}

// startPipeline starts the converters, once.
func (d *reader) startPipeline() {
	if d.pipe != nil {
		return
	}
	n := max(1, runtime.GOMAXPROCS(0))
	p := &pipeline{jobs: make(chan *convJob, 2*n), free: make(chan *convJob, 4*n)}
	d.pipe = p
	for range n {
		w := &convWorker{intern: newInterner()}
		p.workers = append(p.workers, w)
		p.wg.Add(1)
		go d.convertJobs(p, w)
	}
}

// finishPipeline waits for the converters and returns the conversion
// error of the earliest job, if any.
func (d *reader) finishPipeline() error {
	p := d.pipe
	if p == nil {
		return nil
	}
	close(p.jobs)
	p.wg.Wait()
	for _, r := range p.results {
		if r.err != nil {
			return r.err
		}
	}
	for _, w := range p.workers {
		d.byName += w.conv.byName
	}
	return nil
}

// newJob returns an empty job for the elements of the list key from index
// first on, recording its place among the results.
func (d *reader) newJob(key string, into *[]change.Resource, first int) *convJob {
	var j *convJob
	select {
	case j = <-d.pipe.free:
	default:
		j = &convJob{data: make([]byte, 0, jobBytes+jobBytes/4)}
	}
	j.res = &convResult{key: key, into: into}
	j.first = first
	d.pipe.results = append(d.pipe.results, j.res)
	return j
}

// convertJobs is one converter goroutine.
func (d *reader) convertJobs(p *pipeline, w *convWorker) {
	defer p.wg.Done()
	for j := range p.jobs {
		j.res.out, j.res.err = d.convertJob(w, j)
		j.data, j.ends, j.offs, j.dst = j.data[:0], j.ends[:0], j.offs[:0], nil
		select {
		case p.free <- j:
		default:
		}
	}
}

func (d *reader) convertJob(w *convWorker, j *convJob) ([]change.Resource, error) {
	// In place when the job has a stretch of a reserved list: appending
	// within its capacity writes there.
	out, inPlace := j.dst, j.dst != nil
	if !inPlace {
		out = make([]change.Resource, 0, len(j.ends))
	}
	j.res.inPlace = inPlace
	start := 0
	for k, end := range j.ends {
		raw := j.data[start:end]
		start = end
		res, addr, err := w.conv.resource(raw, w.intern, 2, j.res.key)
		if err != nil {
			return nil, d.convErr(j.res.key, j.first+k, j.offs[k]-int64(len(raw)), addr, err)
		}
		out = append(out, res)
	}
	return out, nil
}

// flushLists moves the converted Resources into the Set, each list's in
// document order.
func (d *reader) flushLists() {
	if d.pipe == nil {
		return
	}
	counts := map[*[]change.Resource]int{}
	inPlace := map[*[]change.Resource]bool{}
	for _, r := range d.pipe.results {
		counts[r.into] += len(r.out)
		if _, ok := inPlace[r.into]; !ok {
			inPlace[r.into] = true
		}
		inPlace[r.into] = inPlace[r.into] && r.inPlace
	}
	for into, n := range counts {
		if n == 0 {
			continue
		}
		// Every job wrote its stretch of the reserved list, from its
		// start: the list is that, whole. (Otherwise, more changes than
		// the room, everything is copied into one list as before.)
		// Unless the room is more than twice the list: then the list is
		// copied out, and the room let go.
		if room := d.pipe.reserved[into]; room != nil && inPlace[into] && len(*into) == 0 && 2*n >= len(room) {
			*into = room[:n:n]
			for _, r := range d.pipe.results {
				if r.into == into {
					r.out = nil
				}
			}
			continue
		}
		out := make([]change.Resource, 0, len(*into)+n)
		prefault(out[:cap(out)])
		out = append(out, *into...)
		for _, r := range d.pipe.results {
			if r.into == into {
				out = append(out, r.out...)
				r.out = nil // garbage as soon as it is copied
			}
		}
		*into = out
	}
	d.pipe.results = nil
}

// prefault writes a byte of every page of rs, with plain stores of a field
// that holds no pointer, before anything else touches the memory. A fresh
// large slice comes from pages the kernel has not mapped yet; if the
// collector (scanning the slice, or the write barrier of a copy into it,
// which reads each old pointer first) reads a page before it is written,
// the kernel maps its shared zero page, and the first write then takes a
// second fault that must flush the TLB of every CPU running the process.
// On the 100k plan that, and the collector signalling the copying
// goroutine every few microseconds to stop it, added 0.2-0.35 s of system
// time to the runs where a collection overlapped flushLists. Writing first
// costs one ordinary fault per page.
func prefault(rs []change.Resource) {
	step := max(pageSize/int(unsafe.Sizeof(change.Resource{})), 1)
	for i := 0; i < len(rs); i += step {
		rs[i].Importing = false
	}
	if len(rs) > 0 {
		rs[len(rs)-1].Importing = false
	}
}

const pageSize = 4096
