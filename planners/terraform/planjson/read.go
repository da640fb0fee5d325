// Package planjson decodes Terraform and OpenTofu plan JSON (what
// terraform show -json writes) into a change.Set. It streams with bounded
// memory and runs no processes: planners/terraform runs terraform and hands
// the show -json stream to Read.
package planjson

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

// Option changes how Read reads a plan.
type Option func(*options)

type options struct {
	file string
	// skipPlanned skips planned_values without counting it, as before
	// the count: the tests compare the two.
	skipPlanned bool
}

// File names the plan in errors and in the Set's source (Source.File):
// a path, or a description such as "dir (terraform show -json)". Without
// it the plan is called "plan.json".
func File(name string) Option { return func(o *options) { o.file = name } }

// Read decodes plan JSON (terraform show -json) from r into a change.Set.
// It streams: resource changes are read one at a time, and the parts of the
// document the verdict does not need (planned_values, the values in
// prior_state, the attribute values of most changes) are checked for
// syntax and skipped without being built. Anything it cannot fully
// understand is a *ReadError naming the file and the problem; it stops
// with ctx's error when ctx is done.
func Read(ctx context.Context, r io.Reader, opts ...Option) (change.Set, error) {
	o := options{file: "plan.json"}
	for _, opt := range opts {
		opt(&o)
	}
	name := o.file
	r, err := utf8Reader(r)
	if err != nil {
		return change.Set{}, &ReadError{File: name, Offset: -1, Err: err}
	}
	d := &reader{name: name, s: newScanner(ctx, r), skipPlanned: o.skipPlanned}
	set, err := d.read()
	if err != nil {
		return change.Set{}, err
	}
	return set, nil
}

type reader struct {
	name string
	s    *scanner
	set  change.Set

	formatVersion string
	seenPlanKey   bool
	errored       bool
	complete      *bool
	config        configIndex
	digests       digester
	// byName counts values hidden because their names say secret.
	byName int
	// deferredActions follow the planned ones in Set.Actions, whichever
	// list the document has first: the order of keys is not the change.
	deferredActions []change.ActionInvocation

	// typeErr is the first value of the wrong type inside the top-level
	// field being read. Like encoding/json, the reader reports it once
	// the whole field has been read, so a syntax error after it wins.
	typeErr error
	pipe    *pipeline
	// plannedResources is how many resources planned_values lists: the
	// size of the resource changes' list, as a hint (planned_values.go).
	plannedResources int
	skipPlanned      bool
	// deps makes the dependents while the configuration is read.
	deps *depBuilder
	// exprScratch holds a configuration resource's expressions while it
	// is read (configResource).
	exprScratch []configExpr
	refScratch  [][]byte
}

func (d *reader) read() (change.Set, error) {
	d.set = change.Set{Source: change.Source{Kind: change.Planned, Tool: "terraform", File: d.name}, Managed: -1}
	err := d.parse()
	var deps map[string][]string
	if err == nil {
		// While the converters may still be busy.
		deps = d.dependents()
	}
	// A conversion error is at a change before anything parse met.
	if cerr := d.finishPipeline(); cerr != nil {
		return change.Set{}, cerr
	}
	if err != nil {
		return change.Set{}, err
	}
	d.flushLists()
	if err := d.check(); err != nil {
		return change.Set{}, err
	}
	d.set.Actions = append(d.set.Actions, d.deferredActions...)
	d.set.Source.FormatVersion = d.formatVersion
	d.set.Dependents = deps
	d.set.Incomplete = d.complete != nil && !*d.complete
	d.set.Managed = managedAtLeast(d.set.Managed, d.set.Resources)
	if n := d.byName; n > 0 {
		d.set.Notes = append(d.set.Notes, fmt.Sprintf("%d value(s) shown as (sensitive: by name): their names say secret (password, token, private_key…) though the provider did not mark them sensitive", n))
	}
	return d.set, nil
}

// parse reads the document; resource changes are converted on the
// pipeline.
func (d *reader) parse() error {
	c, err := d.s.ws()
	if err != nil {
		if d.s.rerr == nil {
			return &ReadError{File: d.name, Offset: -1, Err: ErrEmpty}
		}
		return d.jsonErr(err)
	}
	if c != '{' {
		if err := d.s.scalar(c); err != nil && c != '[' {
			return d.jsonErr(err)
		}
		return d.fail(fmt.Errorf("%w: the document is not a JSON object", ErrNotPlan))
	}
	d.s.pos++
	d.s.depth = 1
	seen := map[string]bool{}
	for first := true; ; first = false {
		more, err := d.s.next('}', first)
		if err != nil {
			return d.jsonErr(err)
		}
		if !more {
			break
		}
		off := d.s.offset()
		key, err := d.s.key()
		if err != nil {
			return d.jsonErr(err)
		}
		if seen[key] {
			return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%w %q: terraform never writes one", ErrDuplicate, key)}
		}
		seen[key] = true
		if err := d.caseVariant(off, key, topKeys...); err != nil {
			return err
		}
		if err := d.field(key); err != nil {
			return d.jsonErr(err)
		}
		if d.typeErr != nil {
			return d.typeErr
		}
	}
	d.s.depth = 0
	if c, err := d.s.ws(); err == nil {
		if c != '{' && c != '[' {
			if err := d.s.scalar(c); err != nil {
				return d.jsonErr(err)
			}
		}
		return d.fail(fmt.Errorf("%w: data after the plan object", ErrInvalid))
	} else if d.s.rerr != nil {
		return d.jsonErr(err)
	}
	return nil
}

func (d *reader) check() error {
	if d.formatVersion == "" || !d.seenPlanKey {
		return &ReadError{File: d.name, Offset: -1, Err: fmt.Errorf("%w: no format_version and planned_values or resource_changes (is it a state file or another document?)", ErrNotPlan)}
	}
	if !supportedFormat(d.formatVersion) {
		return &ReadError{File: d.name, Offset: -1, Err: fmt.Errorf("%w %q: terraform writes 0.1, 0.2 or 1.x", ErrFormat, d.formatVersion)}
	}
	if d.errored {
		return &ReadError{File: d.name, Offset: -1, Err: fmt.Errorf("%w: terraform marked it \"errored\", so it is incomplete", ErrErroredPlan)}
	}
	return nil
}

// supportedFormat accepts the format versions terraform has written, 0.1
// and 0.2, and every 1.x: within a major version the format only gains
// keys, and unknown keys are skipped. 1.x is written plainly, as terraform
// writes it: no sign, no leading zero, no third part.
func supportedFormat(v string) bool {
	if v == "0.1" || v == "0.2" {
		return true
	}
	minor, ok := strings.CutPrefix(v, "1.")
	if !ok || minor == "" || (len(minor) > 1 && minor[0] == '0') {
		return false
	}
	for _, c := range minor {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (d *reader) field(key string) error {
	switch key {
	case "format_version":
		return d.stringField(key, &d.formatVersion)
	case "terraform_version":
		return d.stringField(key, &d.set.Source.ToolVersion)
	case "errored":
		raw, err := d.s.capture()
		if err != nil {
			return err
		}
		switch raw[0] {
		case 't':
			d.errored = true
		case 'f':
			d.errored = false
		case 'n':
		default:
			d.wrongType(key, raw[0])
		}
		return nil
	case "complete":
		raw, err := d.s.capture()
		if err != nil {
			return err
		}
		switch raw[0] {
		case 't', 'f':
			b := raw[0] == 't'
			d.complete = &b
		case 'n':
		default:
			d.wrongType(key, raw[0])
		}
		return nil
	case "variables":
		return d.variables()
	case "action_invocations", "deferred_action_invocations":
		return d.actionInvocations(key)
	case "deferred_changes":
		return d.deferredChanges()
	case "planned_values":
		d.seenPlanKey = true
		if d.skipPlanned {
			return d.s.value()
		}
		return d.plannedValues()
	case "resource_changes":
		d.seenPlanKey = true
		return d.changes(key, &d.set.Resources)
	case "resource_drift":
		return d.changes(key, &d.set.Drift)
	case "output_changes":
		return d.outputs()
	case "prior_state":
		return d.priorState()
	case "configuration":
		return d.configuration()
	default:
		return d.s.value()
	}
}

// stringField reads a string into dst: null leaves it, another type is an
// error.
func (d *reader) stringField(field string, dst *string) error {
	raw, err := d.s.capture()
	if err != nil {
		return err
	}
	switch raw[0] {
	case '"':
		*dst = decodeString(raw)
	case 'n':
	default:
		d.wrongType(field, raw[0])
	}
	return nil
}

func (d *reader) changes(key string, into *[]change.Resource) error {
	c, err := d.s.ws()
	if err != nil {
		return err
	}
	switch c {
	case 'n':
		return d.s.literal("null")
	case '[':
		d.s.pos++
		d.s.depth++
		defer func() { d.s.depth-- }()
	case '{':
		return d.fail(fmt.Errorf("%w: %s is not a list", ErrNotPlan, key))
	default:
		if err := d.s.scalar(c); err != nil {
			return err
		}
		return d.fail(fmt.Errorf("%w: %s is not a list", ErrNotPlan, key))
	}
	d.startPipeline()
	if key == "resource_changes" && d.plannedResources > 0 && len(*into) == 0 {
		d.pipe.reserve(into, d.plannedResources+d.plannedResources/8+64)
	}
	job := d.newJob(key, into, 0)
	for i, first := 0, true; ; i, first = i+1, false {
		more, err := d.s.next(']', first)
		if err != nil {
			d.pipe.send(job) // its changes come before the error
			return err
		}
		if !more {
			d.pipe.send(job)
			return nil
		}
		raw, err := d.s.capture()
		if err != nil {
			d.pipe.send(job)
			return err
		}
		job.data = append(job.data, raw...)
		job.ends = append(job.ends, len(job.data))
		job.offs = append(job.offs, d.s.offset())
		if len(job.data) >= jobBytes {
			d.pipe.send(job)
			job = d.newJob(key, into, i+1)
		}
	}
}

// MemoryLimit is a soft memory limit (debug.SetMemoryLimit) for reading
// and judging a plan of size bytes. What stays live (the Set, the
// configuration's references) grows with the number of resources, so
// with the size: about 120 MiB at 100k resources (270-330 MB) on the
// shapes in bench/. A fixed limit below the live set makes the collector
// run almost continuously (at 300k resources under 180 MiB, 11 s instead
// of 6); a limit of half the size plus 32 MiB keeps the heap at about
// twice what is live, and at least 180 MiB lets small plans finish before
// the first collections matter.
func MemoryLimit(size int64) int64 {
	return max(180<<20, 32<<20+size/2)
}

// GCPercent is the collector's target (debug.SetGCPercent) for reading
// and judging a plan of size bytes. A small plan's live heap is a few
// tens of MB, far under MemoryLimit's floor: letting the heap grow to
// five times what is live before a collection, not twice, skips most
// collections of a run that is over in a fraction of a second (10k
// resources, four runs each: 0.113 -> 0.098 s on the AWS shape, 0.182 ->
// 0.156 s on the mixed one, for 1-6 MiB more peak RSS). From 64 MiB up
// the limit governs the heap and a higher target only adds memory (100k:
// 18-21 MiB more for at most 4%), so the default stays.
func GCPercent(size int64) int {
	if size <= 64<<20 {
		return 400
	}
	return 100
}
