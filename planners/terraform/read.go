// Package terraform turns Terraform and OpenTofu plans into a change.Set: it
// reads plan JSON, and it runs terraform (init, plan, show and version only)
// in an isolated copy of a working directory.
package terraform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/rehearse-dev/rehearse/change"
)

// ReadError is a plan that rehearse cannot fully understand. Its message is
// one line that names the file and the problem.
type ReadError struct {
	File   string
	Offset int64 // byte offset of the problem, or -1
	Err    error
}

func (e *ReadError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("%s: %v (at byte %d)", e.File, e.Err, e.Offset)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// Errors a ReadError can wrap, for errors.Is.
var (
	ErrEmpty       = errors.New("empty file")
	ErrTruncated   = errors.New("truncated JSON")
	ErrInvalid     = errors.New("invalid JSON")
	ErrNotPlan     = errors.New("not a Terraform plan")
	ErrFormat      = errors.New("unsupported plan format version")
	ErrAction      = errors.New("unknown action")
	ErrErroredPlan = errors.New("the plan errored")
)

// Read decodes plan JSON (terraform show -json) from r into a change.Set.
// name is used in errors and in the Set's source. It streams: resource
// changes are read one at a time, and the parts of the document the verdict
// does not need (planned_values, the values in prior_state, the attribute
// values of most changes) are checked for syntax and skipped without being
// built.
func Read(name string, r io.Reader) (change.Set, error) {
	d := &reader{name: name, s: newScanner(r), intern: newInterner()}
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
	config        configIndex

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
	d.set.Source.FormatVersion = d.formatVersion
	d.set.Dependents = deps
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
	for first := true; ; first = false {
		more, err := d.s.next('}', first)
		if err != nil {
			return d.jsonErr(err)
		}
		if !more {
			break
		}
		key, err := d.s.key()
		if err != nil {
			return d.jsonErr(err)
		}
		if err := d.field(key); err != nil {
			return d.jsonErr(err)
		}
		if d.typeErr != nil {
			return d.typeErr
		}
	}
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
		return &ReadError{File: d.name, Offset: -1, Err: fmt.Errorf("%w %q: rehearse reads 0.1 to 1.x", ErrFormat, d.formatVersion)}
	}
	if d.errored {
		return &ReadError{File: d.name, Offset: -1, Err: fmt.Errorf("%w: terraform marked it \"errored\", so it is incomplete", ErrErroredPlan)}
	}
	return nil
}

// supportedFormat accepts "0.1" to "0.x" and "1.x".
func supportedFormat(v string) bool {
	major, minor, ok := strings.Cut(v, ".")
	if !ok {
		return false
	}
	maj, err1 := strconv.Atoi(major)
	min, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil || min < 0 {
		return false
	}
	return (maj == 0 && min >= 1) || maj == 1
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

func (d *reader) outputs() error {
	raw, err := d.s.capture()
	if err != nil {
		return err
	}
	var outs map[string]*tfjson.Change
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&outs); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			d.wrongType("output_changes", byte(typ.Value[0]))
			return nil
		}
		return err
	}
	for name, c := range outs {
		if c == nil {
			continue
		}
		act, _, err := convertActions(c.Actions)
		if err != nil {
			return d.fail(fmt.Errorf("output_changes.%s: %w", name, err))
		}
		oc := change.OutputChange{Name: name, Action: act}
		if containsTrue(c.BeforeSensitive) || containsTrue(c.AfterSensitive) {
			oc.Sensitive = true
		} else {
			oc.Before, oc.After = c.Before, c.After
			if containsTrue(c.AfterUnknown) {
				oc.Unknown, oc.After = true, nil
			}
		}
		d.set.Outputs = append(d.set.Outputs, oc)
	}
	sortOutputs(d.set.Outputs)
	return nil
}

// object walks an object value field by field: each calls fn, which must
// consume the value. It reports whether the value was an object; null is
// skipped, and any other type is recorded as the wrong type.
func (d *reader) object(field string, fn func(key string) error) (bool, error) {
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
	for first := true; ; first = false {
		more, err := d.s.next('}', first)
		if err != nil || !more {
			return true, err
		}
		k, err := d.s.key()
		if err != nil {
			return true, err
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

// keyIs matches a key to a field name as encoding/json does: exactly, or
// else without regard to case.
func keyIs(key, name string) bool { return key == name || strings.EqualFold(key, name) }

// priorState counts managed resources without building their values. It
// follows what decoding into {values: {root_module: {resources: [{mode}],
// child_modules: [...]}}} gave: a repeated key replaces a list, null
// clears it.
func (d *reader) priorState() error {
	var root stateCount
	hasValues := false
	_, err := d.object("prior_state", func(k string) error {
		if !keyIs(k, "values") {
			return d.s.value()
		}
		isObj, err := d.object("prior_state.values", func(k string) error {
			if !keyIs(k, "root_module") {
				return d.s.value()
			}
			_, err := d.object("prior_state.values.root_module", func(k string) error { return d.stateModule(k, &root) })
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

func (d *reader) stateModule(k string, into *stateCount) error {
	switch {
	case keyIs(k, "resources"):
		n := 0
		_, err := d.array("resources", func() error {
			mode := ""
			_, err := d.object("resources", func(k string) error {
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
			_, err := d.object("child_modules", func(k string) error { return d.stateModule(k, &child) })
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
