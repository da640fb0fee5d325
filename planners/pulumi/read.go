// Package pulumi turns Pulumi previews into a change.Set: the digest `pulumi
// preview --json` writes (steps, changeSummary, diagnostics), and the
// engine events it streams one per line with
// PULUMI_ENABLE_STREAMING_JSON_PREVIEW. It reads; it never runs anything.
package pulumi

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/internal/strictjson"
)

// Tool is the Source.Tool of every Set this package reads.
const Tool = "pulumi"

// Read decodes a preview from r into a change.Set. name is used in errors
// and in the Set's source.
func Read(name string, r io.Reader) (change.Set, error) {
	data, err := strictjson.ReadAll(r)
	if err != nil {
		return change.Set{}, readErr(name, err)
	}
	dec := strictjson.NewDecoder(data)
	first, err := dec.Value()
	if err != nil {
		return change.Set{}, readErr(name, err)
	}
	top, isObj, _ := strictjson.AsObj(first, "")
	if !isObj {
		return change.Set{}, &ReadError{File: name, Offset: -1, Err: fmt.Errorf("%w: the document is not a JSON object", ErrNotPreview)}
	}
	var p preview
	if isEvent(top) {
		err = p.events(dec, top)
	} else {
		if dec.More() {
			return change.Set{}, &ReadError{File: name, Offset: dec.Offset(), Err: fmt.Errorf("%w: data after the preview object", ErrInvalid)}
		}
		err = p.digest(top)
	}
	if err == nil {
		err = p.check()
	}
	if err != nil {
		if errors.Is(err, strictjson.ErrType) {
			err = fmt.Errorf("%w: %w", ErrNotPreview, err)
		}
		if errors.Is(err, strictjson.ErrKeyCase) && !errors.Is(err, ErrKeyCase) {
			err = fmt.Errorf("%w: %w", ErrKeyCase, err)
		}
		return change.Set{}, readErr(name, err)
	}
	return p.set(name)
}

// step is one step of the preview, in either shape.
type step struct {
	op, urn, provider string
	old, new          *state
	diffs, keys       []string
	detailed          map[string]string // path → diff kind
	raw               any
}

// state is the part of a resource's old or new state the verdict reads.
type state struct {
	typ            string
	custom         bool
	protect        bool
	retainOnDelete bool
	inputs         map[string]any
	outputs        map[string]any
}

type preview struct {
	steps     []step
	summary   bool // a change summary (digest) or summaryEvent was read
	streaming bool
	cancelled bool // the stream's closing cancelEvent
}

func (p *preview) check() error {
	if !p.summary {
		if p.streaming {
			return fmt.Errorf("%w: the event stream has no summaryEvent (is it cut short?)", ErrTruncated)
		}
		return fmt.Errorf("%w: no steps or changeSummary (is it pulumi preview --json output?)", ErrNotPreview)
	}
	if p.streaming && !p.cancelled {
		return fmt.Errorf("%w: the event stream does not end with the engine's cancelEvent (is it cut short?)", ErrTruncated)
	}
	return nil
}

var digestKeys = []string{"config", "steps", "diagnostics", "duration", "changeSummary", "maybeCorrupt"}

// digest reads the document pulumi preview --json writes.
func (p *preview) digest(top strictjson.Obj) error {
	if !top.Has("steps") && !top.Has("changeSummary") {
		return fmt.Errorf("%w: no steps or changeSummary (is it pulumi preview --json output?)", ErrNotPreview)
	}
	if err := top.CheckCase(digestKeys...); err != nil {
		return err
	}
	p.summary = true
	if corrupt, err := top.Bool("maybeCorrupt"); err != nil {
		return err
	} else if corrupt {
		return fmt.Errorf("%w: maybeCorrupt is set: one or more resources may be corrupt", ErrFailed)
	}
	if _, err := top.Obj("changeSummary"); err != nil {
		return err
	}
	diags, err := top.List("diagnostics")
	if err != nil {
		return err
	}
	for i, d := range diags {
		o, _, err := strictjson.AsObj(d, fmt.Sprintf("diagnostics[%d]", i))
		if err != nil {
			return err
		}
		if err := diagnostic(o); err != nil {
			return err
		}
	}
	steps, err := top.List("steps")
	if err != nil {
		return err
	}
	for i, s := range steps {
		o, _, err := strictjson.AsObj(s, fmt.Sprintf("steps[%d]", i))
		if err != nil {
			return err
		}
		st, err := readStep(o, "oldState", "newState", "diffReasons", "replaceReasons", "kind")
		if err != nil {
			return err
		}
		p.steps = append(p.steps, st)
	}
	return nil
}

// diagnostic refuses a preview that reported an error: its steps stop
// where the error did.
func diagnostic(o strictjson.Obj) error {
	sev, err := o.Str("severity")
	if err != nil {
		return err
	}
	if sev == "error" {
		msg, _ := o.Str("message")
		urn, _ := o.Str("urn")
		if urn != "" {
			msg = urn + ": " + msg
		}
		return fmt.Errorf("%w: %s", ErrFailed, oneLine(msg))
	}
	return nil
}

var stepKeys = []string{"op", "urn", "type", "provider", "oldState", "newState", "old", "new", "diffReasons",
	"replaceReasons", "keys", "diffs", "detailedDiff", "logical"}

// readStep reads a digest step or an event's metadata: the two name the
// states, reasons and diff kinds differently.
func readStep(o strictjson.Obj, oldKey, newKey, diffsKey, keysKey, kindKey string) (step, error) {
	if err := o.CheckCase(stepKeys...); err != nil {
		return step{}, err
	}
	st := step{raw: o.M}
	var err error
	str := func(k string) string {
		if err != nil {
			return ""
		}
		var s string
		s, err = o.Str(k)
		return s
	}
	st.op, st.urn, st.provider = str("op"), str("urn"), str("provider")
	if err != nil {
		return step{}, err
	}
	if _, ok := ops[st.op]; !ok {
		return step{}, fmt.Errorf("%w: %s: op %q", ErrAction, o.Path, st.op)
	}
	if _, _, _, err := splitURN(st.urn); err != nil {
		return step{}, fmt.Errorf("%s: %w", o.Path, err)
	}
	if st.old, err = readState(o, oldKey); err != nil {
		return step{}, err
	}
	if st.new, err = readState(o, newKey); err != nil {
		return step{}, err
	}
	if st.diffs, err = o.Strings(diffsKey); err != nil {
		return step{}, err
	}
	if st.keys, err = o.Strings(keysKey); err != nil {
		return step{}, err
	}
	dd, err := o.Obj("detailedDiff")
	if err != nil {
		return step{}, err
	}
	for path, v := range dd.M {
		d, _, err := strictjson.AsObj(v, dd.Path+"."+path)
		if err != nil {
			return step{}, err
		}
		if err := d.CheckCase(kindKey, "inputDiff"); err != nil {
			return step{}, err
		}
		kind, err := d.Str(kindKey)
		if err != nil {
			return step{}, err
		}
		switch kind {
		case "add", "add-replace", "delete", "delete-replace", "update", "update-replace":
		default:
			return step{}, fmt.Errorf("%w: %s.%s.%s %q", ErrAction, dd.Path, path, kindKey, kind)
		}
		if _, err := d.Bool("inputDiff"); err != nil {
			return step{}, err
		}
		if st.detailed == nil {
			st.detailed = map[string]string{}
		}
		st.detailed[path] = kind
	}
	return st, nil
}

var stateKeys = []string{"type", "urn", "custom", "delete", "id", "parent", "protect", "taint", "external",
	"retainOnDelete", "inputs", "outputs", "provider", "initErrors", "hideDiffs", "dependencies",
	"propertyDependencies", "pendingReplacement", "additionalSecretOutputs", "aliases", "customTimeouts",
	"importID", "deletedWith", "created", "modified", "sourcePosition", "ignoreChanges", "replaceOnChanges"}

func readState(o strictjson.Obj, key string) (*state, error) {
	so, isObj, err := strictjson.AsObj(o.M[key], o.Path+"."+key)
	if err != nil || !isObj {
		return nil, err
	}
	if err := so.CheckCase(stateKeys...); err != nil {
		return nil, err
	}
	s := &state{}
	if s.typ, err = so.Str("type"); err != nil {
		return nil, err
	}
	for _, b := range []struct {
		k   string
		dst *bool
	}{{"custom", &s.custom}, {"protect", &s.protect}, {"retainOnDelete", &s.retainOnDelete}} {
		if *b.dst, err = so.Bool(b.k); err != nil {
			return nil, err
		}
	}
	in, err := so.Obj("inputs")
	if err != nil {
		return nil, err
	}
	out, err := so.Obj("outputs")
	if err != nil {
		return nil, err
	}
	s.inputs, s.outputs = in.M, out.M
	return s, nil
}

// splitURN splits urn:pulumi:STACK::PROJECT::QUALIFIED-TYPE::NAME. The name
// may itself hold "::".
func splitURN(urn string) (stack, qtype, name string, err error) {
	rest, ok := strings.CutPrefix(urn, "urn:pulumi:")
	parts := strings.SplitN(rest, "::", 4)
	if !ok || len(parts) != 4 || parts[0] == "" || parts[2] == "" {
		return "", "", "", fmt.Errorf("%w: urn %q is not urn:pulumi:STACK::PROJECT::TYPE::NAME", ErrNotPreview, urn)
	}
	return parts[0], parts[2], parts[3], nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
