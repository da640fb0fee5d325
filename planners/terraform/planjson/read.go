// Package planjson decodes Terraform and OpenTofu plan JSON (what
// terraform show -json writes) into a change.Set. It streams with bounded
// memory and runs no processes: planners/terraform runs terraform and hands
// the show -json stream to Read.
package planjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/rehearse-dev/rehearse/internal/strictjson"
	"io"
	"slices"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

// ReadError is a plan that rehearse cannot fully understand. Its message is
// one line that names the file and the problem.
type ReadError = strictjson.ReadError

// Errors a ReadError can wrap, for errors.Is.
var (
	ErrEmpty       = errors.New("empty file")
	ErrTruncated   = errors.New("truncated JSON")
	ErrInvalid     = errors.New("invalid JSON")
	ErrNotPlan     = errors.New("not a Terraform plan")
	ErrFormat      = errors.New("unsupported plan format version")
	ErrAction      = errors.New("unknown action")
	ErrErroredPlan = errors.New("the plan errored")
	ErrTooDeep     = errors.New("nested too deeply")
	ErrDuplicate   = errors.New("duplicate key")
	ErrKeyCase     = errors.New("a key in the wrong case")
	ErrEncoding    = errors.New("not UTF-8")
)

// Option changes how Read reads a plan.
type Option func(*options)

type options struct {
	file string
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
	d := &reader{name: name, s: newScanner(ctx, r), intern: newInterner()}
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
	// intern shares the strings that repeat across resources: types,
	// providers, modules, label keys and values, label sets. Only the
	// converter goroutine uses it, and conv.
	intern *interner
	conv   converter
	pipe   *pipeline
}

func (d *reader) fail(err error) error {
	return &ReadError{File: d.name, Offset: d.s.offset(), Err: err}
}

// jsonErr classifies a decoding error as truncation or invalid JSON.
func (d *reader) jsonErr(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", d.name, err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return d.fail(ErrTruncated)
	}
	var syn *syntaxError
	if errors.As(err, &syn) {
		return &ReadError{File: d.name, Offset: syn.Offset, Err: fmt.Errorf("%w: %s", ErrInvalid, syn.Error())}
	}
	var jsyn *json.SyntaxError
	if errors.As(err, &jsyn) {
		return &ReadError{File: d.name, Offset: jsyn.Offset, Err: fmt.Errorf("%w: %s", ErrInvalid, jsyn.Error())}
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return &ReadError{File: d.name, Offset: typ.Offset, Err: fmt.Errorf("%w: %s has the wrong type (%s)", ErrNotPlan, typ.Field, typ.Value)}
	}
	var deep *depthError
	if errors.As(err, &deep) {
		return &ReadError{File: d.name, Offset: deep.Offset, Err: fmt.Errorf("%w: more than %d levels (terraform's values never nest this deep)", ErrTooDeep, maxDepth)}
	}
	var re *ReadError
	if errors.As(err, &re) {
		return err
	}
	return d.fail(fmt.Errorf("%w: %v", ErrInvalid, err))
}

// wrongType records a value of the wrong type; reading goes on.
func (d *reader) wrongType(field string, c byte) {
	if d.typeErr == nil {
		d.typeErr = &ReadError{File: d.name, Offset: d.s.offset(), Err: fmt.Errorf("%w: %s has the wrong type (%s)", ErrNotPlan, field, kind(c))}
	}
}

func (d *reader) read() (change.Set, error) {
	d.set = change.Set{Source: change.Source{Kind: change.Planned, Tool: "terraform", File: d.name}, Managed: -1}
	err := d.parse()
	var deps map[string][]string
	if err == nil {
		// While the converter may still be busy.
		deps = d.config.dependents()
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
	if n := d.byName + d.conv.byName; n > 0 {
		d.set.Notes = append(d.set.Notes, fmt.Sprintf("%d value(s) shown as (sensitive: by name): their names say secret (password, token, private_key…) though the provider did not mark them sensitive", n))
	}
	return d.set, nil
}

// managedAtLeast is the number of managed resources before the change: what
// prior_state holds, but never fewer than the existing objects the plan
// itself changes (a trimmed prior_state would make a share of 250%).
// Unknown (-1) stays unknown.
func managedAtLeast(managed int, rs []change.Resource) int {
	if managed < 0 {
		return managed
	}
	existing := 0
	for i := range rs {
		r := &rs[i]
		if r.Mode == change.Managed && r.Action != change.Create && r.Action != change.Read {
			existing++
		}
	}
	return max(managed, existing)
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

// topKeys are the top-level keys of a plan that rehearse reads.
var topKeys = []string{"format_version", "terraform_version", "errored", "complete", "planned_values",
	"resource_changes", "resource_drift", "output_changes", "prior_state", "configuration",
	"variables", "action_invocations", "deferred_action_invocations", "deferred_changes"}

// caseVariant refuses a key that is one of names in another case:
// terraform writes each key in one case, and a variant is either a
// mistake or an attempt to be read differently by different tools.
func (d *reader) caseVariant(off int64, key string, names ...string) error {
	if n, ok := caseOf(key, names); ok {
		return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%w: %q, terraform writes %q", ErrKeyCase, key, n)}
	}
	return nil
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
		return d.s.value()
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
	job := d.newJob(key, into, 0)
	for i, first := 0, true; ; i, first = i+1, false {
		more, err := d.s.next(']', first)
		if err != nil {
			d.pipe.jobs <- job // its changes come before the error
			return err
		}
		if !more {
			job.last = true
			d.pipe.jobs <- job
			return nil
		}
		raw, err := d.s.capture()
		if err != nil {
			d.pipe.jobs <- job
			return err
		}
		job.data = append(job.data, raw...)
		job.ends = append(job.ends, len(job.data))
		job.offs = append(job.offs, d.s.offset())
		if len(job.data) >= jobBytes {
			d.pipe.jobs <- job
			job = d.newJob(key, into, i+1)
		}
	}
}

// object walks an object value field by field: each calls fn, which must
// consume the value. It reports whether the value was an object; null is
// skipped, and any other type is recorded as the wrong type.
func (d *reader) object(field string, fn func(key string) error) (bool, error) {
	return d.objectKeys(field, nil, fn)
}

// objectKeys is object for an object whose keys names rehearse reads: one
// of them twice, or in another case, is refused.
func (d *reader) objectKeys(field string, names []string, fn func(key string) error) (bool, error) {
	c, err := d.s.ws()
	if err != nil {
		return false, err
	}
	if c != '{' {
		if c == '[' {
			d.wrongType(field, c)
			return false, d.s.value()
		}
		if err := d.s.scalar(c); err != nil {
			return false, err
		}
		if c != 'n' {
			d.wrongType(field, c)
		}
		return false, nil
	}
	d.s.pos++
	d.s.depth++
	defer func() { d.s.depth-- }()
	if d.s.depth > maxDepth {
		return true, &depthError{Offset: d.s.offset()}
	}
	var seen []string
	for first := true; ; first = false {
		more, err := d.s.next('}', first)
		if err != nil || !more {
			return true, err
		}
		off := d.s.offset()
		k, err := d.s.key()
		if err != nil {
			return true, err
		}
		if names != nil {
			if err := d.caseVariant(off, k, names...); err != nil {
				return true, err
			}
			if slices.Contains(names, k) {
				if slices.Contains(seen, k) {
					return true, &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%w %q in %s: terraform never writes one", ErrDuplicate, k, field)}
				}
				seen = append(seen, k)
			}
		}
		if err := fn(k); err != nil {
			return true, err
		}
	}
}

// array walks an array value element by element. null is skipped, and any
// other type is recorded as the wrong type. It reports whether the value
// was null.
func (d *reader) array(field string, fn func() error) (bool, error) {
	c, err := d.s.ws()
	if err != nil {
		return false, err
	}
	if c != '[' {
		if c == '{' {
			d.wrongType(field, c)
			return false, d.s.value()
		}
		if err := d.s.scalar(c); err != nil {
			return false, err
		}
		if c != 'n' {
			d.wrongType(field, c)
		}
		return c == 'n', nil
	}
	d.s.pos++
	d.s.depth++
	defer func() { d.s.depth-- }()
	if d.s.depth > maxDepth {
		return false, &depthError{Offset: d.s.offset()}
	}
	for first := true; ; first = false {
		more, err := d.s.next(']', first)
		if err != nil || !more {
			return false, err
		}
		if err := fn(); err != nil {
			return false, err
		}
	}
}

// keyIs matches a key to a field name exactly, as terraform writes it. A
// key in another case is not the field (and where it matters, caseVariant
// refuses it).
func keyIs(key, name string) bool { return key == name }

// priorState counts managed resources without building their values. It
// follows what decoding into {values: {root_module: {resources: [{mode}],
// child_modules: [...]}}} gave: a repeated key replaces a list, null
// clears it.
func (d *reader) priorState() error {
	var root stateCount
	hasValues := false
	_, err := d.objectKeys("prior_state", []string{"values"}, func(k string) error {
		if !keyIs(k, "values") {
			return d.s.value()
		}
		isObj, err := d.objectKeys("prior_state.values", []string{"root_module"}, func(k string) error {
			if !keyIs(k, "root_module") {
				return d.s.value()
			}
			_, err := d.objectKeys("prior_state.values.root_module", stateModuleKeys, func(k string) error { return d.stateModule(k, &root) })
			return err
		})
		if !isObj && d.typeErr == nil { // null: the values are gone
			root, hasValues = stateCount{}, false
		} else {
			hasValues = true
		}
		return err
	})
	if err != nil {
		return err
	}
	d.set.Managed = 0
	if hasValues {
		d.set.Managed = root.resources + root.children
	}
	return nil
}

type stateCount struct{ resources, children int }

var stateModuleKeys = []string{"resources", "child_modules"}

func (d *reader) stateModule(k string, into *stateCount) error {
	switch {
	case keyIs(k, "resources"):
		n := 0
		_, err := d.array("resources", func() error {
			mode := ""
			_, err := d.objectKeys("resources", []string{"mode"}, func(k string) error {
				if !keyIs(k, "mode") {
					return d.s.value()
				}
				return d.stringField("resources.mode", &mode)
			})
			if mode == "managed" {
				n++
			}
			return err
		})
		into.resources = n
		return err
	case keyIs(k, "child_modules"):
		n := 0
		_, err := d.array("child_modules", func() error {
			var child stateCount
			_, err := d.objectKeys("child_modules", stateModuleKeys, func(k string) error { return d.stateModule(k, &child) })
			n += child.resources + child.children
			return err
		})
		into.children = n
		return err
	}
	return d.s.value()
}

// isJSONNull reports whether raw is the JSON null literal.
func isJSONNull(raw []byte) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }
