package planjson

import (
	"unsafe"

	"github.com/rehearse-dev/rehearse/change"
)

// The reader runs on two goroutines. The one that called Read checks the
// syntax of the whole document, and copies the bytes of each resource change
// into a job; a converter goroutine turns the jobs' changes into Resources,
// in document order, while the reader goes on through the rest of the plan
// (prior_state and configuration come after resource_changes). On two cores
// checking and converting overlap.
//
// Errors come out as they did from one goroutine: the reader sends the
// changes it has checked before it stops at an error, and a conversion
// error, which is always at an earlier change, wins over whatever the
// reader met after it.

// jobBytes is how many bytes of resource changes a job carries.
const jobBytes = 256 << 10

// convJob is a run of consecutive elements of one list of resource changes.
type convJob struct {
	key   string // "resource_changes" or "resource_drift", for errors
	into  *[]change.Resource
	first int    // index in the list of the job's first element
	data  []byte // the elements' bytes, back to back
	ends  []int  // end of each element in data
	offs  []int64
	last  bool // the list ends with this job
}

// convList is one converted list, waiting to be moved into the Set.
type convList struct {
	into    *[]change.Resource
	batches [][]change.Resource
}

type pipeline struct {
	jobs chan *convJob
	free chan *convJob
	done chan struct{}

	// Owned by the converter until done is closed.
	err     error
	lists   []convList
	batch   []change.Resource
	batches [][]change.Resource
}

// startPipeline starts the converter goroutine, once.
func (d *reader) startPipeline() {
	if d.pipe != nil {
		return
	}
	p := &pipeline{jobs: make(chan *convJob, 4), free: make(chan *convJob, 8), done: make(chan struct{})}
	d.pipe = p
	go d.convertJobs(p)
}

// finishPipeline waits for the converter and returns its error.
func (d *reader) finishPipeline() error {
	p := d.pipe
	if p == nil {
		return nil
	}
	close(p.jobs)
	<-p.done
	return p.err
}

func (d *reader) newJob(key string, into *[]change.Resource, first int) *convJob {
	var j *convJob
	select {
	case j = <-d.pipe.free:
	default:
		j = &convJob{data: make([]byte, 0, jobBytes+jobBytes/4)}
	}
	j.key, j.into, j.first, j.last = key, into, first, false
	return j
}

// convertJobs is the converter goroutine.
func (d *reader) convertJobs(p *pipeline) {
	defer close(p.done)
	for j := range p.jobs {
		if p.err == nil {
			p.err = d.convertJob(p, j)
		}
		if j.last && p.err == nil {
			if len(p.batch) > 0 {
				p.batches = append(p.batches, p.batch)
			}
			p.lists = append(p.lists, convList{j.into, p.batches})
			p.batch, p.batches = nil, nil
		}
		j.data, j.ends, j.offs = j.data[:0], j.ends[:0], j.offs[:0]
		select {
		case p.free <- j:
		default:
		}
	}
}

func (d *reader) convertJob(p *pipeline, j *convJob) error {
	start := 0
	for k, end := range j.ends {
		raw := j.data[start:end]
		start = end
		res, addr, err := d.conv.resource(raw, d.intern, 2, j.key)
		if err != nil {
			return d.convErr(j.key, j.first+k, j.offs[k]-int64(len(raw)), addr, err)
		}
		// Batches of a fixed size, copied once at the end, spare the
		// copies and the garbage of a slice of large structs that grows
		// by doubling.
		if p.batch == nil {
			p.batch = make([]change.Resource, 0, 64)
		} else if len(p.batch) == cap(p.batch) {
			p.batches = append(p.batches, p.batch)
			p.batch = make([]change.Resource, 0, 1024)
			prefault(p.batch[:cap(p.batch)])
		}
		p.batch = append(p.batch, res)
	}
	return nil
}

// flushLists moves the converted lists into the Set, in document order.
func (d *reader) flushLists() {
	if d.pipe == nil {
		return
	}
	for _, l := range d.pipe.lists {
		into := l.into
		n := len(*into)
		for _, b := range l.batches {
			n += len(b)
		}
		if n > len(*into) {
			out := make([]change.Resource, 0, n)
			prefault(out[:n])
			out = append(out, *into...)
			for _, b := range l.batches {
				out = append(out, b...)
			}
			*into = out
		}
	}
	d.pipe.lists = nil
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
