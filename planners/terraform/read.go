// Package terraform turns Terraform and OpenTofu plans into a change.Set: it
// reads plan JSON, and it runs terraform (init, plan, show and version only)
// in an isolated copy of a working directory.
package terraform

import (
	"bufio"
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
// changes are decoded one at a time and the parts of the document the
// verdict does not need are skipped without being built.
func Read(name string, r io.Reader) (change.Set, error) {
	d := &reader{name: name, dec: json.NewDecoder(bufio.NewReaderSize(r, 256<<10))}
	d.dec.UseNumber()
	set, err := d.read()
	if err != nil {
		return change.Set{}, err
	}
	return set, nil
}

type reader struct {
	name string
	dec  *json.Decoder
	set  change.Set

	formatVersion string
	seenPlanKey   bool
	errored       bool
	config        configIndex
}

func (d *reader) fail(err error) error {
	return &ReadError{File: d.name, Offset: d.dec.InputOffset(), Err: err}
}

// jsonErr classifies a decoding error as truncation or invalid JSON.
func (d *reader) jsonErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return d.fail(ErrTruncated)
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return &ReadError{File: d.name, Offset: syn.Offset, Err: fmt.Errorf("%w: %s", ErrInvalid, syn.Error())}
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

func (d *reader) read() (change.Set, error) {
	d.set = change.Set{Source: change.Source{Kind: change.Planned, Tool: "terraform", File: d.name}, Managed: -1}
	tok, err := d.dec.Token()
	if err == io.EOF {
		return change.Set{}, &ReadError{File: d.name, Offset: -1, Err: ErrEmpty}
	}
	if err != nil {
		return change.Set{}, d.jsonErr(err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return change.Set{}, d.fail(fmt.Errorf("%w: the document is not a JSON object", ErrNotPlan))
	}
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return change.Set{}, d.jsonErr(err)
		}
		key, _ := tok.(string)
		if err := d.field(key); err != nil {
			return change.Set{}, d.jsonErr(err)
		}
	}
	if _, err := d.dec.Token(); err != nil { // the closing brace
		return change.Set{}, d.jsonErr(err)
	}
	if _, err := d.dec.Token(); err != io.EOF {
		if err != nil {
			return change.Set{}, d.jsonErr(err)
		}
		return change.Set{}, d.fail(fmt.Errorf("%w: data after the plan object", ErrInvalid))
	}
	if err := d.check(); err != nil {
		return change.Set{}, err
	}
	d.set.Source.FormatVersion = d.formatVersion
	d.set.Dependents = d.config.dependents()
	return d.set, nil
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
		return d.dec.Decode(&d.formatVersion)
	case "terraform_version":
		return d.dec.Decode(&d.set.Source.ToolVersion)
	case "errored":
		return d.dec.Decode(&d.errored)
	case "planned_values":
		d.seenPlanKey = true
		return skipValue(d.dec)
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
		return d.dec.Decode(&d.config)
	default:
		return skipValue(d.dec)
	}
}

func (d *reader) changes(key string, into *[]change.Resource) error {
	tok, err := d.dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		return d.fail(fmt.Errorf("%w: %s is not a list", ErrNotPlan, key))
	}
	for i := 0; d.dec.More(); i++ {
		var rc tfjson.ResourceChange
		if err := d.dec.Decode(&rc); err != nil {
			return err
		}
		res, err := convertResource(&rc)
		if err != nil {
			return d.fail(fmt.Errorf("%s[%d] (%s): %w", key, i, rc.Address, err))
		}
		*into = append(*into, res)
	}
	_, err = d.dec.Token()
	return err
}

func (d *reader) outputs() error {
	var outs map[string]*tfjson.Change
	if err := d.dec.Decode(&outs); err != nil {
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

// priorState counts managed resources without building their values.
func (d *reader) priorState() error {
	var st struct {
		Values *stateModuleWrap `json:"values"`
	}
	if err := d.dec.Decode(&st); err != nil {
		return err
	}
	n := 0
	if st.Values != nil {
		n = st.Values.RootModule.count()
	}
	d.set.Managed = n
	return nil
}

type stateModuleWrap struct {
	RootModule stateModule `json:"root_module"`
}

type stateModule struct {
	Resources []struct {
		Mode string `json:"mode"`
	} `json:"resources"`
	ChildModules []stateModule `json:"child_modules"`
}

func (m *stateModule) count() int {
	n := 0
	for _, r := range m.Resources {
		if r.Mode == "managed" {
			n++
		}
	}
	for i := range m.ChildModules {
		n += m.ChildModules[i].count()
	}
	return n
}

// skipValue consumes one JSON value without building it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if delim, ok := tok.(json.Delim); ok {
			switch delim {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// isJSONNull reports whether raw is the JSON null literal.
func isJSONNull(raw []byte) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }
